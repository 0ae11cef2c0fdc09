//===- TileMatmuls.cpp - pack and block large matmuls -------------*- C++
//-*-===//
//
// Data tiling and cache blocking of each large 2-D matmul (BLIS's loops),
// on tensors, from the target's schedule (compiler/target/Schedule.h). The
// micro-kernel itself -- an [mr, nr, kc] contraction -- is left to
// tfm-tile-and-vectorize, which keeps its accumulators in registers.
//
//   C[M, N] = A[M, K] x B[K, N]     (A stored [K, M] or B stored [N, K] too)
//   --> Bp = pack(B)                                 [N0/nr, K, nr]
//       Ap = A with rows padded by a line, if its rows alias in L1, or
//            [M0/mr, K, mr] if A is stored [K, M]
//       scf.forall (row chunk, panel chunk) {        threads
//         scf.for kb in [0, K) step kc {             Bp micro-panels (kc x nr)
//         in L1
//           scf.for mb in chunk rows step mc {       A block (mc x kc) in L2
//             scf.for n1 in chunk panels {
//               scf.for m1 in mb {
//                 c = kb == 0 ? 0 : C[m1, n1]        [mr, nr] (first kb peeled)
//                 C[m1, n1] = c + A[m1, kb] Bp[n1, kb]   micro-kernel [mr, nr,
//                 kc]
//       }}}}}
//
// Rows and columns past the whole register blocks (M mod mr, N mod nr) get
// edge micro-kernels of their own static size in the same loops. A transposed
// operand is read through the pack (B) or the micro-kernel's map (A): never
// copied first. A matmul too small to pay for packing keeps its plain
// contraction, with a transposed operand copied first.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"
#include "compiler/conversion/TfmToLinalg/Builders.h"
#include "compiler/dialect/TfmDialect.h"
#include "compiler/target/Schedule.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "tfm-tile-matmuls"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMTILEMATMULSPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using namespace mlir::tfm;
using namespace mlir::tfm::linalg_builders;

namespace {

/// A 2-D matmul as convert-tfm-to-linalg writes it: loops (m, n, k), the
/// lhs read at (m, k) or (k, m), the rhs at (k, n) or (n, k), the result
/// at (m, n), initialized by a fill of zero.
struct Matmul {
  linalg::GenericOp op;
  Value lhs, rhs;
  bool ta = false, tb = false;
  int64_t m = 0, n = 0, k = 0;
};

/// `op` as a Matmul, or the reason it is not one.
FailureOr<Matmul> matchMatmul(linalg::GenericOp op, std::string &why) {
  auto fail = [&](const char *reason) {
    why = reason;
    return failure();
  };
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 3 || !op.hasPureTensorSemantics() ||
      op.hasDynamicShape())
    return fail("not a static 2-D contraction on tensors");
  if (!linalg::isaContractionOpInterface(op))
    return fail("not a contraction");
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1 || !dims->batch.empty())
    return fail("not one m, n and k loop");
  unsigned dm = dims->m[0], dn = dims->n[0], dk = dims->k[0];
  MLIRContext *ctx = op.getContext();
  auto map = [&](unsigned a, unsigned b) {
    return AffineMap::get(
        3, 0, {getAffineDimExpr(a, ctx), getAffineDimExpr(b, ctx)}, ctx);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Matmul mm;
  mm.op = op;
  mm.lhs = op.getDpsInputs()[0];
  mm.rhs = op.getDpsInputs()[1];
  if (maps[2] != map(dm, dn))
    return fail("result not indexed (m, n)");
  if (maps[0] == map(dk, dm))
    mm.ta = true;
  else if (maps[0] != map(dm, dk))
    return fail("lhs not indexed (m, k) or (k, m)");
  if (maps[1] == map(dn, dk))
    mm.tb = true;
  else if (maps[1] != map(dk, dn))
    return fail("rhs not indexed (k, n) or (n, k)");
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  mm.m = ranges[dm];
  mm.n = ranges[dn];
  mm.k = ranges[dk];
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
    return fail("result not initialized to zero");
  if (op->getParentOfType<scf::ForallOp>())
    return fail("already inside a parallel loop (an attention tile)");
  return mm;
}

