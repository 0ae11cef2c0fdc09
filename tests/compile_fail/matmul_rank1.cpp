// Tests that matmul(a, b) with a rank-1 operand does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto a = f.input<Shape<6, 4>>("a");
#ifdef TFM_KO
  auto b = f.param<Shape<4>>("b");  // a vector: no matrix-vector matmul
#else
  auto b = f.param<Shape<4, 1>>("b");
#endif
  f.output("y", matmul(a, b));
}
