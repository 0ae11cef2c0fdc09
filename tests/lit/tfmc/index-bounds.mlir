// Tests that an integer input used as the token ids of an embedding (or of
// its gradient, in a training step) carries its table's row count in the
// signature, so that a call checks each id: in the header, the bound follows
// the shape, and TFM_CHECK_INDICES (default true) turns the scan off.
// A run of the check is in tests/unit/hostile_inputs_test.cpp.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: tfmc %s -o %t/embed.o
// RUN: FileCheck %s < %t/embed.h
// RUN: %cxx -std=c++20 -fsyntax-only -I%tfm_src/runtime/abi/include -include %t/embed.h -x c++ /dev/null
// RUN: %cxx -std=c++20 -fsyntax-only -DTFM_CHECK_INDICES=false -I%tfm_src/runtime/abi/include -include %t/embed.h -x c++ /dev/null

// CHECK:      #ifndef TFM_CHECK_INDICES
// CHECK-NEXT: #define TFM_CHECK_INDICES true
// CHECK:      static const tfm::Signature sig{"embed", {
// CHECK-NEXT:   {"ids", tfm::Role::input, tfm::DType::i32, {2, 3}, 5},
// CHECK-NEXT:   {"pos", tfm::Role::input, tfm::DType::i64, {3}, 7},
// CHECK-NEXT:   {"n", tfm::Role::input, tfm::DType::i32, {2}, 0},
// CHECK-NEXT:   {"t", tfm::Role::input, tfm::DType::i32, {6}, 0},
// CHECK-NEXT:   {"table", tfm::Role::param, tfm::DType::f32, {5, 4}, 0},
// CHECK-NEXT:   {"positions", tfm::Role::param, tfm::DType::f32, {7, 4}, 0},
// CHECK:      tfm::check_call(embed_signature(), args, TFM_CHECK_INDICES)
// CHECK:      static const tfm::Signature sig{"embed_grad", {
// CHECK-NEXT:   {"ids", tfm::Role::input, tfm::DType::i32, {2, 3}, 5},
// CHECK:      static const tfm::Signature sig{"embed_train_step", {
// CHECK-NEXT:   {"ids", tfm::Role::input, tfm::DType::i32, {2, 3}, 5},

func.func @embed(%ids: tensor<2x3xi32> {tfm.input = "ids"},
                 %pos: tensor<3xi64> {tfm.input = "pos"},
                 %n: tensor<2xi32> {tfm.input = "n"},
                 %t: tensor<6xi32> {tfm.input = "t"},
                 %table: tensor<5x4xf32> {tfm.param = "table"},
                 %positions: tensor<7x4xf32> {tfm.param = "positions"})
    -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {loss = "loss", optimizer = "sgd"}} {
  %e = tfm.embedding %table, %ids : (tensor<5x4xf32>, tensor<2x3xi32>) -> tensor<2x3x4xf32>
  %p = tfm.embedding %positions, %pos : (tensor<7x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  %h = tfm.add %e, %p : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  %r = tfm.reshape %h : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %l = tfm.cross_entropy %r, %t : (tensor<6x4xf32>, tensor<6xi32>) -> tensor<f32>
  return %l : tensor<f32>
}
