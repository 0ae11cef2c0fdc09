// Tests that softmax<Axis> with Axis outside [-rank, rank) does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 4>>("x");
#ifdef TFM_KO
  f.output("y", softmax<3>(x));
#else
  f.output("y", softmax<-3>(x));
#endif
}
