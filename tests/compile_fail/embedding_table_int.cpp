// Tests that embedding(table, ids) with an integer table does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto table = f.input<Shape<10, 6>, i32>("table");
#else
  auto table = f.input<Shape<10, 6>, f32>("table");
#endif
  auto ids = f.input<Shape<7>, i32>("ids");
  f.output("y", embedding(table, ids));
}
