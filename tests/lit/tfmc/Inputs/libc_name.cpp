// A model named like a C library function (dup from <unistd.h>).
#include <unistd.h>

#include <tfm/dsl.hpp>

using namespace tfm::dsl;

void dup(Function& f) { f.output("y", relu(f.input<Shape<4>>("x"))); }
TFM_MODEL(dup);
