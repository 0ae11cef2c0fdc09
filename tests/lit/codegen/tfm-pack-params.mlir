// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls="params-packed-once=1" --canonicalize --cse --tfm-pack-params | FileCheck %s
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls --canonicalize --cse | FileCheck %s --check-prefix=PERCALL
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls="params-packed-once=1" --canonicalize --cse --tfm-pack-params --tfm-prepare-entry-points | FileCheck %s --check-prefix=PREPARED
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls="params-packed-once=1" --canonicalize --cse --tfm-pack-params="states=1" | FileCheck %s --check-prefix=STATES
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls="params-packed-once=1" --canonicalize --cse --tfm-pack-params="states=1" --tfm-prepare-entry-points | FileCheck %s --check-prefix=STATES-PREPARED

// A decoding step's matmul (one row) by a weight: its pack moves into
// @step__pack, which writes it into its own argument, and @step reads the
// packed panels from an argument of its own. The state's and the input's
// matmuls (one row: a pack of a weight that is not a param, packed once,
// does not pay) read theirs in place. Without params-packed-once, one row
// does not pay for a pack of any: no pack at all.
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[W:[a-z0-9]+]]: tensor<256x128xf32> {tfm.param = "w"}
// CHECK-SAME:    %[[P:[a-z0-9]+]]: tensor<4x256x32xf32> {tfm.packed = 0 : i64}
// CHECK-NOT:     tfm.pack
// CHECK:         scf.forall
// CHECK:           tensor.extract_slice %[[P]]
// CHECK:         return
// CHECK-LABEL: func.func @step__pack(
// CHECK-SAME:    %[[PW:[a-z0-9]+]]: tensor<256x128xf32> {tfm.param = "w"}
// CHECK-SAME:    %[[OUT:[a-z0-9]+]]: tensor<4x256x32xf32> {tfm.packed = 0 : i64}
// CHECK-SAME:    -> (tensor<4x256x32xf32> {tfm.packed = 0 : i64}) attributes {tfm.packs = "step"}
// CHECK:         %[[E:.+]] = tensor.expand_shape %[[PW]]
// CHECK:         %[[R:.+]] = linalg.generic {{.*}} ins(%[[E]] : tensor<256x4x32xf32>) outs(%[[OUT]] : tensor<4x256x32xf32>) attrs = {tfm.pack}
// CHECK:         return %[[R]]
// PERCALL-LABEL: func.func @step(
// PERCALL-NOT:   tfm.pack
// PERCALL-NOT:   scf.forall
// PERCALL-NOT:   func.func @step__pack
// PERCALL:       return
// PREPARED-LABEL: func.func @step__pack(
// PREPARED-SAME:    {bufferization.writable = true, tfm.packed = 0 : i64, tfm.written})
// PREPARED-SAME:    attributes {llvm.emit_c_interface, tfm.packs = "step"}
// PREPARED:         return{{$}}
func.func @step(%x: tensor<1x256xf32> {tfm.input = "x"}, %w: tensor<256x128xf32> {tfm.param = "w"},
                %s: tensor<128x128xf32> {tfm.state = "s"}, %y: tensor<128x64xf32> {tfm.input = "y"})
    -> (tensor<1x64xf32> {tfm.output = "out"}) {
  %0 = tfm.matmul %x, %w : (tensor<1x256xf32>, tensor<256x128xf32>) -> tensor<1x128xf32>
  %1 = tfm.matmul %0, %s : (tensor<1x128xf32>, tensor<128x128xf32>) -> tensor<1x128xf32>
  %2 = tfm.matmul %1, %y : (tensor<1x128xf32>, tensor<128x64xf32>) -> tensor<1x64xf32>
  return %2 : tensor<1x64xf32>
}

// -----