/// Whether `v` is an entry point's param, or a view of one.
bool isParam(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<tensor::ExtractSliceOp, tensor::ExpandShapeOp,
             tensor::CollapseShapeOp>(def))
      return false;
    v = def->getOperand(0);
  }
  auto arg = cast<BlockArgument>(v);
  auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
  return func && arg.getOwner()->isEntryBlock() && func.isPublic() &&
         func.getArgAttr(arg.getArgNumber(), tfm::TfmDialect::kParamAttrName);
}

/// An elementwise op that consumes the matmul's result, fused into the
/// blocked loops: computed on each result tile after its last k block, in
/// L1, instead of a pass over C. `op` reads C (through `expand`, when the
/// matmul is a linear layer on a batched input) and other operands, each
/// seen in the matmul's 2-D (row, column) space.
struct Epilogue {
  linalg::GenericOp op;
  tensor::ExpandShapeOp expand; // or null
  struct Operand {
    Value value; ///< 2-D, 1-D (rows or columns) or 0-D
    bool rows = false, cols = false;
  };
  SmallVector<Operand> operands; ///< per input of `op`; value null for C
};

/// The epilogue of `mm`, or the reason there is none.
FailureOr<Epilogue> matchEpilogue(Matmul mm, DominanceInfo &dominance,
                                  std::string &why) {
  auto fail = [&](const char *reason) {
    why = reason;
    return failure();
  };
  Value c = mm.op.getResult(0);
  if (!c.hasOneUse())
    return fail("the result has more than one use");
  Epilogue e;
  Operation *user = *c.getUsers().begin();
  Value seen = c; // C as the epilogue reads it
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(user)) {
    // Rows expanded into leading dimensions, columns kept last.
    SmallVector<ReassociationIndices> groups = expand.getReassociationIndices();
    if (groups.size() != 2 || groups[1].size() != 1 ||
        !expand.getResult().hasOneUse())
      return fail(
          "the result is reshaped other than rows into batch dimensions");
    e.expand = expand;
    seen = expand.getResult();
    user = *seen.getUsers().begin();
  }
  auto op = dyn_cast<linalg::GenericOp>(user);
  if (!op || op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics())
    return fail("the result's user is not one linalg.generic on tensors");
  if (op.getNumParallelLoops() != op.getNumLoops())
    return fail("the result's user is not elementwise (it reduces)");
  auto outType = cast<RankedTensorType>(op.getResult(0).getType());
  if (outType != seen.getType())
    return fail(
        "the elementwise op's result is not of the matmul's shape and type");
  unsigned rank = outType.getRank();
  if (!op.getIndexingMapsArray().back().isIdentity())
    return fail("the elementwise op writes its result permuted");
  // Its output's initial value must not be read.
  if (!op.getRegionOutputArgs()[0].use_empty())
    return fail("the elementwise op reads its output's initial value");
  e.op = op;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    Epilogue::Operand operand;
    if (in->get() == seen) {
      if (!map.isIdentity())
        return fail("the elementwise op reads the matmul's result permuted");
      e.operands.push_back(operand);
      continue;
    }
    if (!map.isProjectedPermutation())
      return fail(
          "an operand of the elementwise op is not read along its loops");
    // Dimensions read: all the row dimensions (0 .. rank-2) or none, and the
    // column (rank-1) or not, in order.
    SmallVector<unsigned> dims;
    for (AffineExpr r : map.getResults())
      dims.push_back(cast<AffineDimExpr>(r).getPosition());
    if (!llvm::is_sorted(dims))
      return fail("an operand of the elementwise op is read transposed");
    unsigned rowDims =
        llvm::count_if(dims, [&](unsigned d) { return d + 1 < rank; });
    if (rowDims != 0 && rowDims != rank - 1)
      return fail("an operand of the elementwise op depends on only some row "
                  "dimensions");
    operand.rows = rowDims != 0;
    operand.cols = !dims.empty() && dims.back() == rank - 1;
    Value v = in->get();
    if (Operation *def = v.getDefiningOp();
        def && !dominance.properlyDominates(def, mm.op))
      return fail(
          "an operand of the elementwise op is computed after the matmul");
    if (auto arg = dyn_cast<BlockArgument>(v);
        arg && !dominance.dominates(arg.getOwner(), mm.op->getBlock()))
      return fail(
          "an operand of the elementwise op is computed after the matmul");
    operand.value = v;
    e.operands.push_back(operand);
  }
  return e;
}

