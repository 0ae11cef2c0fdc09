// RUN: tfmc %s --emit=asm --mcpu=znver4 | FileCheck %s
// RUN: tfmc %s --emit=asm --mcpu=znver4 --no-parallel | FileCheck %s --check-prefix=SERIAL
// RUN: tfmc %s --emit=asm --mcpu=znver3 | FileCheck %s --check-prefix=AVX2

// Tests that fused causal attention (the unfused chain, which tfmc fuses) is
// AVX-512 code for an AVX-512 CPU (and AVX2 code for an AVX2 one): the QK^T and PV tiles multiply with packed FMAs on zmm
// registers, the online softmax takes its running max and exponentials on
// zmm, all in functions outlined for OpenMP threads that the kernels the
// entry point calls fork.
// CHECK-LABEL:   _mlir_ciface_attn:
// CHECK:         {{callq|jmp}} attn.kernel{{[0-9]+}}
// CHECK:         attn.kernel{{[0-9]+}}:
// CHECK:         callq __kmpc_fork_call
// CHECK:         attn.kernel{{[0-9]+}}..omp_par{{.*}}:
// CHECK:         vfmadd{{[0-9]+}}ps {{.*}}%zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// CHECK:         vmaxps {{.*}}%zmm{{[0-9]+}}
// SERIAL-NOT:    omp_par
// SERIAL-NOT:    __kmpc_fork_call
// SERIAL:        vfmadd{{[0-9]+}}ps {{.*}}%zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// AVX2-LABEL:    _mlir_ciface_attn:
// AVX2:          attn.kernel{{[0-9]+}}..omp_par{{.*}}:
// AVX2:          vfmadd{{[0-9]+}}ps {{.*}}%ymm{{[0-9]+}}, %ymm{{[0-9]+}}
// AVX2:          vmaxps {{.*}}%ymm{{[0-9]+}}
// AVX2-NOT:      %zmm
func.func @attn(%q: tensor<1x4x128x64xf32> {tfm.input = "q"}, %k: tensor<1x4x128x64xf32> {tfm.input = "k"},
                %v: tensor<1x4x128x64xf32> {tfm.input = "v"}) -> (tensor<1x4x128x64xf32> {tfm.output = "o"}) {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>) -> tensor<1x4x128x128xf32>
  %c = tfm.scale %s {factor = 0.125 : f32} : tensor<1x4x128x128xf32>
  %m = tfm.mask %c {causal} : (tensor<1x4x128x128xf32>) -> tensor<1x4x128x128xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<1x4x128x128xf32>
  %o = tfm.matmul %p, %v : (tensor<1x4x128x128xf32>, tensor<1x4x128x64xf32>) -> tensor<1x4x128x64xf32>
  return %o : tensor<1x4x128x64xf32>
}
