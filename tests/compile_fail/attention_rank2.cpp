// Tests that attention<H>(q, k, v) without a batch dimension does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto q = f.input<Shape<6, 8>>("q");
#else
  auto q = f.input<Shape<2, 6, 8>>("q");
#endif
  auto k = f.input<Shape<2, 5, 8>>("k");
  auto v = f.input<Shape<2, 5, 8>>("v");
  f.output("y", attention<2>(q, k, v));
}
