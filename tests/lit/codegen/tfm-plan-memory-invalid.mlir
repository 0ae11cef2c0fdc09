// RUN: tfm-opt %s --allow-unregistered-dialect --split-input-file --tfm-plan-memory --verify-diagnostics -o /dev/null


// Tests that a packing entry point that does not write one of its packed
// arguments it should write (tfm.written; bufferization wrote a copy
// instead) is an error, not a buffer of garbage read by every call; and a
// training step that does not write its packed weights again, one of stale
// weights.
func.func @entry(%x: memref<4xf32>, %a: memref<16xf32> {tfm.packed = 0 : i64}) {
  "test.use"(%x, %a) : (memref<4xf32>, memref<16xf32>) -> ()
  return
}
// expected-error @+1 {{'func.func' op does not write packed param 0 in place (bufferization wrote a copy)}}
func.func @entry__pack(%w: memref<4xf32>, %a: memref<16xf32> {tfm.packed = 0 : i64, tfm.written}) attributes {tfm.packs = "entry"} {
  "test.use"(%w) : (memref<4xf32>) -> ()
  return
}

// -----

// expected-error @+1 {{'func.func' op does not write packed param 0 in place (bufferization wrote a copy)}}
func.func @step(%w: memref<16xf32>, %a: memref<16xf32> {tfm.packed = 0 : i64, tfm.written}) {
  %c = memref.alloc() : memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%c : memref<16xf32>)
  linalg.copy ins(%w : memref<16xf32>) outs(%c : memref<16xf32>)
  return
}

// -----

// Tests that a packed weight of dynamic shape (it cannot be placed in the
// buffer of packed weights) is an error naming it.
// expected-error @+1 {{'func.func' op packed param 0 is not a static buffer}}
func.func @dynamic(%x: memref<4xf32>, %a: memref<?xf32> {tfm.packed = 0 : i64}) {
  "test.use"(%x, %a) : (memref<4xf32>, memref<?xf32>) -> ()
  return
}
