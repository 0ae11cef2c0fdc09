// Tests that merge_heads(x) of a rank-3 tensor does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto x = f.input<Shape<2, 6, 8>>("x");  // already merged
#else
  auto x = f.input<Shape<2, 4, 6, 2>>("x");
#endif
  f.output("y", merge_heads(x));
}
