// Tests that a slice reaching past the tensor does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto table = f.input<Shape<16, 8>>("table");
#ifdef TFM_KO
  f.output("rows", slice<Shape<6, 8>, 12, 0>(table));
#else
  f.output("rows", slice<Shape<6, 8>, 10, 0>(table));
#endif
}
