// A model source whose generator exits, successfully, before it traces: it
// writes no IR (trace-errors.test).
#include <cstdlib>
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void early(Function& f) { f.output("y", relu(f.input<Shape<2, 4>>("x"))); }
TFM_MODEL(early);
[[maybe_unused]] static const int exits_now = (std::exit(0), 0);
