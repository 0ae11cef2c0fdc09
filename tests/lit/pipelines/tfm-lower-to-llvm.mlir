// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver5" --tfm-lower-to-llvm \
// RUN:   | FileCheck %s --implicit-check-not="{{[[:space:]](tfm|linalg|tensor|memref|bufferization|scf|cf|arith|math|vector|affine|func)\.[a-z_]+([[:space:]]+[^=[:space:]]|$)}}" \
// RUN:       --implicit-check-not=memrefCopy
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver5" --tfm-lower-to-llvm="vectorize=false" \
// RUN:   | FileCheck %s --check-prefix=SCALAR
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver5" --tfm-lower-to-llvm="parallel=false" \
// RUN:   | FileCheck %s --check-prefix=SERIAL --implicit-check-not=omp.
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --tfm-lower-to-llvm --mlir-print-ir-before=finalize-memref-to-llvm 2>&1 >/dev/null \
// RUN:   | FileCheck %s --check-prefix=BUFFERS

// Tests that a projection and softmax end in the llvm dialect only: the
// result became an out-parameter (three memref descriptors in, nothing
// returned) and the temporaries a workspace after it, the C interface
// wrapper takes one pointer per tensor and one for the workspace, the
// 8x64 x 64x16 matmul is a chain of 16-lane FMAs in a kernel of its own
// (never inlined), and exp was approximated (no libm call).
// Three 2-D memref descriptors of 7 fields each (x, w and the output y),
// then the 1-D workspace's 5.
// CHECK-LABEL: llvm.func @proj(
// CHECK-SAME:    %arg14: !llvm.ptr, %arg15: !llvm.ptr, %arg16: i64, %arg17: i64, %arg18: i64, %arg19: i64, %arg20: i64,
// CHECK-SAME:    %arg21: !llvm.ptr, %arg22: !llvm.ptr, %arg23: i64, %arg24: i64, %arg25: i64)
// CHECK-SAME:    attributes {llvm.emit_c_interface} {
// CHECK:         llvm.call @proj.kernel0(
// CHECK:         llvm.return{{$}}
// CHECK:       llvm.func @_mlir_ciface_proj(%[[X:[a-z0-9]+]]: !llvm.ptr, %[[W:[a-z0-9]+]]: !llvm.ptr, %[[Y:[a-z0-9]+]]: !llvm.ptr, %[[WS:[a-z0-9]+]]: !llvm.ptr) attributes {llvm.emit_c_interface} {
// CHECK-DAG:     llvm.load %[[X]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK-DAG:     llvm.load %[[W]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK-DAG:     llvm.load %[[Y]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK-DAG:     llvm.load %[[WS]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK:         llvm.call @proj(
// CHECK:         llvm.return{{$}}
// CHECK:       llvm.func @proj.kernel{{[0-9]+}}({{.+}} attributes {no_inline, sym_visibility = "private"} {
// CHECK:         llvm.intr.{{fmuladd|fma}}({{.+}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK-NOT:     llvm.call @expf
// CHECK-NOT:     llvm.intr.exp
// CHECK:       // -----
// SCALAR-LABEL: llvm.func @proj
// SCALAR-NOT:    vector<16xf32>
// SCALAR:        llvm.return
func.func @proj(%x: tensor<8x64xf32> {tfm.input = "x"}, %w: tensor<64x16xf32> {tfm.param = "w"})
    -> (tensor<8x16xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<8x64xf32>, tensor<64x16xf32>) -> tensor<8x16xf32>
  %1 = tfm.softmax %0 {axis = -1 : i64} : tensor<8x16xf32>
  return %1 : tensor<8x16xf32>
}

// -----

