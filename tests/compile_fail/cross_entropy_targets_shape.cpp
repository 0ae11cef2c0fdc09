// Tests that cross_entropy(logits, targets) with targets not the shape of the
// logits without their vocabulary dimension does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto logits = f.input<Shape<2, 5, 11>>("logits");
#ifdef TFM_KO
  auto targets = f.input<Shape<2, 11>, i32>("targets");
#else
  auto targets = f.input<Shape<2, 5>, i32>("targets");
#endif
  f.output("loss", cross_entropy(logits, targets));
}
