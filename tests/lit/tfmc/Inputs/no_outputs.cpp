// A model that declares no output.
#include <tfm/dsl.hpp>

void noout(tfm::dsl::Function& f) {
  auto x = f.input<tfm::dsl::Shape<4>>("x");
  (void)x;
}
TFM_MODEL(noout);
