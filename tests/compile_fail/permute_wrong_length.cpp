// Tests that permute<P...>(x) with fewer entries than x has dimensions does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 4>>("x");
#ifdef TFM_KO
  f.output("y", permute<1, 0>(x));
#else
  f.output("y", permute<1, 0, 2>(x));
#endif
}
