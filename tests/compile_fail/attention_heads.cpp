// Tests that attention<H>(q, k, v) with H not dividing the width does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto q = f.input<Shape<2, 6, 8>>("q");
  auto k = f.input<Shape<2, 5, 8>>("k");
  auto v = f.input<Shape<2, 5, 8>>("v");
#ifdef TFM_KO
  f.output("y", attention<3>(q, k, v));
#else
  f.output("y", attention<4>(q, k, v));
#endif
}
