// y = relu(x @ w + b): x [2, 4] (input), w [4, 3], b [3] (params).
#pragma once

#include <tfm/dsl.hpp>

inline void block(tfm::dsl::Function& f) {
  using namespace tfm::dsl;
  auto x = f.input<Shape<2, 4>>("x");
  auto w = f.param<Shape<4, 3>>("w");
  auto b = f.param<Shape<3>>("b");
  f.output("y", relu(matmul(x, w) + b));
}
