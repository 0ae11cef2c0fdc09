// Tests that split_heads<H>(x) without a batch dimension does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto x = f.input<Shape<6, 8>>("x");
#else
  auto x = f.input<Shape<2, 6, 8>>("x");
#endif
  f.output("y", split_heads<2>(x));
}
