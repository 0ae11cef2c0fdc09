// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls --canonicalize --cse | FileCheck %s
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver3" --convert-tfm-to-linalg --tfm-tile-matmuls --canonicalize --cse | FileCheck %s --check-prefix=AVX2
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-matmuls="mr=4 nr=16 kc=64" --canonicalize --cse | FileCheck %s --check-prefix=OVERRIDE

// Tests that a large matmul on an AVX-512 CPU (Zen 4: 32 KiB L1d, 1 MiB L2)
// is packed and blocked: the rhs into [N / 32, K, 32] panels; the result
// in an scf.forall of chunks; inside, k blocks of 128 (rhs micro-panel and
// lhs rows in 3/4 of L1d), the first starting each tile from zero, around
// an 8 x 32 micro-kernel (8 rows divide 256; 16 accumulators) tiled one k
// step at a time. An AVX2 CPU (Zen 3) gets 6 x 16 (12 accumulators, 256 =
// 42 x 6 + 4: an edge kernel of 4 rows) whose k loop LLVM must not unroll.
// CHECK-LABEL: func.func @tile_matmul_packed
// CHECK:         %[[BP:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<256x8x32xf32>) outs(%{{.+}} : tensor<8x256x32xf32>) attrs =  {tfm.pack}
// CHECK:         scf.forall (%{{.+}}, %{{.+}}) in (2, 8)
// CHECK:           scf.for %[[KB:.+]] = %{{.+}} to %{{.+}} step %c128
// CHECK:             %[[FIRST:.+]] = arith.cmpi eq, %[[KB]], %c0
// CHECK:                   scf.if %[[FIRST]] -> (tensor<8x32xf32>)
// CHECK-NEXT:                linalg.fill
// CHECK:                   %[[A:.+]] = tensor.extract_slice %arg0[{{.+}}, %[[KB]]] [8, 128] [1, 1]
// CHECK:                   %[[B:.+]] = tensor.extract_slice %[[BP]][{{.+}}, %[[KB]], 0] [1, 128, 32] [1, 1, 1] : tensor<8x256x32xf32> to tensor<128x32xf32>
// CHECK:                   linalg.generic {{.+}} ins(%[[A]], %[[B]] : tensor<8x128xf32>, tensor<128x32xf32>) outs(%{{.+}} : tensor<8x32xf32>) attrs =  {tfm.tile_sizes = array<i64: 0, 0, 1>}
// CHECK:           scf.forall.in_parallel
// AVX2-LABEL:  func.func @tile_matmul_packed
// AVX2:          outs(%{{.+}} : tensor<16x256x16xf32>) attrs =  {tfm.pack}
// AVX2:          ins({{.+}} : tensor<6x{{[0-9]+}}xf32>, tensor<{{[0-9]+}}x16xf32>) outs(%{{.+}} : tensor<6x16xf32>) attrs =  {tfm.no_unroll, tfm.tile_sizes = array<i64: 0, 0, 1>}
// AVX2:          ins({{.+}} : tensor<4x{{[0-9]+}}xf32>, tensor<{{[0-9]+}}x16xf32>) outs(%{{.+}} : tensor<4x16xf32>)
// Options override the model.
// OVERRIDE-LABEL: func.func @tile_matmul_packed
// OVERRIDE:       outs(%{{.+}} : tensor<16x256x16xf32>) attrs =  {tfm.pack}
// OVERRIDE:       step %c64
// OVERRIDE:       ins({{.+}} : tensor<4x64xf32>, tensor<64x16xf32>) outs(%{{.+}} : tensor<4x16xf32>)
func.func @tile_matmul_packed(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %0 = tfm.matmul %a, %b : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  return %0 : tensor<256x256xf32>
}

// -----

// Tests that a rhs stored transposed ([N, K]) is read through the pack,
// (p, k, j) -> [p, j, k] of its [N / 32, 32, K] view: no transposed copy.
// CHECK-LABEL: func.func @tile_matmul_transposed_rhs
// CHECK-NOT:     linalg.transpose
// CHECK:         %[[V:.+]] = tensor.expand_shape %arg1 {{\[}}[0, 1], [2]] output_shape [8, 32, 256]
// CHECK:         linalg.generic {indexing_maps = [#[[$PJK:.+]], #{{.+}}]{{.+}} ins(%[[V]] : tensor<8x32x256xf32>) outs(%{{.+}} : tensor<8x256x32xf32>) attrs =  {tfm.pack}
func.func @tile_matmul_transposed_rhs(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %0 = tfm.matmul %a, %b {transpose_b} : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  return %0 : tensor<256x256xf32>
}

