// Tests that declaring something that is not a parameter tree does not
// compile.
#include <tfm/dsl.hpp>
#include <vector>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto p = declare<std::vector<Tensor<Shape<4>>>>(f, "p");
  f.output("p", p[0]);
#else
  auto p = declare<std::array<Tensor<Shape<4>>, 1>>(f, "p");
  f.output("p", p[0]);
#endif
}
