// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver5" --tfm-lower-linalg-to-llvm \
// RUN:   | FileCheck %s --implicit-check-not="{{[[:space:]](linalg|tensor|memref|bufferization|scf|cf|arith|math|vector|affine|func)\.[a-z_]+([[:space:]]+[^=[:space:]]|$)}}"

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// Tests that linalg on tensors alone (no tfm ops) lowers to the llvm dialect:
// the bias add is fused into the relu, vectorized over 64 lanes, and the
// result became an out-parameter behind a C interface wrapper; the loop is
// one kernel, which the function calls.
// CHECK-LABEL: llvm.func @bias_relu(
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK:         llvm.call @bias_relu.kernel0(
// CHECK-NOT:     llvm.call
// CHECK:       llvm.func @_mlir_ciface_bias_relu(%{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr) attributes {llvm.emit_c_interface}
// CHECK:       llvm.func @bias_relu.kernel0(
// CHECK:         %[[S:.+]] = llvm.fadd %{{.+}}, %{{.+}} : vector<64xf32>
// CHECK-NEXT:    llvm.intr.maximum(%[[S]], %{{.+}}) : (vector<64xf32>, vector<64xf32>) -> vector<64xf32>
func.func @bias_relu(%x: tensor<4x64xf32>, %b: tensor<64xf32>) -> tensor<4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64xf32>
  %s = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<4x64xf32>, tensor<64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %a = arith.addf %u, %v : f32
    linalg.yield %a : f32
  } -> tensor<4x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%u: f32, %o: f32):
    %m = arith.maximumf %u, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x64xf32>
  return %r : tensor<4x64xf32>
}
