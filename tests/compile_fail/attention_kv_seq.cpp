// Tests that attention<H>(q, k, v) with k and v of different lengths does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto q = f.input<Shape<2, 6, 8>>("q");
  auto k = f.input<Shape<2, 5, 8>>("k");
#ifdef TFM_KO
  auto v = f.input<Shape<2, 4, 8>>("v");
#else
  auto v = f.input<Shape<2, 5, 8>>("v");
#endif
  f.output("y", attention<2>(q, k, v));
}
