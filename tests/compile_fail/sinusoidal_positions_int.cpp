// Tests that an integer sinusoidal position table does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<6, 8>>("x");
#ifdef TFM_KO
  auto pe = sinusoidal_positions<6, 8, i32>();
  f.output("y", pe);
#else
  auto pe = sinusoidal_positions<6, 8>();
  f.output("y", x + pe);
#endif
}