// -----

// Tests that a lhs stored transposed ([K, M], M of 1024 floats: a page a
// row) is read in place, a [k, 8] tile per k block, where the register
// block's 8 rows use half of each cache line (AVX-512), and packed into
// [M / 6, K, 6] micro-panels where its 6 rows use less (AVX2) and many rhs
// panels reuse the copy; with few panels (N 64) it is read in place.
// CHECK-LABEL: func.func @tile_matmul_transposed_lhs
// CHECK-NOT:     x8xf32>) attrs =  {tfm.pack}
// CHECK:         tensor.extract_slice %arg0[0, %{{.+}}] [64, 8] [1, 1] : tensor<64x1024xf32> to tensor<64x8xf32>
// CHECK-LABEL: func.func @tile_matmul_transposed_lhs_few_panels
// CHECK:         tensor.extract_slice %arg0[0, %{{.+}}] [64, 8] [1, 1] : tensor<64x1024xf32> to tensor<64x8xf32>
// AVX2-LABEL:  func.func @tile_matmul_transposed_lhs
// AVX2:          tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [64, 170, 6] : tensor<64x1020xf32>
// AVX2:          outs(%{{.+}} : tensor<170x64x6xf32>) attrs =  {tfm.pack}
// AVX2:          tensor.extract_slice %{{.+}} [1, 64, 6] [1, 1, 1] : tensor<170x64x6xf32> to tensor<64x6xf32>
// AVX2-LABEL:  func.func @tile_matmul_transposed_lhs_few_panels
// AVX2-NOT:      tensor<170x64x6xf32>
// AVX2:          tensor.extract_slice %arg0[0, %{{.+}}] [64, 6] [1, 1] : tensor<64x1024xf32> to tensor<64x6xf32>
func.func @tile_matmul_transposed_lhs(%a: tensor<64x1024xf32>, %b: tensor<64x1024xf32>) -> tensor<1024x1024xf32> {
  %0 = tfm.matmul %a, %b {transpose_a} : (tensor<64x1024xf32>, tensor<64x1024xf32>) -> tensor<1024x1024xf32>
  return %0 : tensor<1024x1024xf32>
}
func.func @tile_matmul_transposed_lhs_few_panels(%a: tensor<64x1024xf32>, %b: tensor<64x64xf32>) -> tensor<1024x64xf32> {
  %0 = tfm.matmul %a, %b {transpose_a} : (tensor<64x1024xf32>, tensor<64x64xf32>) -> tensor<1024x64xf32>
  return %0 : tensor<1024x64xf32>
}

// -----

// Tests that lhs rows 1024 floats apart (all 8 rows of a block in one set
// of the 8-way L1d) are copied with rows a cache line longer, [256, 1040],
// and the micro-kernel reads the copy.
// CHECK-LABEL: func.func @tile_matmul_aliasing_rows
// CHECK:         %[[PAD:.+]] = tensor.empty() : tensor<256x1040xf32>
// CHECK:         %[[ROWS:.+]] = tensor.extract_slice %[[PAD]][0, 0] [256, 1024] [1, 1]
// CHECK:         %[[COPY:.+]] = linalg.copy {tfm.pack} ins(%arg0 : tensor<256x1024xf32>) outs(%[[ROWS]] : tensor<256x1024xf32>)
// CHECK:         %[[L:.+]] = tensor.insert_slice %[[COPY]] into %[[PAD]]
// CHECK:         tensor.extract_slice %[[L]][{{.+}}] [8, {{[0-9]+}}] [1, 1] : tensor<256x1040xf32>
func.func @tile_matmul_aliasing_rows(%a: tensor<256x1024xf32>, %b: tensor<1024x256xf32>) -> tensor<256x256xf32> {
  %0 = tfm.matmul %a, %b : (tensor<256x1024xf32>, tensor<1024x256xf32>) -> tensor<256x256xf32>
  return %0 : tensor<256x256xf32>
}

// -----

