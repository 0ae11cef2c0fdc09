// Cases are written with tfm ops (or linalg) and take their linalg form
// from --convert-tfm-to-linalg. Row blocks come from the target's L1d:
// znver4's 32 KiB (16 KiB budget), znver5's 48 KiB (24 KiB).
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-fuse-elementwise --canonicalize --cse --tfm-fuse-rows --canonicalize --cse | FileCheck %s
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver5" --convert-tfm-to-linalg --tfm-fuse-elementwise --canonicalize --cse --tfm-fuse-rows --canonicalize --cse | FileCheck %s --check-prefix=ZEN5
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-fuse-elementwise --canonicalize --cse --tfm-fuse-rows="distribute=false" --canonicalize --cse | FileCheck %s --check-prefix=SERIAL

// Tests that layer_norm's two row reductions (sum, sum of squares about the
// mean) are computed in the loop of the op that normalizes, 4 rows at a
// time (3 arrays of 1 KiB rows in 16 KiB): nothing reads the whole input
// before the loop. Small (16K elements): a serial loop.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME:    (%[[X:.+]]: tensor<64x256xf32>,
// CHECK-NOT:     linalg.generic
// CHECK:         %[[C4:.+]] = arith.constant 4 : index
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %[[C4]]
// CHECK:           %[[XS:.+]] = tensor.extract_slice %[[X]][%[[I]], 0] [4, 256] [1, 1]
// CHECK:           linalg.fill
// CHECK:           %[[SUM:.+]] = linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "reduction"]
// CHECK-SAME:        ins(%[[XS]] : tensor<4x256xf32>)
// CHECK:           %[[SQ:.+]] = linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "reduction"]
// CHECK-SAME:        ins(%[[XS]], %[[SUM]] : tensor<4x256xf32>, tensor<4xf32>)
// CHECK:           linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[XS]], %[[SUM]], %[[SQ]], %{{.+}}, %{{.+}} : tensor<4x256xf32>, tensor<4xf32>, tensor<4xf32>, tensor<256xf32>, tensor<256xf32>)
// CHECK:             math.sqrt
// CHECK:           tensor.insert_slice
// CHECK:         return
func.func @layer_norm(%x: tensor<64x256xf32>, %g: tensor<256xf32>, %b: tensor<256xf32>) -> tensor<64x256xf32> {
  %y = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32} : (tensor<64x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  return %y : tensor<64x256xf32>
}

// -----

// Tests that a large group (64K elements) becomes an scf.forall the
// pipeline runs on threads, and that its row block follows the target:
// 4 rows on znver4, 8 on znver5 (48 KiB L1d); serial without distribute.
// CHECK-LABEL: func.func @layer_norm_threads
// CHECK:         scf.forall (%{{.+}}) = (0) to (256) step (4)
// CHECK-COUNT-2:   iterator_types = ["parallel", "reduction"]
// CHECK:           iterator_types = ["parallel", "parallel"]
// CHECK:           tensor.parallel_insert_slice
// ZEN5-LABEL:  func.func @layer_norm_threads
// ZEN5:          scf.forall (%{{.+}}) = (0) to (256) step (8)
// ZEN5:            tensor.extract_slice %{{.+}} [8, 256] [1, 1]
// SERIAL-LABEL: func.func @layer_norm_threads
// SERIAL-NOT:    scf.forall
// SERIAL:        scf.for
// SERIAL-COUNT-2:  iterator_types = ["parallel", "reduction"]
func.func @layer_norm_threads(%x: tensor<256x256xf32>, %g: tensor<256xf32>, %b: tensor<256xf32>) -> tensor<256x256xf32> {
  %y = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32} : (tensor<256x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<256x256xf32>
  return %y : tensor<256x256xf32>
}

// -----

// Tests that rms_norm's sum of squares is fused: 2 rows of 2 KiB x 3
// arrays per tile on znver4.
// CHECK-LABEL: func.func @rms_norm
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall (%{{.+}}) = (0) to (128) step (2)
// CHECK:           iterator_types = ["parallel", "reduction"]
// CHECK-SAME:        ins(%{{.+}} : tensor<2x512xf32>)
// CHECK:           iterator_types = ["parallel", "parallel"]
// CHECK:             math.sqrt
func.func @rms_norm(%x: tensor<128x512xf32>, %g: tensor<512xf32>) -> tensor<128x512xf32> {
  %y = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<128x512xf32>, tensor<512xf32>) -> tensor<128x512xf32>
  return %y : tensor<128x512xf32>
}

