// Tests that embedding(table, ids) with floating-point ids does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto table = f.param<Shape<10, 6>>("table");
#ifdef TFM_KO
  auto ids = f.input<Shape<1, 7>, f32>("ids");
#else
  auto ids = f.input<Shape<1, 7>, i64>("ids");
#endif
  f.output("y", embedding(table, ids));
}