// Tests that rows and columns past the whole blocks (100 = 7 x 14 + 2 rows,
// 72 = 2 x 32 + 8 columns; no block divides both, so the model's 14 x 32)
// get edge kernels of their own static sizes in the same loops, reading a
// last rhs panel that holds the 8 columns left.
// CHECK-LABEL: func.func @tile_matmul_edges
// CHECK:         %[[EDGE:.+]] = tensor.extract_slice %arg1[0, 64] [64, 8] [1, 1]
// CHECK:         linalg.copy {tfm.pack} ins(%[[EDGE]] : tensor<64x8xf32>)
// CHECK:         tensor.insert_slice {{.+}}[2, 0, 0] [1, 64, 8] [1, 1, 1] : tensor<64x8xf32> into tensor<3x64x32xf32>
// CHECK:         outs(%{{.+}} : tensor<14x32xf32>) attrs =  {tfm.no_unroll
// CHECK:         outs(%{{.+}} : tensor<14x8xf32>)
// CHECK:         outs(%{{.+}} : tensor<2x32xf32>)
// CHECK:         outs(%{{.+}} : tensor<2x8xf32>)
func.func @tile_matmul_edges(%a: tensor<100x64xf32>, %b: tensor<64x72xf32>) -> tensor<100x72xf32> {
  %0 = tfm.matmul %a, %b : (tensor<100x64xf32>, tensor<64x72xf32>) -> tensor<100x72xf32>
  return %0 : tensor<100x72xf32>
}

// -----

