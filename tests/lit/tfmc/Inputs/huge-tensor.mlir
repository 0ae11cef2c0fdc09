// A tensor whose byte size does not fit in 64 bits (model-ops.mlir
// checks the error).

func.func @huge(%x: tensor<4294967296x4294967296xf32> {tfm.input = "x"})
    -> (tensor<4294967296x4294967296xf32> {tfm.output = "y"}) {
  %y = tfm.relu %x : tensor<4294967296x4294967296xf32>
  return %y : tensor<4294967296x4294967296xf32>
}
