// Tests that permute<P...>(x) with a repeated entry does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 4>>("x");
#ifdef TFM_KO
  f.output("y", permute<0, 2, 2>(x));
#else
  f.output("y", permute<0, 2, 1>(x));
#endif
}
