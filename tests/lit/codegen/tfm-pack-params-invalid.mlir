// RUN: tfm-opt %s --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls="params-packed-once=1" --canonicalize --cse --tfm-pack-params --verify-diagnostics -o /dev/null

// The packing entry point's name is taken: an error at the entry point.
func.func private @clash__pack()
// expected-error @+1 {{'func.func' op cannot pack its params once: the module already has a 'clash__pack' ---> HINT: rename that function}}
func.func @clash(%x: tensor<64x256xf32> {tfm.input = "x"}, %w: tensor<256x128xf32> {tfm.param = "w"})
    -> (tensor<64x128xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<64x256xf32>, tensor<256x128xf32>) -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}
