// Tests that rms_norm with gamma of another width does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<1, 6, 8>>("x");
#ifdef TFM_KO
  auto g = f.param<Shape<6>>("g");
#else
  auto g = f.param<Shape<8>>("g");
#endif
  f.output("y", rms_norm(x, g));
}
