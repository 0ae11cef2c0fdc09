// Tests that tfmc compiles a model using gelu, log_softmax, rms_norm, mask,
// rope, sinusoidal_positions and slice into an object that exports its entry
// point and needs nothing from MLIR's runner libraries, libm or the heap (no
// memrefCopy, no erff, tanhf, logf or expf, no malloc: its temporaries are
// planned into the workspace the header passes), with a header that
// compiles.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: tfmc %s -o %t/decoder.o
// RUN: llvm-nm %t/decoder.o | FileCheck %s --check-prefix=NM
// RUN: llvm-nm --undefined-only %t/decoder.o | FileCheck %s --check-prefix=UNDEF \
// RUN:   --implicit-check-not=memrefCopy --implicit-check-not="{{(erf|tanh|log|exp)f}}" \
// RUN:   --implicit-check-not=malloc --implicit-check-not=free
// RUN: FileCheck %s --check-prefix=HEADER < %t/decoder.h
// RUN: %cxx -std=c++20 -fsyntax-only -I%tfm_src/runtime/abi/include -include %t/decoder.h -x c++ /dev/null

// NM:          T _mlir_ciface_decoder
// UNDEF:       U memset
// HEADER:      //   decoder(ids: i32[2x6] input, lengths: i32[2] input, emb: f32[32x16] param, pos: f32[64x16] param, g: f32[16] param, wq: f32[16x16] param, wk: f32[16x16] param, wo: f32[16x32] param, logprobs: f32[2x6x32] output, attn: f32[2x2x6x6] output)
// HEADER:      void _mlir_ciface_decoder(tfm::abi::MemRef<std::int32_t, 2> *, tfm::abi::MemRef<std::int32_t, 1> *,
// HEADER-SAME:   tfm::abi::MemRef<float, 4> *, tfm::abi::MemRef<std::uint8_t, 1> *);
// HEADER:      inline constexpr std::int64_t decoder_workspace_bytes = {{[1-9][0-9]*}};
func.func @decoder(%ids: tensor<2x6xi32> {tfm.input = "ids"}, %len: tensor<2xi32> {tfm.input = "lengths"},
                   %emb: tensor<32x16xf32> {tfm.param = "emb"}, %pos: tensor<64x16xf32> {tfm.param = "pos"},
                   %g: tensor<16xf32> {tfm.param = "g"}, %wq: tensor<16x16xf32> {tfm.param = "wq"},
                   %wk: tensor<16x16xf32> {tfm.param = "wk"}, %wo: tensor<16x32xf32> {tfm.param = "wo"})
    -> (tensor<2x6x32xf32> {tfm.output = "logprobs"}, tensor<2x2x6x6xf32> {tfm.output = "attn"}) {
  %x = tfm.embedding %emb, %ids : (tensor<32x16xf32>, tensor<2x6xi32>) -> tensor<2x6x16xf32>
  %p = tfm.slice %pos [0, 0] : tensor<64x16xf32> -> tensor<6x16xf32>
  %pe = tfm.sinusoidal_positions : tensor<6x16xf32>
  %x1 = tfm.add %x, %p : (tensor<2x6x16xf32>, tensor<6x16xf32>) -> tensor<2x6x16xf32>
  %x2 = tfm.add %x1, %pe : (tensor<2x6x16xf32>, tensor<6x16xf32>) -> tensor<2x6x16xf32>
  %n = tfm.rms_norm %x2, %g {epsilon = 1.0e-6 : f32} : (tensor<2x6x16xf32>, tensor<16xf32>) -> tensor<2x6x16xf32>
  %q = tfm.matmul %n, %wq : (tensor<2x6x16xf32>, tensor<16x16xf32>) -> tensor<2x6x16xf32>
  %k = tfm.matmul %n, %wk : (tensor<2x6x16xf32>, tensor<16x16xf32>) -> tensor<2x6x16xf32>
  %qr = tfm.reshape %q : tensor<2x6x16xf32> -> tensor<2x6x2x8xf32>
  %kr = tfm.reshape %k : tensor<2x6x16xf32> -> tensor<2x6x2x8xf32>
  %qh = tfm.transpose %qr, [0, 2, 1, 3] : tensor<2x6x2x8xf32> -> tensor<2x2x6x8xf32>
  %kh = tfm.transpose %kr, [0, 2, 1, 3] : tensor<2x6x2x8xf32> -> tensor<2x2x6x8xf32>
  %qp = tfm.rope %qh : tensor<2x2x6x8xf32>
  %kp = tfm.rope %kh : tensor<2x2x6x8xf32>
  %s = tfm.matmul %qp, %kp {transpose_b} : (tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>) -> tensor<2x2x6x6xf32>
  %ss = tfm.scale %s {factor = 0.353553385 : f32} : tensor<2x2x6x6xf32>
  %m = tfm.mask %ss, %len {causal} : (tensor<2x2x6x6xf32>, tensor<2xi32>) -> tensor<2x2x6x6xf32>
  %a = tfm.softmax %m {axis = -1 : i64} : tensor<2x2x6x6xf32>
  %h = tfm.gelu %n {approximate = "tanh"} : tensor<2x6x16xf32>
  %h2 = tfm.gelu %h : tensor<2x6x16xf32>
  %l = tfm.matmul %h2, %wo : (tensor<2x6x16xf32>, tensor<16x32xf32>) -> tensor<2x6x32xf32>
  %lp = tfm.log_softmax %l {axis = -1 : i64} : tensor<2x6x32xf32>
  return %lp, %a : tensor<2x6x32xf32>, tensor<2x2x6x6xf32>
}