/// Builds the packed and blocked form of one matmul.
class MatmulTiler {
public:
  MatmulTiler(OpBuilder &b, Matmul mm, const MatmulSchedule &s,
              std::optional<Epilogue> epilogue = std::nullopt)
      : b(b), loc(mm.op.getLoc()), mm(mm), s(s), epilogue(std::move(epilogue)),
        et(tensorType(mm.lhs).getElementType()) {
    mr = s.block.mr;
    nr = s.block.nr;
    fullRows = mm.m / mr;
    rowEdge = mm.m % mr;
    fullPanels = mm.n / nr;
    colEdge = mm.n % nr;
  }

  /// C, packed and blocked (with the epilogue applied, if there is one).
  Value build() {
    Value c = emptyTensor(b, loc, ty({mm.m, mm.n}));
    if (epilogue)
      for (const Epilogue::Operand &o : epilogue->operands)
        epilogueOperands.push_back(o.value ? view2d(o) : Value());
    return blocked(paddedLhs(), packTransposedLhs(), packRhs(), c);
  }

  /// Copies a transposed operand of a plain contraction `op` into a tensor
  /// of its own first, so that the contraction streams both along rows
  /// (what tfm-tile-and-vectorize's register blocks read well).
  void untransposeOperands(linalg::GenericOp op) {
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    // Loop order (m, n, k) as convert-tfm-to-linalg writes it.
    SmallVector<AffineMap> want = {map2(ctx, 0, 2), map2(ctx, 2, 1)};
    bool changed = false;
    for (unsigned i = 0; i < 2; ++i) {
      if (maps[i] == want[i])
        continue;
      Value v = op.getDpsInputs()[i];
      RankedTensorType t = tensorType(v);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPoint(op);
      Value out = emptyTensor(b, loc, ty({t.getDimSize(1), t.getDimSize(0)}));
      Value copy =
          b.create<linalg::TransposeOp>(loc, v, out, ArrayRef<int64_t>{1, 0})
              .getResult()[0];
      op->setOperand(i, copy);
      maps[i] = want[i];
      changed = true;
    }
    if (changed)
      op.setIndexingMapsAttr(b.getAffineMapArrayAttr(maps));
  }

private:
  OpBuilder &b;
  Location loc;
  Matmul mm;
  const MatmulSchedule &s;
  std::optional<Epilogue> epilogue;
  SmallVector<Value> epilogueOperands; // 2-D views, built in build()
  Type et;
  int64_t mr, nr;
  int64_t fullRows, rowEdge;   // whole register blocks of rows, rows left
  int64_t fullPanels, colEdge; // whole panels of columns, columns left

