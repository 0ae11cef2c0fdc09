// RUN: tfm-opt %s --split-input-file --allow-unregistered-dialect --tfm-plan-memory | FileCheck %s

// Tests that an entry point's temporaries become views of one workspace
// argument appended to it, placed largest first: %b (1024 bytes) at 0, %a
// (512), live at the same time, after it; %c lives after %a's last use and
// takes %a's bytes. The size, 64-byte aligned, is recorded in the module's
// tfm.workspace.
// CHECK:       module attributes {tfm.workspace = {plan_memory_liveness = 1536 : i64}}
// CHECK-LABEL: func.func @plan_memory_liveness
// CHECK-SAME:    (%[[X:.+]]: memref<16xf32>, %[[Y:.+]]: memref<16xf32>, %[[WS:.+]]: memref<1536xi8>)
// CHECK-NOT:     memref.alloc
// CHECK:         %[[A:.+]] = memref.view %[[WS]][%c1024{{.*}}][] : memref<1536xi8> to memref<128xf32>
// CHECK:         %[[B:.+]] = memref.view %[[WS]][%c0{{.*}}][] : memref<1536xi8> to memref<256xf32>
// CHECK:         "test.use"(%[[A]], %[[B]])
// CHECK:         %[[C:.+]] = memref.view %[[WS]][%c1024{{.*}}][] : memref<1536xi8> to memref<64xf32>
func.func @plan_memory_liveness(%x: memref<16xf32>, %y: memref<16xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  "test.use"(%a, %b) : (memref<128xf32>, memref<256xf32>) -> ()
  %c = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  "test.use"(%b, %c) : (memref<256xf32>, memref<64xf32>) -> ()
  return
}

// -----

// Tests that a result computed into a temporary and copied, through a
// reshape, into its out-parameter is computed in the out-parameter instead
// (the copy goes), and that a temporary seen through a view lives as long
// as the view's last use.
// CHECK-LABEL: func.func @plan_memory_output_in_place
// CHECK-SAME:    (%[[X:.+]]: memref<4x8xf32>, %[[OUT:.+]]: memref<1x4x8xf32>
// CHECK:         %[[T:.+]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1], [2]] : memref<1x4x8xf32> into memref<4x8xf32>
// CHECK:         linalg.copy ins(%[[X]] : memref<4x8xf32>) outs(%[[T]] : memref<4x8xf32>)
// CHECK-NOT:     linalg.copy
// CHECK:         return
func.func @plan_memory_output_in_place(%x: memref<4x8xf32>, %out: memref<1x4x8xf32>) {
  %t = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
  linalg.copy ins(%x : memref<4x8xf32>) outs(%t : memref<4x8xf32>)
  %e = memref.expand_shape %t [[0, 1], [2]] output_shape [1, 4, 8] : memref<4x8xf32> into memref<1x4x8xf32>
  linalg.copy ins(%e : memref<1x4x8xf32>) outs(%out : memref<1x4x8xf32>)
  return
}

// -----

// Tests that an output read while the temporary lives (a state updated from
// its old value) is not written early: the copy stays.
// CHECK-LABEL: func.func @negative_plan_memory_output_read
// CHECK:         memref.view
// CHECK:         linalg.copy ins(%{{.+}} : memref<8xf32>) outs(%arg0 : memref<8xf32>)
func.func @negative_plan_memory_output_read(%state: memref<8xf32>) {
  %t = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
  linalg.copy ins(%state : memref<8xf32>) outs(%t : memref<8xf32>)
  linalg.copy ins(%t : memref<8xf32>) outs(%state : memref<8xf32>)
  return
}

// -----

// Tests that a buffer that escapes (returned), a dynamically shaped one, and
// those of a private function and of an entry point another function calls
// stay heap allocations, and get no workspace.
// CHECK-NOT:   tfm.workspace
// CHECK-LABEL: func.func @negative_plan_memory_escapes
// CHECK:         memref.alloc() : memref<8xf32>
// CHECK:         memref.alloc(%{{.+}}) : memref<?xf32>
// CHECK-LABEL: func.func private @negative_plan_memory_private
// CHECK:         memref.alloc() : memref<8xf32>
// CHECK-LABEL: func.func @negative_plan_memory_called
// CHECK:         memref.alloc() : memref<8xf32>
func.func @negative_plan_memory_escapes(%n: index) -> memref<8xf32> {
  %a = memref.alloc() : memref<8xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  "test.use"(%d) : (memref<?xf32>) -> ()
  return %a : memref<8xf32>
}
func.func private @negative_plan_memory_private() {
  %a = memref.alloc() : memref<8xf32>
  "test.use"(%a) : (memref<8xf32>) -> ()
  return
}
func.func @negative_plan_memory_called() {
  %a = memref.alloc() : memref<8xf32>
  "test.use"(%a) : (memref<8xf32>) -> ()
  return
}
func.func @negative_plan_memory_caller() {
  call @negative_plan_memory_called() : () -> ()
  return
}

