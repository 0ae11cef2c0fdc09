// The smallest model tfmc compiles to an object (cache-errors.test).
func.func @relu(%x: tensor<2x4xf32> {tfm.input = "x"}) -> (tensor<2x4xf32> {tfm.output = "y"}) {
  %0 = tfm.relu %x : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
