// RUN: tfm-opt %s --split-input-file --tfm-prepare-entry-points | FileCheck %s

// Tests that a public model function gets the C interface, read-only
// arguments, and loses its tfm.input / tfm.param / tfm.output names.
// CHECK-LABEL: func.func @prepare_public_model
// CHECK-SAME:    (%{{.+}}: tensor<6x8xf32> {bufferization.writable = false}, %{{.+}}: tensor<8x8xf32> {bufferization.writable = false})
// CHECK-SAME:    -> tensor<6x8xf32> attributes {llvm.emit_c_interface}
// CHECK-NOT:     tfm.input
// CHECK-NOT:     tfm.param
// CHECK-NOT:     tfm.output
// CHECK:         return
func.func @prepare_public_model(%x: tensor<6x8xf32> {tfm.input = "x"}, %w: tensor<8x8xf32> {tfm.param = "w"})
    -> (tensor<6x8xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<6x8xf32>, tensor<8x8xf32>) -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that other argument attributes survive, and that a public function
// without names is prepared too.
// CHECK-LABEL: func.func @prepare_keep_other_attrs
// CHECK-SAME:    (%{{.+}}: tensor<4xf32> {bufferization.writable = false, test.keep})
// CHECK-SAME:    attributes {llvm.emit_c_interface}
func.func @prepare_keep_other_attrs(%x: tensor<4xf32> {tfm.input = "x", test.keep}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// Tests that a public function without arguments still gets the C interface.
// CHECK-LABEL: func.func @prepare_no_args()
// CHECK-SAME:    attributes {llvm.emit_c_interface}
func.func @prepare_no_args() {
  return
}

// -----

// Tests that a private function is untouched, names included.
// CHECK-LABEL: func.func private @negative_prepare_private
// CHECK-SAME:    (%{{.+}}: tensor<6x8xf32> {tfm.input = "x"}) -> (tensor<6x8xf32> {tfm.output = "y"})
// CHECK-NOT:     llvm.emit_c_interface
// CHECK-NOT:     bufferization.writable
// CHECK:         return
func.func private @negative_prepare_private(%x: tensor<6x8xf32> {tfm.input = "x"}) -> (tensor<6x8xf32> {tfm.output = "y"}) {
  return %x : tensor<6x8xf32>
}

// -----

// Tests that an external declaration is untouched.
// CHECK:       func.func private @negative_prepare_external(tensor<6x8xf32> {tfm.input = "x"}) -> (tensor<6x8xf32> {tfm.output = "y"})
// CHECK-NOT:   llvm.emit_c_interface
func.func private @negative_prepare_external(tensor<6x8xf32> {tfm.input = "x"}) -> (tensor<6x8xf32> {tfm.output = "y"})

// -----

// Tests that the packing entry point of tfm-pack-params (tfm.packs) gets
// writable tfm.packed arguments, marked tfm.written, its params stay
// read-only, and its results go (bufferization then writes the packed
// arguments in place), while the entry point it packs for reads its packed
// argument read-only.
// CHECK-LABEL: func.func @packed_entry(
// CHECK-SAME:    %{{.+}}: tensor<4x8xf32> {bufferization.writable = false, tfm.packed = 0 : i64}
// CHECK-LABEL: func.func @packed_entry__pack(
// CHECK-SAME:    %{{.+}}: tensor<8x4xf32> {bufferization.writable = false}
// CHECK-SAME:    %{{.+}}: tensor<4x8xf32> {bufferization.writable = true, tfm.packed = 0 : i64, tfm.written})
// CHECK-SAME:    attributes {llvm.emit_c_interface, tfm.packs = "packed_entry"}
// CHECK-NEXT:    %[[T:.+]] = linalg.transpose
// CHECK-NEXT:    return{{$}}
func.func @packed_entry(%x: tensor<4xf32> {tfm.input = "x"}, %w: tensor<8x4xf32> {tfm.param = "w"},
                        %p: tensor<4x8xf32> {tfm.packed = 0 : i64}) -> (tensor<4x8xf32> {tfm.output = "y"}) {
  %0 = tensor.empty() : tensor<4x8xf32>
  %1 = linalg.copy ins(%p : tensor<4x8xf32>) outs(%0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}
func.func @packed_entry__pack(%w: tensor<8x4xf32> {tfm.param = "w"}, %p: tensor<4x8xf32> {tfm.packed = 0 : i64})
    -> (tensor<4x8xf32> {tfm.packed = 0 : i64}) attributes {tfm.packs = "packed_entry"} {
  %0 = linalg.transpose ins(%w : tensor<8x4xf32>) outs(%p : tensor<4x8xf32>) permutation = [1, 0]
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that a training step that packs its updated weight again (a result
// tfm.packed = 0, tfm-pack-params) writes it in its packed argument in place:
// the argument becomes writable and tfm.written, the result goes (not
// materialized: it reads the argument before), while the state's update is
// materialized in the state and the loss stays a result.
// CHECK-LABEL: func.func @repacking_step(
// CHECK-SAME:    %[[W:[a-z0-9]+]]: tensor<8x4xf32> {bufferization.writable = true}
// CHECK-SAME:    %[[P:[a-z0-9]+]]: tensor<4x8xf32> {bufferization.writable = true, tfm.packed = 0 : i64, tfm.written})
// CHECK-SAME:    -> (tensor<4x8xf32>, tensor<8x4xf32>)
// CHECK:         %[[U:.+]] = linalg.transpose ins(%[[P]] : tensor<4x8xf32>)
// CHECK:         linalg.transpose ins(%[[U]] : tensor<8x4xf32>) outs(%[[P]] : tensor<4x8xf32>)
// CHECK:         %[[M:.+]] = bufferization.materialize_in_destination %[[U]] in %[[W]]
// CHECK-NEXT:    return %{{.+}}, %[[M]] : tensor<4x8xf32>, tensor<8x4xf32>
func.func @repacking_step(%w: tensor<8x4xf32> {tfm.state = "w"}, %p: tensor<4x8xf32> {tfm.packed = 0 : i64})
    -> (tensor<4x8xf32> {tfm.output = "y"}, tensor<8x4xf32> {tfm.update = "w"}, tensor<4x8xf32> {tfm.packed = 0 : i64}) {
  %e = tensor.empty() : tensor<8x4xf32>
  %u = linalg.transpose ins(%p : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
  %y = tensor.empty() : tensor<4x8xf32>
  %c = linalg.copy ins(%p : tensor<4x8xf32>) outs(%y : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = linalg.transpose ins(%u : tensor<8x4xf32>) outs(%p : tensor<4x8xf32>) permutation = [1, 0]
  return %c, %u, %r : tensor<4x8xf32>, tensor<8x4xf32>, tensor<4x8xf32>
}
