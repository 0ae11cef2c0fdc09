// Tests that embedding(table, ids) with a table not of rank 2 does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto table = f.param<Shape<2, 10, 6>>("table");
#else
  auto table = f.param<Shape<10, 6>>("table");
#endif
  auto ids = f.input<Shape<1, 7>, i32>("ids");
  f.output("y", embedding(table, ids));
}