  static AffineMap map2(MLIRContext *ctx, unsigned a, unsigned c) {
    return AffineMap::get(
        3, 0, {getAffineDimExpr(a, ctx), getAffineDimExpr(c, ctx)}, ctx);
  }
  RankedTensorType ty(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, et);
  }
  Value idx(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  OpFoldResult attr(int64_t v) { return b.getIndexAttr(v); }
  Value minIndex(Value a, Value c) {
    return b.create<arith::MinSIOp>(loc, a, c);
  }
  Value mul(Value a, Value c) { return b.create<arith::MulIOp>(loc, a, c); }
  Value add(Value a, Value c) { return b.create<arith::AddIOp>(loc, a, c); }
  Value sub(Value a, Value c) { return b.create<arith::SubIOp>(loc, a, c); }

  /// A static 2-D slice of `v`.
  Value slice(Value v, OpFoldResult o0, OpFoldResult o1, int64_t s0,
              int64_t s1) {
    return b.create<tensor::ExtractSliceOp>(
        loc, ty({s0, s1}), v, ArrayRef<OpFoldResult>{o0, o1},
        ArrayRef<OpFoldResult>{attr(s0), attr(s1)},
        ArrayRef<OpFoldResult>{attr(1), attr(1)});
  }

  /// A copy `in` -> `out` through `inMap` (loops: `out`'s dimensions), as
  /// a linalg.copy where the map is the identity (a generic that only yields
  /// its input would fold away into an insert_slice, copied by scalar loops
  /// after bufferization), else as a linalg.generic.
  Value copy(Value in, Value out, AffineMap inMap) {
    unsigned rank = tensorType(out).getRank();
    if (inMap.isIdentity()) {
      auto op = b.create<linalg::CopyOp>(loc, in, out);
      op->setAttr(tfm::TfmDialect::kPackAttrName, b.getUnitAttr());
      return op.getResult(0);
    }
    auto op = b.create<linalg::GenericOp>(
        loc, TypeRange{out.getType()}, ValueRange{in}, ValueRange{out},
        ArrayRef<AffineMap>{
            inMap, AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange a) {
          b.create<linalg::YieldOp>(l, a[0]);
        });
    op->setAttr(tfm::TfmDialect::kPackAttrName, b.getUnitAttr());
    return op.getResult(0);
  }

  /// Bp[p, k, j] = B[k, p nr + j] (or Bt[p nr + j, k]): each micro-panel
  /// (kc rows of one panel) is contiguous. The last panel holds the columns
  /// left over (colEdge of its nr; the rest is never read).
  Value packRhs() {
    int64_t k = mm.k, panels = fullPanels + (colEdge ? 1 : 0);
    MLIRContext *ctx = b.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value bp = emptyTensor(b, loc, ty({panels, k, nr}));
    SmallVector<OpFoldResult> ones(3, attr(1));
    if (fullPanels) {
      int64_t n0 = fullPanels * nr;
      Value src;
      AffineMap main;
      if (!mm.tb) { // [K, N0] -> [K, P, nr]
        src = b.create<tensor::ExpandShapeOp>(
            loc, ty({k, fullPanels, nr}),
            slice(mm.rhs, attr(0), attr(0), k, n0),
            SmallVector<ReassociationIndices>{{0}, {1, 2}});
        main = AffineMap::get(3, 0, {d(1), d(0), d(2)}, ctx);
      } else { // [N0, K] -> [P, nr, K]
        src = b.create<tensor::ExpandShapeOp>(
            loc, ty({fullPanels, nr, k}),
            slice(mm.rhs, attr(0), attr(0), n0, k),
            SmallVector<ReassociationIndices>{{0, 1}, {2}});
        main = AffineMap::get(3, 0, {d(0), d(2), d(1)}, ctx);
      }
      Value part = b.create<tensor::ExtractSliceOp>(
          loc, ty({fullPanels, k, nr}), bp,
          ArrayRef<OpFoldResult>{attr(0), attr(0), attr(0)},
          ArrayRef<OpFoldResult>{attr(fullPanels), attr(k), attr(nr)}, ones);
      // Loops (p, k, j), j innermost: contiguous in Bp.
      Value packed = copy(src, part, main);
      bp = b.create<tensor::InsertSliceOp>(
          loc, packed, bp, ArrayRef<OpFoldResult>{attr(0), attr(0), attr(0)},
          ArrayRef<OpFoldResult>{attr(fullPanels), attr(k), attr(nr)}, ones);
    }
    if (colEdge) {
      int64_t n0 = fullPanels * nr;
      Value src = mm.tb ? slice(mm.rhs, attr(n0), attr(0), colEdge, k)
                        : slice(mm.rhs, attr(0), attr(n0), k, colEdge);
      AffineMap in = AffineMap::get(2, 0,
                                    mm.tb ? ArrayRef<AffineExpr>{d(1), d(0)}
                                          : ArrayRef<AffineExpr>{d(0), d(1)},
                                    ctx);
      Value part = b.create<tensor::ExtractSliceOp>(
          loc, ty({k, colEdge}), bp,
          ArrayRef<OpFoldResult>{attr(fullPanels), attr(0), attr(0)},
          ArrayRef<OpFoldResult>{attr(1), attr(k), attr(colEdge)}, ones);
      Value packed = copy(src, part, in);
      bp = b.create<tensor::InsertSliceOp>(
          loc, packed, bp,
          ArrayRef<OpFoldResult>{attr(fullPanels), attr(0), attr(0)},
          ArrayRef<OpFoldResult>{attr(1), attr(k), attr(colEdge)}, ones);
    }
    return bp;
  }

  /// The lhs the micro-kernel reads: A itself, or (schedule.padLhs) a copy
  /// with each row one cache line longer, so that mr rows K floats apart do
  /// not all fall in one L1 set.
  Value paddedLhs() {
    if (!s.padLhs || mm.ta)
      return mm.lhs;
    int64_t m = mm.m, k = mm.k, pad = 16;
    Value padded = emptyTensor(b, loc, ty({m, k + pad}));
    Value rows = slice(padded, attr(0), attr(0), m, k);
    Value copied = copy(mm.lhs, rows,
                        AffineMap::getMultiDimIdentityMap(2, b.getContext()));
    return b.create<tensor::InsertSliceOp>(
        loc, copied, padded, ArrayRef<OpFoldResult>{attr(0), attr(0)},
        ArrayRef<OpFoldResult>{attr(m), attr(k)},
        ArrayRef<OpFoldResult>{attr(1), attr(1)});
  }

  /// For a lhs stored transposed ([K, M]): Ap[q, k, i] = At[k, q mr + i]
  /// for the whole register blocks of rows, so that a micro-panel (kc steps
  /// of mr values) is contiguous. Unpacked, each k step reads a row M floats
  /// after the last: a new page every step at M >= 1024, which hardware
  /// prefetchers do not cross. Null for a lhs stored [M, K].
  Value packTransposedLhs() {
    if (!mm.ta || !fullRows || !s.packTransposedLhs)
      return Value();
    int64_t k = mm.k, m0 = fullRows * mr;
    MLIRContext *ctx = b.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value src = b.create<tensor::ExpandShapeOp>(
        loc, ty({k, fullRows, mr}), slice(mm.lhs, attr(0), attr(0), k, m0),
        SmallVector<ReassociationIndices>{{0}, {1, 2}});
    return copy(src, emptyTensor(b, loc, ty({fullRows, k, mr})),
                AffineMap::get(3, 0, {d(1), d(0), d(2)}, ctx));
  }

  /// An epilogue operand collapsed to the matmul's 2-D space: [M, N], [M],
  /// [N] or a scalar.
  Value view2d(const Epilogue::Operand &o) {
    auto type = cast<RankedTensorType>(o.value.getType());
    int64_t rank = type.getRank();
    if (o.rows && rank > (o.cols ? 2 : 1)) {
      ReassociationIndices rowsGroup;
      for (int64_t d = 0; d < rank - (o.cols ? 1 : 0); ++d)
        rowsGroup.push_back(d);
      SmallVector<ReassociationIndices> groups = {rowsGroup};
      SmallVector<int64_t> shape = {mm.m};
      if (o.cols) {
        groups.push_back({rank - 1});
        shape.push_back(type.getShape().back());
      }
      return b.create<tensor::CollapseShapeOp>(
          loc, RankedTensorType::get(shape, type.getElementType()), o.value,
          groups);
    }
    return o.value;
  }

  /// The epilogue on the [h, w] result tile `acc` at element (row, col),
  /// in place: `acc` is the op's output, read through its block argument
  /// (as an input too, bufferization would copy the tile first).
  Value applyEpilogue(Value acc, Value row, Value col, int64_t h, int64_t w) {
    MLIRContext *ctx = b.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (auto [o, v] : llvm::zip(epilogue->operands, epilogueOperands)) {
      if (!v) // C: the output
        continue;
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<OpFoldResult> offsets, sizes, strides;
      SmallVector<int64_t> shape;
      SmallVector<AffineExpr> exprs;
      if (o.rows) {
        offsets.push_back(row), sizes.push_back(attr(h)), shape.push_back(h);
        exprs.push_back(d(0));
      }
      if (o.cols) {
        offsets.push_back(col), sizes.push_back(attr(w)), shape.push_back(w);
        exprs.push_back(d(1));
      }
      strides.assign(offsets.size(), attr(1));
      Value tile = v;
      if (!offsets.empty())
        tile = b.create<tensor::ExtractSliceOp>(
            loc, RankedTensorType::get(shape, type.getElementType()), v,
            offsets, sizes, strides);
      inputs.push_back(tile);
      maps.push_back(AffineMap::get(2, 0, exprs, ctx));
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(2, ctx));
    Block &body = epilogue->op.getRegion().front();
    auto op = b.create<linalg::GenericOp>(
        loc, TypeRange{acc.getType()}, inputs, ValueRange{acc}, maps,
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location l, ValueRange args) {
          // The original's arguments: its inputs in order (C among them),
          // then its output (unused).
          IRMapping mapping;
          unsigned next = 0;
          for (auto [i, o] : llvm::enumerate(epilogue->operands))
            mapping.map(body.getArgument(i),
                        o.value ? args[next++] : args.back());
          mapping.map(body.getArguments().back(), args.back());
          for (Operation &inner : body.without_terminator())
            nb.clone(inner, mapping);
          SmallVector<Value> yields;
          for (Value y : body.getTerminator()->getOperands())
            yields.push_back(mapping.lookupOrDefault(y));
          nb.create<linalg::YieldOp>(l, yields);
        });
    op->setAttr("tfm.epilogue", b.getUnitAttr());
    return op.getResult(0);
  }

  /// The micro-kernel: c[h, w] += A tile x Bp micro-panel, [h, w, kc].
  Value microKernel(Value aTile, Value bPanel, Value c) {
    MLIRContext *ctx = b.getContext();
    // The lhs tile: [h, kc], or [kc, h] stored transposed.
    AffineMap aMap = mm.ta ? map2(ctx, 2, 0) : map2(ctx, 0, 2);
    SmallVector<utils::IteratorType> iterators = {
        utils::IteratorType::parallel, utils::IteratorType::parallel,
        utils::IteratorType::reduction};
    auto kernel = b.create<linalg::GenericOp>(
        loc, TypeRange{c.getType()}, ValueRange{aTile, bPanel}, ValueRange{c},
        ArrayRef<AffineMap>{aMap, map2(ctx, 2, 1), map2(ctx, 0, 1)}, iterators,
        [](OpBuilder &b, Location l, ValueRange a) {
          Value prod = b.create<arith::MulFOp>(l, a[0], a[1]);
          b.create<linalg::YieldOp>(
              l, ValueRange{b.create<arith::AddFOp>(l, a[2], prod)});
        });
    // The register tile: all of [h, w], one k step per iteration.
    kernel->setAttr("tfm.tile_sizes", b.getDenseI64ArrayAttr({0, 0, 1}));
    if (s.noUnroll)
      kernel->setAttr("tfm.no_unroll", b.getUnitAttr());
    return kernel.getResult(0);
  }

  /// A loop [lb, ub) step `step` carrying `init`; `body(iv, carried)`
  /// returns the new carried value.
  Value loop(Value lb, Value ub, Value step, Value init,
             function_ref<Value(Value, Value)> body) {
    auto forOp = b.create<scf::ForOp>(
        loc, lb, ub, step, ValueRange{init},
        [&](OpBuilder &nested, Location l, Value iv, ValueRange args) {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          b.create<scf::YieldOp>(l, body(iv, args[0]));
        });
    return forOp.getResult(0);
  }

  /// The blocked loops over C: chunks of register blocks on threads, BLIS's
  /// loops inside each, edge blocks (rowEdge rows, colEdge columns) where a
  /// chunk holds the last block row or panel.
  Value blocked(Value lhs, Value ap, Value bp, Value c) {
    int64_t blockRows = fullRows + (rowEdge ? 1 : 0);
    int64_t panels = fullPanels + (colEdge ? 1 : 0);
    // About 16 chunks, rows first in mc-sized pieces: each thread gets
    // several to balance, each chunk keeps whole L2 blocks of A.
    constexpr int64_t kChunks = 16;
    int64_t rowChunks =
        std::clamp<int64_t>((mm.m + s.mc - 1) / s.mc, 1, blockRows);
    int64_t panelChunks =
        std::clamp<int64_t>((kChunks + rowChunks - 1) / rowChunks, 1, panels);
    if (rowChunks * panelChunks < kChunks)
      rowChunks = std::clamp<int64_t>((kChunks + panelChunks - 1) / panelChunks,
                                      1, blockRows);
    int64_t rowsPer = (blockRows + rowChunks - 1) / rowChunks;
    int64_t panelsPer = (panels + panelChunks - 1) / panelChunks;
    rowChunks = (blockRows + rowsPer - 1) / rowsPer;
    panelChunks = (panels + panelsPer - 1) / panelsPer;
    LLVM_DEBUG(llvm::dbgs()
               << "matmul " << mm.m << "x" << mm.k << "x" << mm.n << ": block "
               << mr << "x" << nr << " (edges " << rowEdge << ", " << colEdge
               << "), kc " << s.kc << ", mc " << s.mc << ", chunks "
               << rowChunks << "x" << panelChunks << "\n");

    auto forall = b.create<scf::ForallOp>(
        loc,
        getAsIndexOpFoldResult(b.getContext(),
                               ArrayRef<int64_t>{rowChunks, panelChunks}),
        ValueRange{c}, /*mapping=*/std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    Block *body = forall.getBody();
    b.setInsertionPointToStart(body);
    Value ci = body->getArgument(0), cj = body->getArgument(1);
    Value shared = body->getArgument(2);
    // This chunk: block rows [r0, r1), panels [p0, p1); the whole ones end
    // at rFull and pFull.
    Value r0 = mul(ci, idx(rowsPer)), p0 = mul(cj, idx(panelsPer));
    Value r1 = minIndex(add(r0, idx(rowsPer)), idx(blockRows));
    Value p1 = minIndex(add(p0, idx(panelsPer)), idx(panels));
    Value rFull = minIndex(r1, idx(fullRows)),
          pFull = minIndex(p1, idx(fullPanels));
    Value rowOff = mul(r0, idx(mr)), colOff = mul(p0, idx(nr));
    Value rows = sub(minIndex(mul(r1, idx(mr)), idx(mm.m)), rowOff);
    Value cols = sub(minIndex(mul(p1, idx(nr)), idx(mm.n)), colOff);
    Value chunk = b.create<tensor::ExtractSliceOp>(
        loc, shared, ArrayRef<OpFoldResult>{rowOff, colOff},
        ArrayRef<OpFoldResult>{rows, cols},
        ArrayRef<OpFoldResult>{attr(1), attr(1)});

    Value zero = floatConstant(b, loc, et, 0.0);
    Value mcBlocks = idx(std::max<int64_t>(1, s.mc / mr));
    // The [h, w] tile at block row r, panel p, for k block kb. The first k
    // block starts from zero -- the plain matmul's fill, on the tile here
    // instead of a pass over C -- the others from C.
    auto tile = [&](Value c, Value r, Value p, int64_t h, int64_t w, Value kb,
                    Value first, Value last) -> Value {
      Value row = mul(r, idx(mr)), col = mul(p, idx(nr));
      SmallVector<OpFoldResult> at = {sub(row, rowOff), sub(col, colOff)},
                                size = {attr(h), attr(w)},
                                one = {attr(1), attr(1)};
      Value t =
          b.create<tensor::ExtractSliceOp>(loc, ty({h, w}), c, at, size, one);
      t = b.create<scf::IfOp>(
               loc, first,
               [&](OpBuilder &nb, Location l) {
                 nb.create<scf::YieldOp>(
                     l, nb.create<linalg::FillOp>(l, zero, t).getResult(0));
               },
               [&](OpBuilder &nb, Location l) {
                 nb.create<scf::YieldOp>(l, t);
               })
              .getResult(0);
      Value a = !mm.ta ? slice(lhs, row, kb, h, s.kc)
                : ap && h == mr
                    ? b.create<tensor::ExtractSliceOp>(
                          loc, ty({s.kc, mr}), ap,
                          ArrayRef<OpFoldResult>{r, kb, attr(0)},
                          ArrayRef<OpFoldResult>{attr(1), attr(s.kc), attr(mr)},
                          ArrayRef<OpFoldResult>{attr(1), attr(1), attr(1)})
                    : slice(lhs, kb, row, s.kc, h);
      Value panel = b.create<tensor::ExtractSliceOp>(
          loc, ty({s.kc, w}), bp, ArrayRef<OpFoldResult>{p, kb, attr(0)},
          ArrayRef<OpFoldResult>{attr(1), attr(s.kc), attr(w)},
          ArrayRef<OpFoldResult>{attr(1), attr(1), attr(1)});
      Value acc = microKernel(a, panel, t);
      if (epilogue)
        acc = b.create<scf::IfOp>(
                   loc, last,
                   [&](OpBuilder &nb, Location l) {
                     OpBuilder::InsertionGuard g(b);
                     b.setInsertionPointToStart(nb.getInsertionBlock());
                     b.create<scf::YieldOp>(l,
                                            applyEpilogue(acc, row, col, h, w));
                   },
                   [&](OpBuilder &nb, Location l) {
                     nb.create<scf::YieldOp>(l, acc);
                   })
                  .getResult(0);
      return b.create<tensor::InsertSliceOp>(loc, acc, c, at, size, one);
    };
    // One k block over the chunk: lhs row blocks (mc), panels, block rows;
    // then the edges, as loops from the last whole block to the chunk's end
    // (one trip where the chunk holds the edge, none elsewhere: an scf.if
    // yielding the chunk would make bufferization copy it).
    auto kBlock = [&](Value kb, Value c) {
      Value first =
          b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, kb, idx(0));
      Value last = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, kb,
                                           idx(mm.k - s.kc));
      c = loop(r0, rFull, mcBlocks, c, [&](Value mb, Value c) {
        Value mbEnd = minIndex(add(mb, mcBlocks), rFull);
        c = loop(p0, pFull, idx(1), c, [&](Value p, Value c) {
          return loop(mb, mbEnd, idx(1), c, [&](Value r, Value c) {
            return tile(c, r, p, mr, nr, kb, first, last);
          });
        });
        if (colEdge)
          c = loop(pFull, p1, idx(1), c, [&](Value p, Value c) {
            return loop(mb, mbEnd, idx(1), c, [&](Value r, Value c) {
              return tile(c, r, p, mr, colEdge, kb, first, last);
            });
          });
        return c;
      });
      if (rowEdge)
        c = loop(rFull, r1, idx(1), c, [&](Value r, Value c) {
          c = loop(p0, pFull, idx(1), c, [&](Value p, Value c) {
            return tile(c, r, p, rowEdge, nr, kb, first, last);
          });
          if (colEdge)
            c = loop(pFull, p1, idx(1), c, [&](Value p, Value c) {
              return tile(c, r, p, rowEdge, colEdge, kb, first, last);
            });
          return c;
        });
      return c;
    };
    Value done = loop(idx(0), idx(mm.k), idx(s.kc), chunk,
                      [&](Value kb, Value c) { return kBlock(kb, c); });
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    b.create<tensor::ParallelInsertSliceOp>(
        loc, done, shared, ArrayRef<OpFoldResult>{rowOff, colOff},
        ArrayRef<OpFoldResult>{rows, cols},
        ArrayRef<OpFoldResult>{attr(1), attr(1)});
    return forall.getResult(0);
  }
};

