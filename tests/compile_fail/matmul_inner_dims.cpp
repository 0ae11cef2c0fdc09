// Tests that matmul(a, b) with a.shape[-1] != b.shape[-2] does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto a = f.input<Shape<2, 6, 4>>("a");
#ifdef TFM_KO
  auto b = f.param<Shape<2, 6, 4>>("b");  // inner dims 4 vs 6
#else
  auto b = f.param<Shape<2, 4, 6>>("b");
#endif
  f.output("y", matmul(a, b));
}
