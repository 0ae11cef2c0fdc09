// RUN: tfmc %s --emit=asm --mcpu=znver4 | FileCheck %s
// RUN: tfmc %s --emit=asm --mcpu=znver3 | FileCheck %s --check-prefix=AVX2

// Tests that a linear layer on a batched input ([4, 64, 128] x [128, 64],
// the form every Transformer's projections take) is one matmul over the
// 256 collapsed rows: split across threads (an OpenMP outlined function)
// and multiplied in the named CPU's registers with packed FMAs (zmm on
// Zen 4, ymm on Zen 3). As a generic with two row loops it got neither and
// ran ~100x slower.
// The entry point calls the matmul's kernel, which forks its threads.
// CHECK-LABEL: _mlir_ciface_linear:
// CHECK:         {{callq|jmp}} linear.kernel0
// CHECK-LABEL: linear.kernel0:
// CHECK:         __kmpc_fork_call
// CHECK-LABEL: linear.kernel0..omp_par:
// CHECK:         vfmadd{{[0-9]+}}ps %zmm{{[0-9]+}}, %zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// AVX2-LABEL:  linear.kernel0:
// AVX2:          __kmpc_fork_call
// AVX2-LABEL:  linear.kernel0..omp_par:
// AVX2:          vfmadd{{[0-9]+}}ps {{.*}}%ymm{{[0-9]+}}, %ymm{{[0-9]+}}
// AVX2-NOT:      %zmm
func.func @linear(%x: tensor<4x64x128xf32> {tfm.input = "x"}, %w: tensor<128x64xf32> {tfm.param = "w"})
    -> (tensor<4x64x64xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<4x64x128xf32>, tensor<128x64xf32>) -> tensor<4x64x64xf32>
  return %0 : tensor<4x64x64xf32>
}
