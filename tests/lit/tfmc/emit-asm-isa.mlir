// Tests that the matmul micro-kernel is code for the CPU named, whatever
// the host: for each ISA the register block's accumulators stay in that
// ISA's vector registers and the inner loop is broadcast + packed FMA (zmm
// on AVX-512 CPUs, ymm on AVX2 ones, xmm multiply + add on plain SSE2,
// fmla on Arm's NEON); --no-vectorize gives no packed FMA. A 256 x 256 x
// 256 matmul takes the packed, blocked path (tfm-tile-matmuls).
// RUN: tfmc %s --emit=asm --mcpu=znver4 | FileCheck %s --check-prefix=AVX512
// RUN: tfmc %s --emit=asm --mcpu=skylake-avx512 | FileCheck %s --check-prefix=AVX512
// RUN: tfmc %s --emit=asm --mcpu=znver5 | FileCheck %s --check-prefix=AVX512
// RUN: tfmc %s --emit=asm --mcpu=znver3 | FileCheck %s --check-prefix=AVX2
// RUN: tfmc %s --emit=asm --mcpu=x86-64-v3 | FileCheck %s --check-prefix=AVX2
// RUN: tfmc %s --emit=asm --mcpu=haswell | FileCheck %s --check-prefix=AVX2
// RUN: tfmc %s --emit=asm --mcpu=znver4 --mattr=-avx512f | FileCheck %s --check-prefix=AVX2
// RUN: tfmc %s --emit=asm --mcpu=x86-64 | FileCheck %s --check-prefix=SSE
// RUN: tfmc %s --emit=asm --target=aarch64-linux-gnu --mcpu=neoverse-n1 | FileCheck %s --check-prefix=NEON
// RUN: tfmc %s --emit=asm --mcpu=znver4 --no-vectorize | FileCheck %s --check-prefix=NOVEC
// An object for another architecture builds on any host, with its header.
// RUN: rm -rf %t && mkdir -p %t
// RUN: tfmc %s --target=aarch64-linux-gnu --mcpu=neoverse-n1 -o %t/proj.o
// RUN: llvm-readelf -h %t/proj.o | FileCheck %s --check-prefix=ELF
// RUN: test -s %t/proj.h
// ELF: Machine: AArch64

// AVX512-LABEL: _mlir_ciface_proj:
// AVX512-LABEL: proj.kernel{{[0-9]+}}..omp_par:
// AVX512:         vbroadcastss {{.*}}%zmm{{[0-9]+}}
// AVX512:         vfmadd231ps {{.*}}%zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// AVX512-NOT:     %ymm

// AVX2-LABEL:   _mlir_ciface_proj:
// AVX2-LABEL:   proj.kernel{{[0-9]+}}..omp_par:
// AVX2:           vbroadcastss {{.*}}%ymm{{[0-9]+}}
// AVX2:           vfmadd231ps {{.*}}%ymm{{[0-9]+}}, %ymm{{[0-9]+}}
// AVX2-NOT:       %zmm

// SSE-LABEL:    _mlir_ciface_proj:
// SSE-LABEL:    proj.kernel{{[0-9]+}}..omp_par:
// SSE-NOT:        vfmadd
// SSE:            mulps {{.*}}%xmm{{[0-9]+}}
// SSE:            addps {{.*}}%xmm{{[0-9]+}}
// SSE-NOT:        %ymm

// NEON-LABEL:   _mlir_ciface_proj:
// NEON-LABEL:   proj.kernel{{[0-9]+}}..omp_par:
// NEON:           fmla v{{[0-9]+}}.4s, v{{[0-9]+}}.4s, v{{[0-9]+}}.s[{{[0-9]}}]

// NOVEC-LABEL:  _mlir_ciface_proj:
// NOVEC-NOT:      vfmadd{{[0-9]+}}ps {{.*}}%zmm
func.func @proj(%x: tensor<256x256xf32> {tfm.input = "x"}, %w: tensor<256x256xf32> {tfm.param = "w"})
    -> (tensor<256x256xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  return %0 : tensor<256x256xf32>
}
