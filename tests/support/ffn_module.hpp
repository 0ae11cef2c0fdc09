// The smallest module the JIT tests compile: y = relu(x @ w), x [2, 3]
// (input), w [3, 4] (param).
#pragma once

namespace tfm::test {

inline constexpr const char* kFfn = R"mlir(
func.func @ffn(%x: tensor<2x3xf32> {tfm.input = "x"}, %w: tensor<3x4xf32> {tfm.param = "w"})
    -> (tensor<2x4xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = tfm.relu %0 : tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}
)mlir";

}  // namespace tfm::test
