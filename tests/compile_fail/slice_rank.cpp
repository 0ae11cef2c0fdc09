// Tests that slice<S, Offsets...>(x) with S of another rank does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<16, 8>>("x");
#ifdef TFM_KO
  f.output("y", slice<Shape<6>>(x));
#else
  f.output("y", slice<Shape<6, 8>>(x));
#endif
}
