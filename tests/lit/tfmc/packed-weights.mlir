// Tests that an object whose matmuls read a weight packed once comes with
// the packing entry point and a header that packs and calls with it (and
// compiles), and that --no-pack-params packs inside the call instead.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: tfmc %s --mcpu=znver4 -o %t/lm.o
// RUN: llvm-nm %t/lm.o | FileCheck %s --check-prefix=NM
// RUN: FileCheck %s < %t/lm.h
// RUN: %cxx -std=c++20 -fsyntax-only -I%tfm_src/runtime/abi/include -include %t/lm.h -x c++ /dev/null
// RUN: tfmc %s --mcpu=znver4 --no-pack-params -o %t/inline.o
// RUN: llvm-nm %t/inline.o | FileCheck %s --check-prefix=INLINE-NM
// RUN: FileCheck %s --check-prefix=INLINE < %t/inline.h
// RUN: %cxx -std=c++20 -fsyntax-only -I%tfm_src/runtime/abi/include -include %t/inline.h -x c++ /dev/null

// NM-DAG:      T _mlir_ciface_lm
// NM-DAG:      T _mlir_ciface_lm__pack
// INLINE-NM:   T _mlir_ciface_lm
// INLINE-NM-NOT: __pack

// One 32-column panel of 64 rows per 8 of the 256 columns: 8 x 64 x 32 x 4 bytes.
// CHECK:       void _mlir_ciface_lm(tfm::abi::MemRef<float, 2> *, tfm::abi::MemRef<float, 2> *, tfm::abi::MemRef<float, 2> *, tfm::abi::MemRef<std::uint8_t, 1> *{{(, tfm::abi::MemRef<std::uint8_t, 1> \*)?}});
// CHECK-NEXT:  void _mlir_ciface_lm__pack(tfm::abi::MemRef<float, 2> *, tfm::abi::MemRef<std::uint8_t, 1> *);
// CHECK:       }, {{[0-9]+}}, 65536, 0};
// CHECK:       inline constexpr std::int64_t lm_packed_bytes = 65536;
// CHECK:       inline tfm::Status lm_pack(std::span<const tfm::TensorView> params, tfm::abi::Workspace &packed) {
// CHECK:         auto q0 = tfm::abi::memref_of<float, 2>(params[0]);
// CHECK:         _mlir_ciface_lm__pack(&q0, &p);
// CHECK:       inline tfm::Status lm(std::span<const tfm::TensorView> args, tfm::abi::Workspace &packed,
// CHECK-NEXT:      tfm::abi::Workspace &workspace) {
// CHECK:         auto p = packed.view(lm_packed_bytes);
// CHECK:         _mlir_ciface_lm(&m0, &m1, &m2, &p
// CHECK:       inline tfm::Status lm(std::span<const tfm::TensorView> args, tfm::abi::Workspace &workspace) {
// CHECK:         auto q0 = tfm::abi::memref_of<float, 2>(args[1]);
// CHECK:         _mlir_ciface_lm__pack(&q0, &p);
// CHECK-NEXT:    return lm(args, packed, workspace);

// INLINE:      }, {{[0-9]+}}, 0, 0};
// INLINE-NOT:  _pack
func.func @lm(%x: tensor<4x64xf32> {tfm.input = "x"}, %w: tensor<64x256xf32> {tfm.param = "w"})
    -> (tensor<4x256xf32> {tfm.output = "logits"}) {
  %0 = tfm.matmul %x, %w : (tensor<4x64xf32>, tensor<64x256xf32>) -> tensor<4x256xf32>
  return %0 : tensor<4x256xf32>
}
