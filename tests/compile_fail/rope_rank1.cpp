// Tests that rotary embedding of a tensor without positions does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto q = f.input<Shape<8>>("q");
#else
  auto q = f.input<Shape<6, 8>>("q");
#endif
  f.output("y", rope(q));
}
