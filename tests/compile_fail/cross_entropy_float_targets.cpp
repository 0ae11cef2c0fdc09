// Tests that cross_entropy(logits, targets) with floating-point targets
// (probabilities instead of token ids) does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto logits = f.input<Shape<2, 5, 11>>("logits");
#ifdef TFM_KO
  auto targets = f.input<Shape<2, 5>, f32>("targets");
#else
  auto targets = f.input<Shape<2, 5>, i32>("targets");
#endif
  f.output("loss", cross_entropy(logits, targets));
}
