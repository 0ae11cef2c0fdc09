// RUN: tfm-opt %s --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls --canonicalize --cse --tfm-pack-params="states=1" | FileCheck %s
// RUN: tfm-opt %s --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls --canonicalize --cse --tfm-pack-params | FileCheck %s --check-prefix=PERCALL
// RUN: tfm-opt %s --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls --canonicalize --cse --tfm-pack-params="states=1" --tfm-prepare-entry-points | FileCheck %s --check-prefix=PREPARED

// A training step's weight (a state it updates) is packed once too, and kept
// packed: the step reads the packed panels from their argument, and packs
// the updated weight into that argument before it returns (a result
// tfm.packed = 0, after every read of the argument), so that the next step
// reads it packed. @train__pack takes the states. Prepared, that result goes
// and the packed argument is written in place. Without `states`, the step
// packs its weight itself, on each call.
// CHECK-LABEL: func.func @train(
// CHECK-SAME:    %[[W:[a-z0-9]+]]: tensor<256x128xf32> {tfm.state = "w"}
// CHECK-SAME:    %[[P:[a-z0-9]+]]: tensor<4x256x32xf32> {tfm.packed = 0 : i64}
// CHECK-SAME:    -> (tensor<64x128xf32> {tfm.output = "y"}, tensor<256x128xf32> {tfm.update = "w"}, tensor<4x256x32xf32> {tfm.packed = 0 : i64})
// CHECK:         tensor.extract_slice %[[P]]
// CHECK:         %[[U:.+]] = linalg.generic {{.*}} ins(%[[W]] : tensor<256x128xf32>)
// CHECK:         %[[E:.+]] = tensor.expand_shape %[[U]]
// CHECK:         %[[R:.+]] = linalg.generic {{.*}} ins(%[[E]] : tensor<256x4x32xf32>) outs(%[[P]] : tensor<4x256x32xf32>) attrs = {tfm.pack}
// CHECK:         return %{{.+}}, %[[U]], %[[R]]
// CHECK-LABEL: func.func @train__pack(
// CHECK-SAME:    tensor<256x128xf32> {tfm.state = "w"}
// CHECK-SAME:    tensor<4x256x32xf32> {tfm.packed = 0 : i64}) -> (tensor<4x256x32xf32> {tfm.packed = 0 : i64})
// PERCALL-LABEL: func.func @train(
// PERCALL-NOT:     tfm.packed
// PERCALL:         tfm.pack
// PERCALL-NOT:   func.func @train__pack
// PREPARED-LABEL: func.func @train(
// PREPARED-SAME:    tensor<4x256x32xf32> {bufferization.writable = true, tfm.packed = 0 : i64, tfm.written})
// PREPARED-SAME:    -> (tensor<64x128xf32>, tensor<256x128xf32>)
// PREPARED:         bufferization.materialize_in_destination
// PREPARED-NOT:     bufferization.materialize_in_destination
// PREPARED:         return %{{[^,]+}}, %{{[^,]+}} :
func.func @train(%x: tensor<64x256xf32> {tfm.input = "x"}, %w: tensor<256x128xf32> {tfm.state = "w"})
    -> (tensor<64x128xf32> {tfm.output = "y"}, tensor<256x128xf32> {tfm.update = "w"}) {
  %0 = tfm.matmul %x, %w : (tensor<64x256xf32>, tensor<256x128xf32>) -> tensor<64x128xf32>
  %1 = tfm.scale %w {factor = 0.5 : f32} : tensor<256x128xf32>
  return %0, %1 : tensor<64x128xf32>, tensor<256x128xf32>
}
