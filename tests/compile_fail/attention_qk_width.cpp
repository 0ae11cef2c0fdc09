// Tests that attention<H>(q, k, v) with q and k of different widths does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto q = f.input<Shape<2, 6, 8>>("q");
#ifdef TFM_KO
  auto k = f.input<Shape<2, 5, 4>>("k");
#else
  auto k = f.input<Shape<2, 5, 8>>("k");
#endif
  auto v = f.input<Shape<2, 5, 8>>("v");
  f.output("y", attention<2>(q, k, v));
}
