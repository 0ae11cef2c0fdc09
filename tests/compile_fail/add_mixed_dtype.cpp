// Tests that a + b of f32 and f64 tensors does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto a = f.input<Shape<2, 4>>("a");
#ifdef TFM_KO
  auto b = f.input<Shape<2, 4>, f64>("b");
#else
  auto b = f.input<Shape<2, 4>, f32>("b");
#endif
  f.output("y", a + b);
}
