// Tests that matmul(a, b) of integer tensors does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto a = f.input<Shape<6, 4>, i32>("a");
  auto b = f.input<Shape<4, 5>, i32>("b");
#else
  auto a = f.input<Shape<6, 4>, f32>("a");
  auto b = f.input<Shape<4, 5>, f32>("b");
#endif
  f.output("y", matmul(a, b));
}
