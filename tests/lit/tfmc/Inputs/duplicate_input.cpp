// Two inputs named "x": only tracing can see it.
#include <tfm/dsl.hpp>

using namespace tfm::dsl;

void twin_inputs(Function& f) {
  auto x = f.input<Shape<1, 6, 8>>("x");
  auto y = f.input<Shape<1, 6, 8>>("x");
  f.output("z", x + y);
}
TFM_MODEL(twin_inputs);
