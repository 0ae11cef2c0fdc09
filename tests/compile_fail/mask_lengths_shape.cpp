// Tests that a padding mask whose lengths do not match the batch does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto scores = f.input<Shape<2, 4, 6, 6>>("scores");
#ifdef TFM_KO
  auto lengths = f.input<Shape<3>, i32>("lengths");
#else
  auto lengths = f.input<Shape<2>, i32>("lengths");
#endif
  f.output("masked", mask<padding>(scores, lengths));
}