// -----

// Tests that softmax's max and sum of exponentials are fused over a rank-3
// input (rows of [batch, row] tiled [1, 16]: 4 arrays of 256 B rows), and that the elementwise op
// producing its input joins the group too: every use of the scale's result
// is in the group, so it is computed once per tile instead of written out
// and read three times.
// CHECK-LABEL: func.func @softmax_of_scale
// CHECK-SAME:    (%[[X:.+]]: tensor<4x64x64xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for %[[B:[a-z0-9]+]] =
// CHECK:           scf.for %[[R:[a-z0-9]+]] =
// CHECK:             %[[XS:.+]] = tensor.extract_slice %[[X]][%[[B]], %[[R]], 0] [1, 16, 64] [1, 1, 1]
// CHECK:             %[[S:.+]] = linalg.generic
// CHECK-SAME:          iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:          ins(%[[XS]] : tensor<1x16x64xf32>)
// CHECK:               arith.mulf
// CHECK:             linalg.generic
// CHECK-SAME:          iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:          ins(%[[S]] : tensor<1x16x64xf32>)
// CHECK:               arith.maximumf
// CHECK:             linalg.generic
// CHECK-SAME:          iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:               math.exp
// CHECK:             linalg.generic
// CHECK-SAME:          iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:               arith.divf
func.func @softmax_of_scale(%x: tensor<4x64x64xf32>) -> tensor<4x64x64xf32> {
  %s = tfm.scale %x {factor = 0.125 : f32} : tensor<4x64x64xf32>
  %y = tfm.softmax %s {axis = -1 : i64} : tensor<4x64x64xf32>
  return %y : tensor<4x64x64xf32>
}

// -----

// Tests layer_norm's backward: the whole row part -- mean, sum of squares,
// 1/std, the row sums of g and g xhat, dx -- in one loop over blocks of 4
// rows, which also yields the mean and 1/std: the parameter gradients (a
// sum over rows, a reduction along the other axis, which never joins)
// read them after the loop. x and dy are read once by the loop, once by
// the parameter gradients.
// CHECK-LABEL: func.func @layer_norm_grad
// CHECK-SAME:    (%[[X:.+]]: tensor<64x256xf32>, %{{.+}}: tensor<256xf32>, %[[DY:.+]]: tensor<64x256xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         %[[L:.+]]:3 = scf.for {{.+}} -> (tensor<64x256xf32>, tensor<64xf32>, tensor<64xf32>)
// CHECK:           tensor.extract_slice %[[X]]
// CHECK:           tensor.extract_slice %[[DY]]
// CHECK:           iterator_types = ["parallel", "reduction"]
// CHECK:           math.sqrt
// CHECK:           %{{.+}}:2 = linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "reduction"]
// CHECK:           } -> (tensor<4xf32>, tensor<4xf32>)
// CHECK:           linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-COUNT-3:   tensor.insert_slice
// CHECK:           scf.yield
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[DY]], %[[L]]#{{[12]}}, %[[L]]#{{[12]}} :
func.func @layer_norm_grad(%x: tensor<64x256xf32>, %g: tensor<256xf32>, %dy: tensor<64x256xf32>) -> (tensor<64x256xf32>, tensor<256xf32>, tensor<256xf32>) {
  %dx, %dg, %db = tfm.layer_norm_grad %x, %g, %dy {epsilon = 1.0e-5 : f32} : (tensor<64x256xf32>, tensor<256xf32>, tensor<64x256xf32>) -> (tensor<64x256xf32>, tensor<256xf32>, tensor<256xf32>)
  return %dx, %dg, %db : tensor<64x256xf32>, tensor<256xf32>, tensor<256xf32>
}

// -----

