// Tests that cross_entropy(logits, targets, mask) with a loss mask of another
// element type does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto logits = f.input<Shape<2, 5, 11>>("logits");
  auto targets = f.input<Shape<2, 5>, i32>("targets");
#ifdef TFM_KO
  auto mask = f.input<Shape<2, 5>, f64>("mask");
#else
  auto mask = f.input<Shape<2, 5>>("mask");
#endif
  f.output("loss", cross_entropy(logits, targets, mask));
}
