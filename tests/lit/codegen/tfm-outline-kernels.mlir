// RUN: tfm-opt %s --split-input-file --tfm-outline-kernels | FileCheck %s
// RUN: tfm-opt %s --split-input-file --tfm-outline-kernels="dedupe=false" \
// RUN:   | FileCheck %s --check-prefix=ALL

// Tests that two layers of equal shape (the same loop nest over other
// buffers, at other source lines) give one kernel called twice, its
// arguments the buffers in order of first use and its constants cloned into
// it; and that without dedupe each nest is a kernel of its own.
// CHECK-LABEL: func.func @two_layers(
// CHECK-SAME:    %[[A:.+]]: memref<64x256xf32>, %[[B:.+]]: memref<64x256xf32>, %[[C:.+]]: memref<64x256xf32>)
// CHECK-NEXT:    call @two_layers.kernel0(%[[A]], %[[B]])
// CHECK-NEXT:    call @two_layers.kernel0(%[[B]], %[[C]])
// CHECK-NEXT:    return
// CHECK-LABEL: func.func private @two_layers.kernel0(
// CHECK-SAME:    %[[X:.+]]: memref<64x256xf32>, %[[Y:.+]]: memref<64x256xf32>)
// CHECK-SAME:    attributes {tfm.kernel}
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C64:.+]] = arith.constant 64 : index
// CHECK:         scf.parallel (%[[I:.+]]) = (%[[C0]]) to (%[[C64]])
// CHECK:           vector.transfer_read %[[X]][%[[I]],
// CHECK:           vector.transfer_write %{{.+}}, %[[Y]][%[[I]],
// CHECK:         return
// CHECK-NOT:   func.func private @two_layers.kernel1
// ALL-LABEL:   func.func @two_layers(
// ALL-NEXT:      call @two_layers.kernel0
// ALL-NEXT:      call @two_layers.kernel1
// ALL-LABEL:   func.func private @two_layers.kernel0(
// ALL-LABEL:   func.func private @two_layers.kernel1(
func.func @two_layers(%a: memref<64x256xf32>, %b: memref<64x256xf32>, %c: memref<64x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = vector.transfer_read %a[%i, %c0], %zero {in_bounds = [true]} : memref<64x256xf32>, vector<256xf32>
    %r = arith.addf %v, %v : vector<256xf32>
    vector.transfer_write %r, %b[%i, %c0] {in_bounds = [true]} : vector<256xf32>, memref<64x256xf32>
    scf.reduce
  } loc("model.cpp":10:3)
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = vector.transfer_read %b[%i, %c0], %zero {in_bounds = [true]} : memref<64x256xf32>, vector<256xf32>
    %r = arith.addf %v, %v : vector<256xf32>
    vector.transfer_write %r, %c[%i, %c0] {in_bounds = [true]} : vector<256xf32>, memref<64x256xf32>
    scf.reduce
  } loc("model.cpp":11:3)
  return
}

// -----

// Tests that nests differing only in a constant (a scale) or in the shape
// of a buffer are different kernels.
// CHECK-LABEL: func.func @negative_other_constant(
// CHECK-NEXT:    call @negative_other_constant.kernel0
// CHECK-NEXT:    call @negative_other_constant.kernel1
// CHECK-NEXT:    call @negative_other_constant.kernel2
// CHECK-LABEL: func.func private @negative_other_constant.kernel0(
// CHECK:         arith.constant 2.000000e+00 : f32
// CHECK-LABEL: func.func private @negative_other_constant.kernel1(
// CHECK:         arith.constant 3.000000e+00 : f32
// CHECK-LABEL: func.func private @negative_other_constant.kernel2(
// CHECK-SAME:    memref<32xf32>
func.func @negative_other_constant(%a: memref<16xf32>, %b: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %a[%i] : memref<16xf32>
    %r = arith.mulf %v, %two : f32
    memref.store %r, %a[%i] : memref<16xf32>
  }
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %a[%i] : memref<16xf32>
    %r = arith.mulf %v, %three : f32
    memref.store %r, %a[%i] : memref<16xf32>
  }
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %b[%i] : memref<32xf32>
    %r = arith.mulf %v, %two : f32
    memref.store %r, %b[%i] : memref<32xf32>
  }
  return
}

// -----

// Tests that a nest's results are its kernel's; that the load it starts
// from goes with it (it alone uses it) while a scalar also used after it
// is an argument; that the code around the nests stays where it is; and
// that equal kernels of two functions (a forward and a backward) are one.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME:    %[[A:.+]]: memref<16xf32>, %[[INIT:.+]]: memref<f32>, %[[SCALE:.+]]: memref<f32>)
// CHECK-NEXT:    %[[F:.+]] = memref.load %[[SCALE]][]
// CHECK-NEXT:    %[[S:.+]] = call @forward.kernel0(%[[INIT]], %[[A]], %[[F]]) : (memref<f32>, memref<16xf32>, f32) -> f32
// CHECK-NEXT:    return %[[S]], %[[F]]
// CHECK-LABEL: func.func private @forward.kernel0(
// CHECK-SAME:    %[[I:.+]]: memref<f32>, %[[X:.+]]: memref<16xf32>, %[[K:.+]]: f32) -> f32
// CHECK:         %[[L:.+]] = memref.load %[[I]][]
// CHECK:         %[[SUM:.+]] = scf.for {{.+}} iter_args(%{{.+}} = %[[L]]) -> (f32)
// CHECK:           arith.mulf %{{.+}}, %[[K]]
// CHECK:         return %[[SUM]] : f32
// CHECK-LABEL: func.func @backward(
// CHECK:         call @forward.kernel0(
// CHECK-NOT:   func.func private @backward.kernel0
func.func @forward(%a: memref<16xf32>, %init: memref<f32>, %scale: memref<f32>) -> (f32, f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %k = memref.load %scale[] : memref<f32>
  %x = memref.load %init[] : memref<f32>
  %s = scf.for %i = %c0 to %c16 step %c1 iter_args(%acc = %x) -> (f32) {
    %v = memref.load %a[%i] : memref<16xf32>
    %w = arith.mulf %v, %k : f32
    %n = arith.addf %acc, %w : f32
    scf.yield %n : f32
  }
  return %s, %k : f32, f32
}
func.func @backward(%g: memref<16xf32>, %init: memref<f32>, %scale: memref<f32>) -> (f32, f32) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c0 = arith.constant 0 : index
  %k = memref.load %scale[] : memref<f32>
  %x = memref.load %init[] : memref<f32>
  %s = scf.for %i = %c0 to %c16 step %c1 iter_args(%acc = %x) -> (f32) {
    %v = memref.load %g[%i] : memref<16xf32>
    %w = arith.mulf %v, %k : f32
    %n = arith.addf %acc, %w : f32
    scf.yield %n : f32
  }
  return %s, %k : f32, f32
}

// -----

// Tests that a kernel's name does not take one the module already has.
// CHECK-LABEL: func.func private @named.kernel0(%{{.+}}: i32)
// CHECK-LABEL: func.func @named(
// CHECK-NEXT:    call @named.kernel0_0(
// CHECK-LABEL: func.func private @named.kernel0_0(
func.func private @named.kernel0(%x: i32) {
  return
}
func.func @named(%a: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %a[%i] : memref<16xf32>
    memref.store %v, %a[%i] : memref<16xf32>
  }
  return
}