// Tests that a softmax along a leading axis (reductions over columns, not
// rows) is left alone.
// CHECK-LABEL: func.func @negative_softmax_axis0
// CHECK-NOT:     scf.for
// CHECK-NOT:     scf.forall
// CHECK:         return
func.func @negative_softmax_axis0(%x: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %y = tfm.softmax %x {axis = 0 : i64} : tensor<64x256xf32>
  return %y : tensor<64x256xf32>
}

// -----

// Tests that a contraction never joins a group: the matmul producing the
// softmax's input is computed before the loop, which reads its result.
// CHECK-LABEL: func.func @negative_matmul_producer
// CHECK:         %[[M:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:         scf.for
// CHECK:           tensor.extract_slice %[[M]]
// CHECK-NOT:       iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:           scf.yield
func.func @negative_matmul_producer(%a: tensor<64x16xf32>, %w: tensor<16x128xf32>) -> tensor<64x128xf32> {
  %m = tfm.matmul %a, %w : (tensor<64x16xf32>, tensor<16x128xf32>) -> tensor<64x128xf32>
  %y = tfm.softmax %m {axis = -1 : i64} : tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}

// -----

// Tests that a statistic also read after the group's last op (here:
// returned) is computed in the loop and yielded by it, a block of rows at a
// time, instead of in a pass of its own.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @statistic_also_returned
// CHECK-NOT:     linalg.generic
// CHECK:         %[[L:.+]]:2 = scf.for {{.+}} -> (tensor<64x256xf32>, tensor<64xf32>)
// CHECK:           %[[S:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK:           linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]
// CHECK:           tensor.insert_slice %[[S]]
// CHECK:         return %[[L]]#0, %[[L]]#1
func.func @statistic_also_returned(%x: tensor<64x256xf32>) -> (tensor<64x256xf32>, tensor<64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<64x256xf32>) outs(%f : tensor<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %acc, %in : f32
    linalg.yield %a : f32
  } -> tensor<64xf32>
  %o = tensor.empty() : tensor<64x256xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : tensor<64x256xf32>, tensor<64xf32>) outs(%o : tensor<64x256xf32>) {
  ^bb0(%in: f32, %sum: f32, %out: f32):
    %d = arith.subf %in, %sum : f32
    linalg.yield %d : f32
  } -> tensor<64x256xf32>
  return %y, %s : tensor<64x256xf32>, tensor<64xf32>
}

// -----

// Tests that a statistic read by an op outside the group that comes before
// the group's last op stays a pass of its own (the loop, where the last op
// is, would come too late for that reader): nothing is fused.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @negative_statistic_read_before_the_end
// CHECK-NOT:     scf.for
// CHECK:         linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK:         linalg.generic {{.+}} iterator_types = ["reduction", "parallel"]
// CHECK:         linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @negative_statistic_read_before_the_end(%x: tensor<64x256xf32>) -> (tensor<64x256xf32>, tensor<256xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<64x256xf32>) outs(%f : tensor<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %acc, %in : f32
    linalg.yield %a : f32
  } -> tensor<64xf32>
  %ec = tensor.empty() : tensor<256xf32>
  %fc = linalg.fill ins(%zero : f32) outs(%ec : tensor<256xf32>) -> tensor<256xf32>
  %c = linalg.generic {indexing_maps = [#id, #row, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x, %s : tensor<64x256xf32>, tensor<64xf32>) outs(%fc : tensor<256xf32>) {
  ^bb0(%in: f32, %sum: f32, %acc: f32):
    %m = arith.mulf %in, %sum : f32
    %a = arith.addf %acc, %m : f32
    linalg.yield %a : f32
  } -> tensor<256xf32>
  %o = tensor.empty() : tensor<64x256xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : tensor<64x256xf32>, tensor<64xf32>) outs(%o : tensor<64x256xf32>) {
  ^bb0(%in: f32, %sum: f32, %out: f32):
    %d = arith.subf %in, %sum : f32
    linalg.yield %d : f32
  } -> tensor<64x256xf32>
  return %y, %c : tensor<64x256xf32>, tensor<256xf32>
}

// -----

// Tests that a group that fits in L1 as a whole (one tile) gets no loop.
// CHECK-LABEL: func.func @negative_one_tile
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @negative_one_tile(%x: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %y = tfm.softmax %x {axis = -1 : i64} : tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