struct TfmTileMatmulsPass
    : tfm::impl::TfmTileMatmulsPassBase<TfmTileMatmulsPass> {
  using TfmTileMatmulsPassBase::TfmTileMatmulsPassBase;

  void runOnOperation() override {
    FailureOr<CpuTarget> target = targetOf(getOperation());
    if (failed(target))
      return signalPassFailure();
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    llvm::DenseSet<Operation *> erased;
    DominanceInfo dominance(getOperation());
    OpBuilder b(&getContext());
    for (linalg::GenericOp op : ops) {
      if (erased.contains(op))
        continue;
      std::string why;
      FailureOr<Matmul> mm = matchMatmul(op, why);
      if (failed(mm)) {
        LLVM_DEBUG(llvm::dbgs() << "not tiled (" << why << "): " << op << "\n");
        continue;
      }
      MatmulSchedule s = matmulSchedule(*target, mm->m, mm->n, mm->k, mm->ta,
                                        {blockRows, blockCols, depth});
      b.setInsertionPoint(op);
      // A weight packed once outside the call costs nothing to pack here:
      // the packed kernel then pays at any number of rows (a decoding step).
      bool packedOnce = paramsPackedOnce && isParam(mm->rhs);
      bool large = (mm->m >= s.block.mr || packedOnce) && mm->n >= s.block.nr &&
                   mm->m * mm->n * mm->k >= minFlops;
      if ((!s.pack && !packedOnce) || !large) {
        // Plain: tfm-tile-and-vectorize tiles it as it is.
        MatmulTiler(b, *mm, s).untransposeOperands(op);
        continue;
      }
      std::optional<Epilogue> epilogue;
      if (fuseEpilogues) {
        FailureOr<Epilogue> e = matchEpilogue(*mm, dominance, why);
        if (succeeded(e))
          epilogue = *e;
        else
          LLVM_DEBUG(llvm::dbgs()
                     << "no epilogue (" << why << "): " << op << "\n");
      }
      MatmulTiler tiler(b, *mm, s, epilogue);
      Value c = tiler.build();
      Value fill = op.getDpsInits()[0];
      if (epilogue) {
        // The epilogue's result is the blocked loops' (reshaped back).
        Value result = c;
        if (epilogue->expand)
          result = b.create<tensor::ExpandShapeOp>(
              epilogue->expand.getLoc(), epilogue->expand.getResultType(), c,
              epilogue->expand.getReassociationIndices());
        epilogue->op.getResult(0).replaceAllUsesWith(result);
        erased.insert(epilogue->op);
        epilogue->op.erase();
        if (epilogue->expand)
          epilogue->expand.erase();
      } else {
        op.getResult(0).replaceAllUsesWith(c);
      }
      op.erase();
      if (Operation *f = fill.getDefiningOp(); f && f->use_empty())
        f->erase();
    }
  }
};

} // namespace
