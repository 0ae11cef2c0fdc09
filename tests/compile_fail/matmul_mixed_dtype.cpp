// Tests that matmul(a, b) of f32 and f64 operands does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto a = f.input<Shape<6, 4>>("a");
#ifdef TFM_KO
  auto b = f.param<Shape<4, 5>, f64>("b");
#else
  auto b = f.param<Shape<4, 5>, f32>("b");
#endif
  f.output("y", matmul(a, b));
}