// -----

// Tests that a parallel loop's per-iteration buffer goes on the stack, in an
// alloca scope per iteration, and a large one stays on the heap.
// CHECK-LABEL: func.func @plan_memory_parallel_state
// CHECK:         scf.forall
// CHECK-NEXT:      memref.alloca_scope {
// CHECK-NEXT:        memref.alloca() {alignment = 64 : i64} : memref<32x64xf32>
// CHECK-NEXT:        memref.alloc() : memref<1024x1024xf32>
// CHECK-NEXT:        "test.use"
func.func @plan_memory_parallel_state() {
  scf.forall (%i) in (8) {
    %s = memref.alloc() {alignment = 64 : i64} : memref<32x64xf32>
    %big = memref.alloc() : memref<1024x1024xf32>
    "test.use"(%s, %big) : (memref<32x64xf32>, memref<1024x1024xf32>) -> ()
  }
  return
}

// -----

// Tests that an entry point's packed weights (tfm-pack-params) become views
// of one byte buffer, a new argument before the workspace, in the order of
// their indices (0 at 0, then 1 after its 64 bytes), and
// that its size is recorded in the module's tfm.packed; the packing entry
// point writes its arguments at the same offsets.
// CHECK:       module attributes {tfm.packed = {packed = 128 : i64, packed__pack = 128 : i64}, tfm.workspace = {packed = 64 : i64}}
// CHECK-LABEL: func.func @packed
// CHECK-SAME:    (%[[X:.+]]: memref<4xf32>, %[[P:.+]]: memref<128xi8>, %[[WS:.+]]: memref<64xi8>)
// CHECK-DAG:     %[[A:.+]] = memref.view %[[P]][%c0{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK-DAG:     %[[B:.+]] = memref.view %[[P]][%c64{{.*}}][] : memref<128xi8> to memref<10xf32>
// CHECK:         "test.use"(%[[X]], %[[A]], %[[B]]
// CHECK-LABEL: func.func @packed__pack
// CHECK-SAME:    (%[[W:.+]]: memref<4xf32>, %[[Q:.+]]: memref<128xi8>)
// CHECK-DAG:     %[[C:.+]] = memref.view %[[Q]][%c0{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK-DAG:     %[[D:.+]] = memref.view %[[Q]][%c64{{.*}}][] : memref<128xi8> to memref<10xf32>
// CHECK:         %[[SC:.+]] = memref.subview %[[C]]
// CHECK:         linalg.copy ins(%[[W]] : memref<4xf32>) outs(%[[SC]] : memref<4xf32, strided<[1]>>)
// CHECK:         %[[SD:.+]] = memref.subview %[[D]]
// CHECK:         linalg.copy ins(%[[W]] : memref<4xf32>) outs(%[[SD]] : memref<4xf32, strided<[1]>>)
func.func @packed(%x: memref<4xf32>, %a: memref<16xf32> {tfm.packed = 0 : i64},
                  %b: memref<10xf32> {tfm.packed = 1 : i64}) {
  %t = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  "test.use"(%x, %a, %b, %t) : (memref<4xf32>, memref<16xf32>, memref<10xf32>, memref<16xf32>) -> ()
  return
}
func.func @packed__pack(%w: memref<4xf32>, %a: memref<16xf32> {tfm.packed = 0 : i64},
                        %b: memref<10xf32> {tfm.packed = 1 : i64}) attributes {tfm.packs = "packed"} {
  %sa = memref.subview %a[0] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1]>>
  linalg.copy ins(%w : memref<4xf32>) outs(%sa : memref<4xf32, strided<[1]>>)
  %sb = memref.subview %b[0] [4] [1] : memref<10xf32> to memref<4xf32, strided<[1]>>
  linalg.copy ins(%w : memref<4xf32>) outs(%sb : memref<4xf32, strided<[1]>>)
  return
}
