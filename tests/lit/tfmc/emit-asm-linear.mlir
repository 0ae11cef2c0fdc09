// RUN: tfmc %s --emit=asm --mcpu=znver4 | FileCheck %s
// RUN: tfmc %s --emit=asm --mcpu=znver3 | FileCheck %s --check-prefix=AVX2

// Tests that a linear layer on a batched input ([4, 64, 128] x [128, 64],
// the form every Transformer's projections take) is one matmul over the
// 256 collapsed rows: split across threads (an OpenMP outlined function)
// and multiplied in the named CPU's registers with packed FMAs (zmm on
// Zen 4, ymm on Zen 3). As a generic with two row loops it got neither and
// ran ~100x slower.
// CHECK-LABEL: linear..omp_par:
// CHECK:         vfmadd{{[0-9]+}}ps %zmm{{[0-9]+}}, %zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// CHECK-LABEL: linear:
// CHECK:         __kmpc_fork_call
// AVX2-LABEL:  linear..omp_par
// AVX2:          vfmadd{{[0-9]+}}ps {{.*}}%ymm{{[0-9]+}}, %ymm{{[0-9]+}}
// AVX2-NOT:      %zmm
// AVX2-LABEL:  linear:
// AVX2:          __kmpc_fork_call
func.func @linear(%x: tensor<4x64x128xf32> {tfm.input = "x"}, %w: tensor<128x64xf32> {tfm.param = "w"})
    -> (tensor<4x64x64xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<4x64x128xf32>, tensor<128x64xf32>) -> tensor<4x64x64xf32>
  return %0 : tensor<4x64x64xf32>
}
