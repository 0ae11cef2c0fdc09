// A feed-forward block for tfmc's DSL tests: the line numbers of the ops
// below are checked by ../dsl.test.
#include <tfm/dsl.hpp>

using namespace tfm::dsl;

void ffn(Function& f) {
  auto x = f.input<Shape<1, 6, 8>>("x");
  auto w = f.param<Shape<8, 16>>("w");
  auto b = f.param<Shape<16>>("b");
  auto h = relu(matmul(x, w) + b);
  auto k = f.param<Shape<6, 16>>("k");
  f.output("scores", softmax(matmul(h, transpose(k))));
}
TFM_MODEL(ffn);
