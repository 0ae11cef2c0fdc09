// REQUIRES: avx512f
// RUN: tfmc %s --emit=asm | FileCheck %s
// RUN: tfmc %s --emit=asm --no-vectorize | FileCheck %s --check-prefix=NOVEC

// Tests that on an AVX-512 host the vectorized 8x64 x 64x16 matmul keeps its
// 16-lane accumulator rows in zmm registers and multiplies with packed FMAs;
// --no-vectorize gives no packed FMA on zmm.
// CHECK-LABEL: _mlir_ciface_proj:
// CHECK:         vfmadd{{[0-9]+}}ps {{.*}}%zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// NOVEC-LABEL: _mlir_ciface_proj:
// NOVEC-NOT:     vfmadd{{[0-9]+}}ps {{.*}}%zmm
func.func @proj(%x: tensor<8x64xf32> {tfm.input = "x"}, %w: tensor<64x16xf32> {tfm.param = "w"})
    -> (tensor<8x16xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<8x64xf32>, tensor<64x16xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}
