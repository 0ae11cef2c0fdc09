// Tests that cross_entropy(logits, targets) with integer logits does not
// compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto logits = f.input<Shape<2, 5, 11>, i32>("logits");
#else
  auto logits = f.input<Shape<2, 5, 11> >("logits");
#endif
  auto targets = f.input<Shape<2, 5>, i32>("targets");
  f.output("loss", cross_entropy(logits, targets));
}