// Tests that a matmul too small to pay for packing (8 rows) stays a plain
// contraction, its transposed rhs copied first.
// CHECK-LABEL: func.func @negative_tile_matmul_small
// CHECK-NOT:     tfm.pack
// CHECK:         %[[BT:.+]] = linalg.transpose ins(%arg1 : tensor<16x64xf32>)
// CHECK:         linalg.generic {{.+}} ins(%arg0, %[[BT]] : tensor<8x64xf32>, tensor<64x16xf32>)
// CHECK-NOT:     tfm.tile_sizes
func.func @negative_tile_matmul_small(%a: tensor<8x64xf32>, %b: tensor<16x64xf32>) -> tensor<8x16xf32> {
  %0 = tfm.matmul %a, %b {transpose_b} : (tensor<8x64xf32>, tensor<16x64xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// Tests that a contraction accumulating into a tensor that is not a fill of
// zero is left alone (the blocked form starts from zero).
// CHECK-LABEL: func.func @negative_tile_matmul_accumulates
// CHECK-NOT:     tfm.pack
// CHECK:         linalg.generic {{.+}} ins(%arg0, %arg1 : tensor<256x256xf32>, tensor<256x256xf32>) outs(%arg2 : tensor<256x256xf32>)
func.func @negative_tile_matmul_accumulates(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>, %c: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<256x256xf32>, tensor<256x256xf32>) outs(%c : tensor<256x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<256x256xf32>
  return %0 : tensor<256x256xf32>
}

// -----

// Tests that the elementwise op after a linear layer on a batched input
// (bias, tanh GELU and residual add, one op after tfm-fuse-elementwise) is
// computed on each result tile after its last k block, in place: the bias
// read by columns, the residual through its [256, 256] collapse by rows and
// columns; the layer's result is the blocked loops' result reshaped back,
// and no pass over C is left. (Run here with fusion before, as the
// pipeline does.)
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-fuse-elementwise --canonicalize --tfm-tile-matmuls --canonicalize --cse | FileCheck %s --check-prefix=EPILOGUE
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-fuse-elementwise --canonicalize --tfm-tile-matmuls="fuse-epilogues=false" --canonicalize --cse | FileCheck %s --check-prefix=NOEPILOGUE
// EPILOGUE-LABEL: func.func @tile_matmul_epilogue
// EPILOGUE:         %[[RES:.+]] = tensor.collapse_shape %arg3 {{\[}}[0, 1], [2]] : tensor<4x64x256xf32> into tensor<256x256xf32>
// EPILOGUE:         %[[C:.+]] = scf.forall
// EPILOGUE:             %[[ACC:.+]] = linalg.generic {{.+}} attrs =  {tfm.tile_sizes = array<i64: 0, 0, 1>}
// EPILOGUE:             %[[BIAS:.+]] = tensor.extract_slice %arg2[%[[COL:.+]]] [32] [1] : tensor<256xf32> to tensor<32xf32>
// EPILOGUE:             %[[R:.+]] = tensor.extract_slice %[[RES]][%[[ROW:.+]], %[[COL]]] [8, 32] [1, 1] : tensor<256x256xf32> to tensor<8x32xf32>
// EPILOGUE:             linalg.generic {{.+}} ins(%[[BIAS]], %[[R]] : tensor<32xf32>, tensor<8x32xf32>) outs(%[[ACC]] : tensor<8x32xf32>) attrs =  {tfm.epilogue}
// EPILOGUE:               math.tanh
// EPILOGUE:         %[[Y:.+]] = tensor.expand_shape %[[C]] {{\[}}[0, 1], [2]] output_shape [4, 64, 256]
// EPILOGUE-NOT:     linalg.generic
// EPILOGUE:         return %[[Y]]
// NOEPILOGUE-LABEL: func.func @tile_matmul_epilogue
// NOEPILOGUE-NOT:   tfm.epilogue
// NOEPILOGUE:       scf.forall
// NOEPILOGUE:       linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel"]
// NOEPILOGUE:         math.tanh
func.func @tile_matmul_epilogue(%x: tensor<4x64x128xf32>, %w: tensor<128x256xf32>, %b: tensor<256xf32>,
                                %r: tensor<4x64x256xf32>) -> tensor<4x64x256xf32> {
  %0 = tfm.matmul %x, %w : (tensor<4x64x128xf32>, tensor<128x256xf32>) -> tensor<4x64x256xf32>
  %1 = tfm.add %0, %b : (tensor<4x64x256xf32>, tensor<256xf32>) -> tensor<4x64x256xf32>
  %2 = tfm.gelu %1 {approximate = "tanh"} : tensor<4x64x256xf32>
  %3 = tfm.add %2, %r : (tensor<4x64x256xf32>, tensor<4x64x256xf32>) -> tensor<4x64x256xf32>
  return %3 : tensor<4x64x256xf32>
}

// -----

// Tests that no epilogue is fused where it would change or repeat work: the
// result also returned (a second use), a consumer that reduces (row sums),
// an operand computed after the matmul, and an operand that depends on the
// batch dimension alone (not a function of the collapsed rows).
// EPILOGUE-LABEL: func.func @negative_tile_matmul_epilogue_two_uses
// EPILOGUE-NOT:     tfm.epilogue
// EPILOGUE-LABEL: func.func @negative_tile_matmul_epilogue_reduction
// EPILOGUE-NOT:     tfm.epilogue
// EPILOGUE-LABEL: func.func @negative_tile_matmul_epilogue_later_operand
// EPILOGUE-NOT:     tfm.epilogue
// EPILOGUE-LABEL: func.func @negative_tile_matmul_epilogue_batch_operand
// EPILOGUE-NOT:     tfm.epilogue
func.func @negative_tile_matmul_epilogue_two_uses(%x: tensor<256x128xf32>, %w: tensor<128x256xf32>)
    -> (tensor<256x256xf32>, tensor<256x256xf32>) {
  %0 = tfm.matmul %x, %w : (tensor<256x128xf32>, tensor<128x256xf32>) -> tensor<256x256xf32>
  %1 = tfm.relu %0 : tensor<256x256xf32>
  return %0, %1 : tensor<256x256xf32>, tensor<256x256xf32>
}
func.func @negative_tile_matmul_epilogue_reduction(%x: tensor<256x128xf32>, %w: tensor<128x256xf32>)
    -> tensor<256x256xf32> {
  %0 = tfm.matmul %x, %w : (tensor<256x128xf32>, tensor<128x256xf32>) -> tensor<256x256xf32>
  %1 = tfm.softmax %0 {axis = -1 : i64} : tensor<256x256xf32>
  return %1 : tensor<256x256xf32>
}
func.func @negative_tile_matmul_epilogue_later_operand(%x: tensor<256x128xf32>, %w: tensor<128x256xf32>,
                                                      %y: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %0 = tfm.matmul %x, %w : (tensor<256x128xf32>, tensor<128x256xf32>) -> tensor<256x256xf32>
  %s = tfm.softmax %y {axis = -1 : i64} : tensor<256x256xf32>
  %1 = tfm.add %0, %s : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  return %1 : tensor<256x256xf32>
}
func.func @negative_tile_matmul_epilogue_batch_operand(%x: tensor<4x64x128xf32>, %w: tensor<128x256xf32>,
                                                       %g: tensor<4x1x256xf32>) -> tensor<4x64x256xf32> {
  %0 = tfm.matmul %x, %w : (tensor<4x64x128xf32>, tensor<128x256xf32>) -> tensor<4x64x256xf32>
  %1 = tfm.mul %0, %g : (tensor<4x64x256xf32>, tensor<4x1x256xf32>) -> tensor<4x64x256xf32>
  return %1 : tensor<4x64x256xf32>
}