// One weight read by two matmuls in one layout (tied weights) is packed
// once; read transposed too, it is packed in that layout as well. A weight
// with a column edge (N = 136 = 4 x 32 + 8) is packed whole panels first,
// then the edge panel, both into their parts of one argument.
// PERCALL-LABEL: func.func @tied(
// CHECK-LABEL: func.func @tied(
// CHECK-SAME:    tensor<4x256x32xf32> {tfm.packed = 0 : i64}
// CHECK-SAME:    tensor<8x128x32xf32> {tfm.packed = 1 : i64}
// CHECK-SAME:    tensor<5x128x32xf32> {tfm.packed = 2 : i64}
// CHECK-SAME:    -> (
// CHECK-LABEL: func.func @tied__pack(
// CHECK-SAME:    %[[W:[a-z0-9]+]]: tensor<256x128xf32> {tfm.param = "w"}
// CHECK-SAME:    %[[V:[a-z0-9]+]]: tensor<128x136xf32> {tfm.param = "v"}
// CHECK-SAME:    %[[OUT0:[a-z0-9]+]]: tensor<4x256x32xf32> {tfm.packed = 0 : i64}
// CHECK-SAME:    %[[OUT1:[a-z0-9]+]]: tensor<8x128x32xf32> {tfm.packed = 1 : i64}
// CHECK-SAME:    %[[OUT2:[a-z0-9]+]]: tensor<5x128x32xf32> {tfm.packed = 2 : i64}
// CHECK:         outs(%[[OUT0]] : tensor<4x256x32xf32>) attrs = {tfm.pack}
// CHECK:         ins(%{{.+}} : tensor<8x32x128xf32>) outs(%[[OUT1]] : tensor<8x128x32xf32>) attrs = {tfm.pack}
// CHECK:         %[[PART:.+]] = tensor.extract_slice %[[OUT2]][0, 0, 0] [4, 128, 32]
// CHECK:         %[[WHOLE:.+]] = linalg.generic {{.*}} outs(%[[PART]] : tensor<4x128x32xf32>) attrs = {tfm.pack}
// CHECK:         %[[IN:.+]] = tensor.insert_slice %[[WHOLE]] into %[[OUT2]]
// CHECK:         %[[EDGE:.+]] = tensor.extract_slice %[[IN]][4, 0, 0] [1, 128, 8]
// CHECK:         %[[COPY:.+]] = linalg.copy {tfm.pack} ins(%{{.+}} : tensor<128x8xf32>) outs(%[[EDGE]] : tensor<128x8xf32>)
// CHECK:         tensor.insert_slice %[[COPY]] into %[[IN]][4, 0, 0] [1, 128, 8]
// CHECK-NOT:     tfm.pack
// CHECK:         return
func.func @tied(%x: tensor<64x256xf32> {tfm.input = "x"}, %h: tensor<64x128xf32> {tfm.input = "h"},
                %x2: tensor<64x256xf32> {tfm.input = "x2"},
                %w: tensor<256x128xf32> {tfm.param = "w"}, %v: tensor<128x136xf32> {tfm.param = "v"})
    -> (tensor<64x128xf32> {tfm.output = "a"}, tensor<64x256xf32> {tfm.output = "b"},
        tensor<64x136xf32> {tfm.output = "c"}, tensor<64x128xf32> {tfm.output = "d"}) {
  %0 = tfm.matmul %x, %w : (tensor<64x256xf32>, tensor<256x128xf32>) -> tensor<64x128xf32>
  %1 = tfm.matmul %h, %w {transpose_b} : (tensor<64x128xf32>, tensor<256x128xf32>) -> tensor<64x256xf32>
  %2 = tfm.matmul %h, %v : (tensor<64x128xf32>, tensor<128x136xf32>) -> tensor<64x136xf32>
  %3 = tfm.matmul %x2, %w : (tensor<64x256xf32>, tensor<256x128xf32>) -> tensor<64x128xf32>
  return %0, %1, %2, %3 : tensor<64x128xf32>, tensor<64x256xf32>, tensor<64x136xf32>, tensor<64x128xf32>
}

// -----

// A weight of one panel, which the loops read through a slice (hoisted out
// of them): the whole pack is packed once, the slice stays in @panel.
// CHECK-LABEL: func.func @panel(
// CHECK-SAME:    %[[P:[a-z0-9]+]]: tensor<1x128x32xf32> {tfm.packed = 0 : i64}
// CHECK:         tensor.extract_slice %[[P]][0, 0, 0] [1, 128, 32] [1, 1, 1] : tensor<1x128x32xf32> to tensor<128x32xf32>
// CHECK-LABEL: func.func @panel__pack(
// CHECK-SAME:    %[[OUT:[a-z0-9]+]]: tensor<1x128x32xf32> {tfm.packed = 0 : i64}) -> (tensor<1x128x32xf32> {tfm.packed = 0 : i64})
// CHECK:         %[[R:.+]] = linalg.generic {{.*}} outs(%[[OUT]] : tensor<1x128x32xf32>) attrs = {tfm.pack}
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      linalg.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]
func.func @panel(%x: tensor<64x128xf32> {tfm.input = "x"}, %w: tensor<128x32xf32> {tfm.param = "w"})
    -> (tensor<64x32xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<64x128xf32>, tensor<128x32xf32>) -> tensor<64x32xf32>
  return %0 : tensor<64x32xf32>
}

