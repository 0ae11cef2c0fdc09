// Tests that masking integer scores does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto scores = f.input<Shape<2, 6, 6>, i32>("scores");
#else
  auto scores = f.input<Shape<2, 6, 6> >("scores");
#endif
  f.output("y", mask<causal>(scores));
}
