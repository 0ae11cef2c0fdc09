// Tests that a parameter struct with a member that is not a parameter (here a
// float scale factor) does not compile, naming the struct and the member.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

struct Scaled {
#ifdef TFM_KO
  BOOST_HANA_DEFINE_STRUCT(Scaled, (Tensor<Shape<8, 8>>, w), (float, factor));
#else
  BOOST_HANA_DEFINE_STRUCT(Scaled, (Tensor<Shape<8, 8>>, w), (Tensor<Shape<8>>, factor));
#endif
};
void model(Function& f) {
  auto p = declare<Scaled>(f, "scaled");
  f.output("w", p.w);
}