// -----

// A function that is not an entry point (something calls it) keeps its
// packs: its caller passes no buffer.
// CHECK-LABEL: func.func @helper(
// CHECK:         tfm.pack
// CHECK-NOT:   func.func @helper__pack
func.func @helper(%x: tensor<64x256xf32>, %w: tensor<256x128xf32> {tfm.param = "w"}) -> tensor<64x128xf32> {
  %0 = tfm.matmul %x, %w : (tensor<64x256xf32>, tensor<256x128xf32>) -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}
func.func @caller(%x: tensor<64x256xf32> {tfm.input = "x"}, %w: tensor<256x128xf32> {tfm.param = "w"})
    -> (tensor<64x128xf32> {tfm.output = "y"}) {
  %0 = func.call @helper(%x, %w) : (tensor<64x256xf32>, tensor<256x128xf32>) -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}

// -----

// A training step's weight (a state it updates) is packed once too, and kept
// packed: the step reads the packed panels from their argument, and packs
// the updated weight into that argument before it returns (a result
// tfm.packed = 0, after every read of the argument), so that the next step
// reads it packed. @train__pack takes the states. Prepared, that result goes
// and the packed argument is written in place. Without `states`, the step
// packs its weight itself, on each call.
// STATES-LABEL: func.func @train(
// STATES-SAME:    %[[W:[a-z0-9]+]]: tensor<256x128xf32> {tfm.state = "w"}
// STATES-SAME:    %[[P:[a-z0-9]+]]: tensor<4x256x32xf32> {tfm.packed = 0 : i64}
// STATES-SAME:    -> (tensor<64x128xf32> {tfm.output = "y"}, tensor<256x128xf32> {tfm.update = "w"}, tensor<4x256x32xf32> {tfm.packed = 0 : i64})
// STATES:         tensor.extract_slice %[[P]]
// STATES:         %[[U:.+]] = linalg.generic {{.*}} ins(%[[W]] : tensor<256x128xf32>)
// STATES:         %[[E:.+]] = tensor.expand_shape %[[U]]
// STATES:         %[[R:.+]] = linalg.generic {{.*}} ins(%[[E]] : tensor<256x4x32xf32>) outs(%[[P]] : tensor<4x256x32xf32>) attrs = {tfm.pack}
// STATES:         return %{{.+}}, %[[U]], %[[R]]
// STATES-LABEL: func.func @train__pack(
// STATES-SAME:    tensor<256x128xf32> {tfm.state = "w"}
// STATES-SAME:    tensor<4x256x32xf32> {tfm.packed = 0 : i64}) -> (tensor<4x256x32xf32> {tfm.packed = 0 : i64})
// CHECK-LABEL: func.func @train(
// CHECK-NOT:     tfm.packed
// CHECK:         tfm.pack
// CHECK-NOT:   func.func @train__pack
// STATES-PREPARED-LABEL: func.func @train(
// STATES-PREPARED-SAME:    tensor<4x256x32xf32> {bufferization.writable = true, tfm.packed = 0 : i64, tfm.written})
// STATES-PREPARED-SAME:    -> (tensor<64x128xf32>, tensor<256x128xf32>)
// STATES-PREPARED:         bufferization.materialize_in_destination
// STATES-PREPARED-NOT:     bufferization.materialize_in_destination
// STATES-PREPARED:         return %{{[^,]+}}, %{{[^,]+}} :
func.func @train(%x: tensor<64x256xf32> {tfm.input = "x"}, %w: tensor<256x128xf32> {tfm.state = "w"})
    -> (tensor<64x128xf32> {tfm.output = "y"}, tensor<256x128xf32> {tfm.update = "w"}) {
  %0 = tfm.matmul %x, %w : (tensor<64x256xf32>, tensor<256x128xf32>) -> tensor<64x128xf32>
  %1 = tfm.scale %w {factor = 0.5 : f32} : tensor<256x128xf32>
  return %0, %1 : tensor<64x128xf32>, tensor<256x128xf32>
}