// Tests that every tfm op of an attention block (embedding, layer norm,
// matmuls, head reshape and transposes, scale, softmax, relu, add, mul)
// lowers to the llvm dialect, with two outputs as two out-parameters and
// the workspace last.
// CHECK-LABEL: llvm.func @attention_block
// CHECK:       llvm.func @_mlir_ciface_attention_block(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %arg3: !llvm.ptr, %arg4: !llvm.ptr, %arg5: !llvm.ptr, %arg6: !llvm.ptr, %arg7: !llvm.ptr, %arg8: !llvm.ptr) attributes {llvm.emit_c_interface}
func.func @attention_block(%ids: tensor<1x6xi32> {tfm.input = "ids"}, %table: tensor<32x16xf32> {tfm.param = "emb"},
                           %g: tensor<16xf32> {tfm.param = "g"}, %b: tensor<16xf32> {tfm.param = "b"},
                           %wq: tensor<16x16xf32> {tfm.param = "wq"}, %wk: tensor<16x16xf32> {tfm.param = "wk"})
    -> (tensor<1x2x6x6xf32> {tfm.output = "p"}, tensor<1x6x16xf32> {tfm.output = "h"}) {
  %x = tfm.embedding %table, %ids : (tensor<32x16xf32>, tensor<1x6xi32>) -> tensor<1x6x16xf32>
  %n = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32}
      : (tensor<1x6x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x6x16xf32>
  %q = tfm.matmul %n, %wq : (tensor<1x6x16xf32>, tensor<16x16xf32>) -> tensor<1x6x16xf32>
  %k = tfm.matmul %n, %wk : (tensor<1x6x16xf32>, tensor<16x16xf32>) -> tensor<1x6x16xf32>
  %qr = tfm.reshape %q : tensor<1x6x16xf32> -> tensor<1x6x2x8xf32>
  %kr = tfm.reshape %k : tensor<1x6x16xf32> -> tensor<1x6x2x8xf32>
  %qh = tfm.transpose %qr, [0, 2, 1, 3] : tensor<1x6x2x8xf32> -> tensor<1x2x6x8xf32>
  %kh = tfm.transpose %kr, [0, 2, 1, 3] : tensor<1x6x2x8xf32> -> tensor<1x2x6x8xf32>
  %kt = tfm.transpose %kh, [0, 1, 3, 2] : tensor<1x2x6x8xf32> -> tensor<1x2x8x6xf32>
  %s = tfm.matmul %qh, %kt : (tensor<1x2x6x8xf32>, tensor<1x2x8x6xf32>) -> tensor<1x2x6x6xf32>
  %ss = tfm.scale %s {factor = 0.353553385 : f32} : tensor<1x2x6x6xf32>
  %p = tfm.softmax %ss {axis = -1 : i64} : tensor<1x2x6x6xf32>
  %r = tfm.relu %n : tensor<1x6x16xf32>
  %h = tfm.add %r, %x : (tensor<1x6x16xf32>, tensor<1x6x16xf32>) -> tensor<1x6x16xf32>
  %h2 = tfm.mul %h, %g : (tensor<1x6x16xf32>, tensor<16xf32>) -> tensor<1x6x16xf32>
  return %p, %h2 : tensor<1x2x6x6xf32>, tensor<1x6x16xf32>
}

// -----

// Tests that a private helper is lowered but gets no C interface wrapper.
// CHECK-LABEL: llvm.func @public_entry
// CHECK:       llvm.func @_mlir_ciface_public_entry
// CHECK-LABEL: llvm.func @private_helper
// CHECK-NOT:     llvm.emit_c_interface
// CHECK-NOT:   llvm.func @_mlir_ciface_private_helper
func.func @public_entry(%x: tensor<4x16xf32> {tfm.input = "x"}) -> (tensor<4x16xf32> {tfm.output = "y"}) {
  %0 = tfm.relu %x : tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}
