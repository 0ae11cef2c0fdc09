// Tests that with --pack-states a training step whose matmuls read its
// weights packed comes with a packing entry point that takes its states (the
// weights it updates and their momenta), and a header whose packing and
// packed call pass them: the step packs the weights it updated into the same
// buffer itself. Without it, the step packs inside each call.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: tfmc %s --mcpu=znver3 -o %t/plain.o
// RUN: llvm-nm %t/plain.o | FileCheck %s --check-prefix=PLAIN
// RUN: tfmc %s --mcpu=znver3 --pack-states -o %t/mlp.o
// RUN: llvm-nm %t/mlp.o | FileCheck %s --check-prefix=NM
// RUN: FileCheck %s < %t/mlp.h
// RUN: %cxx -std=c++20 -fsyntax-only -I%tfm_src/runtime/abi/include -include %t/mlp.h -x c++ /dev/null

// NM-DAG:      T _mlir_ciface_mlp_train_step
// NM-DAG:      T _mlir_ciface_mlp_train_step__pack
// PLAIN:       T _mlir_ciface_mlp__pack
// PLAIN-NOT:   _mlir_ciface_mlp_train_step__pack

// The step: x, w, t, its momentum, lr, the loss; then the packed buffer and
// the workspace. Its packing: w and the momentum, then the packed buffer.
// CHECK:       void _mlir_ciface_mlp_train_step(tfm::abi::MemRef<float, 2> *, tfm::abi::MemRef<float, 2> *, tfm::abi::MemRef<std::int32_t, 1> *, tfm::abi::MemRef<float, 2> *, tfm::abi::MemRef<float, 0> *, tfm::abi::MemRef<float, 0> *, tfm::abi::MemRef<std::uint8_t, 1> *, tfm::abi::MemRef<std::uint8_t, 1> *);
// CHECK-NEXT:  void _mlir_ciface_mlp_train_step__pack(tfm::abi::MemRef<float, 2> *, tfm::abi::MemRef<float, 2> *, tfm::abi::MemRef<std::uint8_t, 1> *);
// CHECK:       {"w", tfm::Role::state, tfm::DType::f32, {256, 64}, 0},
// CHECK:       {"sgd.momentum.w", tfm::Role::state, tfm::DType::f32, {256, 64}, 0},
// CHECK:       inline tfm::Status mlp_train_step_pack(std::span<const tfm::TensorView> params, tfm::abi::Workspace &packed) {
// CHECK-NEXT:    static const tfm::Signature of_params = tfm::pack_signature(mlp_train_step_signature());
// CHECK:         auto q0 = tfm::abi::memref_of<float, 2>(params[0]);
// CHECK-NEXT:    auto q1 = tfm::abi::memref_of<float, 2>(params[1]);
// CHECK:         _mlir_ciface_mlp_train_step__pack(&q0, &q1, &p);
// The plain call packs the states among its arguments first.
// CHECK:       inline tfm::Status mlp_train_step(std::span<const tfm::TensorView> args, tfm::abi::Workspace &workspace) {
// CHECK:         auto q0 = tfm::abi::memref_of<float, 2>(args[1]);
// CHECK-NEXT:    auto q1 = tfm::abi::memref_of<float, 2>(args[3]);
// CHECK:         _mlir_ciface_mlp_train_step__pack(&q0, &q1, &p);
// CHECK-NEXT:    return mlp_train_step(args, packed, workspace);
func.func @mlp(%x: tensor<128x256xf32> {tfm.input = "x"}, %w: tensor<256x64xf32> {tfm.param = "w"},
               %t: tensor<128xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss", optimizer = "sgd"}} {
  %z = tfm.matmul %x, %w : (tensor<128x256xf32>, tensor<256x64xf32>) -> tensor<128x64xf32>
  %l = tfm.cross_entropy %z, %t : (tensor<128x64xf32>, tensor<128xi32>) -> tensor<f32>
  return %l : tensor<f32>
}
