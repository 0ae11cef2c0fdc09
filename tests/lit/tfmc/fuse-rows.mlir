// Tests that tfmc fuses a layer norm's row group by default (its two row
// reductions and the normalization in one parallel loop: one OpenMP
// region), and that --no-fuse-rows builds each as a parallel loop of its
// own (three regions).
// RUN: tfmc %s --mcpu=znver4 --emit=llvm-mlir --strip-locations | FileCheck %s --check-prefix=FUSED
// RUN: tfmc %s --mcpu=znver4 --emit=llvm-mlir --strip-locations --no-fuse-rows | FileCheck %s --check-prefix=UNFUSED

// FUSED-LABEL:   llvm.func @ln(
// FUSED-COUNT-1: omp.parallel
// FUSED-NOT:     omp.parallel
// UNFUSED-LABEL:   llvm.func @ln(
// UNFUSED-COUNT-3: omp.parallel
// UNFUSED-NOT:     omp.parallel
func.func @ln(%x: tensor<256x256xf32> {tfm.input = "x"}, %g: tensor<256xf32> {tfm.param = "g"},
              %b: tensor<256xf32> {tfm.param = "b"}) -> (tensor<256x256xf32> {tfm.output = "y"}) {
  %y = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32}
      : (tensor<256x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<256x256xf32>
  return %y : tensor<256x256xf32>
}