func.func private @private_helper(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = tfm.relu %x : tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Tests that returning a slice of an input (a strided view) and a rope output
// (halves inserted into a new tensor) lowers fully, the copies into the
// out-parameters as loops: no call to memrefCopy, which neither objects nor
// the JIT link. The rope cos and sin tables [T, D/2] = [6, 4] became
// constant globals.
// CHECK:       llvm.mlir.global private constant @{{.+}}(dense<{{.+}}> : tensor<6x4xf32>)
// CHECK:       llvm.mlir.global private constant @{{.+}}(dense<{{.+}}> : tensor<6x4xf32>)
// CHECK-LABEL: llvm.func @slice_rope(
// CHECK-NOT:     memrefCopy
// CHECK:         llvm.return{{$}}
// CHECK:       llvm.func @_mlir_ciface_slice_rope(%{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr) attributes {llvm.emit_c_interface}
// CHECK-NOT:     memrefCopy
// SCALAR-LABEL: llvm.func @slice_rope
// SCALAR-NOT:    memrefCopy
// SCALAR:        llvm.return
func.func @slice_rope(%table: tensor<16x8xf32> {tfm.input = "table"}, %q: tensor<1x2x6x8xf32> {tfm.input = "q"})
    -> (tensor<6x8xf32> {tfm.output = "pos"}, tensor<1x2x6x8xf32> {tfm.output = "q_rot"}) {
  %0 = tfm.slice %table [2, 0] : tensor<16x8xf32> -> tensor<6x8xf32>
  %1 = tfm.rope %q {offset = 2 : i64} : tensor<1x2x6x8xf32>
  return %0, %1 : tensor<6x8xf32>, tensor<1x2x6x8xf32>
}

// -----

// Tests that the position, normalization and masking ops (sinusoidal_positions,
// slice, rms_norm, gelu with erf and with tanh, rope, log_softmax, mask with
// lengths and causal) lower to the llvm dialect, with or without vectors,
// and that erf, tanh, log and exp are approximated inline (no libm call or
// intrinsic).
// CHECK-LABEL: llvm.func @decoder_ops(
// CHECK-NOT:     llvm.call @{{(erf|tanh|log|exp)}}
// CHECK-NOT:     llvm.intr.{{(tanh|log|exp)}}
// CHECK:         llvm.return{{$}}
// CHECK:       llvm.func @_mlir_ciface_decoder_ops(
// SCALAR-LABEL: llvm.func @decoder_ops(
// SCALAR-NOT:    llvm.call @{{(erf|tanh|log|exp)}}
// SCALAR-NOT:    llvm.intr.{{(tanh|log|exp)}}
// SCALAR:        llvm.return
func.func @decoder_ops(%x: tensor<2x6x16xf32> {tfm.input = "x"}, %table: tensor<32x16xf32> {tfm.param = "table"},
                   %g: tensor<16xf32> {tfm.param = "g"}, %s: tensor<2x4x6x6xf32> {tfm.input = "s"},
                   %len: tensor<2xi32> {tfm.input = "len"})
    -> (tensor<2x6x16xf32> {tfm.output = "h"}, tensor<2x4x6x6xf32> {tfm.output = "p"}) {
  %pe = tfm.sinusoidal_positions {offset = 1 : i64} : tensor<6x16xf32>
  %learned = tfm.slice %table [3, 0] : tensor<32x16xf32> -> tensor<6x16xf32>
  %0 = tfm.add %x, %pe : (tensor<2x6x16xf32>, tensor<6x16xf32>) -> tensor<2x6x16xf32>
  %1 = tfm.add %0, %learned : (tensor<2x6x16xf32>, tensor<6x16xf32>) -> tensor<2x6x16xf32>
  %2 = tfm.rms_norm %1, %g {epsilon = 1.0e-6 : f32} : (tensor<2x6x16xf32>, tensor<16xf32>) -> tensor<2x6x16xf32>
  %3 = tfm.gelu %2 : tensor<2x6x16xf32>
  %4 = tfm.gelu %3 {approximate = "tanh"} : tensor<2x6x16xf32>
  %5 = tfm.rope %4 {base = 5.0e+05 : f32} : tensor<2x6x16xf32>
  %6 = tfm.log_softmax %5 {axis = -1 : i64} : tensor<2x6x16xf32>
  %m = tfm.mask %s, %len {causal} : (tensor<2x4x6x6xf32>, tensor<2xi32>) -> tensor<2x4x6x6xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x6x6xf32>
  return %6, %p : tensor<2x6x16xf32>, tensor<2x4x6x6xf32>
}

// -----

// Tests that f64 GELU, which has no polynomial approximation, lowers to libm
// calls (erf, tanh) rather than leaving math ops behind.
// CHECK-LABEL: llvm.func @gelu_f64
// CHECK-DAG:     llvm.call @erf(
// CHECK-DAG:     llvm.call @tanh(
func.func @gelu_f64(%x: tensor<4x16xf64>) -> (tensor<4x16xf64>, tensor<4x16xf64>) {
  %0 = tfm.gelu %x : tensor<4x16xf64>
  %1 = tfm.gelu %x {approximate = "tanh"} : tensor<4x16xf64>
  return %0, %1 : tensor<4x16xf64>, tensor<4x16xf64>
}

// -----

// Tests that an op over an empty tensor lowers (it is left untiled).
// CHECK-LABEL: llvm.func @relu_empty
func.func @relu_empty(%x: tensor<6x0xf32>) -> tensor<6x0xf32> {
  %0 = tfm.relu %x : tensor<6x0xf32>
  return %0 : tensor<6x0xf32>
}

// -----

// Tests that unfused causal attention (QK^T, scale, mask, softmax, PV) over
// Tq = Tk = 256 is fused by the pipeline and ends in the llvm dialect, its two
// parallel loops (K transposed by tiles, then batch x head x query tile) as
// OpenMP parallel regions in which each thread runs a block of iterations;
// that no buffer holds the [256, 256] scores (only tiles, checked on the
// buffers just before they become llvm structs, each on its thread's stack:
// allocated once per thread in the region, before its loop over its
// iterations); and that with parallel=false no OpenMP op is left in any case
// of this file.
// CHECK-LABEL: llvm.func @attention_fused(
// CHECK:         llvm.call @attention_fused.kernel0(
// CHECK:         llvm.call @attention_fused.kernel1(
// CHECK:         llvm.return{{$}}
// CHECK:       llvm.func @_mlir_ciface_attention_fused(
// CHECK:       llvm.func @attention_fused.kernel0(
// CHECK:         omp.parallel {
// CHECK-NEXT:      llvm.call @omp_get_thread_num()
// CHECK:           llvm.call @omp_get_num_threads()
// CHECK:       llvm.func @attention_fused.kernel1(
// CHECK:         omp.parallel {
// CHECK-NEXT:      llvm.call @omp_get_thread_num()
// CHECK:           llvm.call @omp_get_num_threads()
// CHECK-NOT:       ^bb
// CHECK:           llvm.alloca
// BUFFERS-LABEL: func.func @attention_fused(
// BUFFERS-NOT:     256x256
// BUFFERS:         memref.alloca() {{.*}} : memref<32x64xf32>
// BUFFERS-NOT:     256x256
// SERIAL-LABEL: llvm.func @attention_fused(
// SERIAL:         llvm.return{{$}}
func.func @attention_fused(%q: tensor<1x2x256x64xf32> {tfm.input = "q"}, %k: tensor<1x2x256x64xf32> {tfm.input = "k"},
                           %v: tensor<1x2x256x64xf32> {tfm.input = "v"})
    -> (tensor<1x2x256x64xf32> {tfm.output = "o"}) {
  %kt = tfm.transpose %k, [0, 1, 3, 2] : tensor<1x2x256x64xf32> -> tensor<1x2x64x256xf32>
  %s = tfm.matmul %q, %kt : (tensor<1x2x256x64xf32>, tensor<1x2x64x256xf32>) -> tensor<1x2x256x256xf32>
  %c = tfm.scale %s {factor = 0.125 : f32} : tensor<1x2x256x256xf32>
  %m = tfm.mask %c {causal} : (tensor<1x2x256x256xf32>) -> tensor<1x2x256x256xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<1x2x256x256xf32>
  %o = tfm.matmul %p, %v : (tensor<1x2x256x256xf32>, tensor<1x2x256x64xf32>) -> tensor<1x2x256x64xf32>
  return %o : tensor<1x2x256x64xf32>
}
