// Tests that split_heads<H>(x) where H does not divide the width does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 8>>("x");
#ifdef TFM_KO
  f.output("y", split_heads<3>(x));
#else
  f.output("y", split_heads<4>(x));
#endif
}
