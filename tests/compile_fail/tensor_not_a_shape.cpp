// Tests that Tensor<S, E> with S not a Shape<...> does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto x = f.input<std::array<dim_t, 2>>("x");
#else
  auto x = f.input<Shape<2, 4>>("x");
#endif
  f.output("y", x);
}
