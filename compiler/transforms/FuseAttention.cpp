//===- FuseAttention.cpp - form tfm.flash_attention -------------*- C++ -*-===//
//
// Pattern-matches unfused attention, from the second matmul back to the
// first, and replaces it by tfm.flash_attention. Refuses (with a reason)
// whatever fusion would change: a softmax over another axis, an intermediate
// with another use, a bias that does not broadcast into the scores, a
// non-positive scale after a mask.
//
//   matmul(softmax(M(matmul(Q, K^T))), V) --> flash_attention(Q, K, V)
//   with M a sequence of scale / mask / add(bias) / select(c, x, -inf)
//
// Constant masks (a -inf bias or a select condition) with the causal pattern,
// or a sliding window's band of it, become the op's causal and window.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"

#include "compiler/dialect/TfmOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <numeric>
#include <optional>

#define DEBUG_TYPE "tfm-fuse-attention"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMFUSEATTENTIONPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using namespace mlir::tfm;

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Whether `v` is a constant whose every element is -inf.
bool isNegInfSplat(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) ||
      !isa<FloatType>(attr.getElementType()))
    return false;
  return llvm::all_of(attr.getValues<APFloat>(), [](const APFloat &f) {
    return f.isInfinity() && f.isNegative();
  });
}

/// If the constant `attr`, shaped [..., Tq, Tk] with exactly the scores'
/// trailing dimensions, marks through `isAllowed(element index)`, identically
/// in every leading slice, the causal keys `j <= i + (Tk - Tq)` of a sliding
/// window W (also `j > i + (Tk - Tq) - W`), returns W: 0 when the window
/// leaves out nothing (plain causal).
template <typename IsAllowed>
std::optional<int64_t> causalWindowOf(ShapedType type, int64_t tq, int64_t tk,
                                      IsAllowed isAllowed) {
  ArrayRef<int64_t> shape = type.getShape();
  if (shape.size() < 2 || shape[shape.size() - 2] != tq || shape.back() != tk)
    return std::nullopt;
  // The last query allows keys (Tk - 1 - W, Tk - 1]: min(W, Tk) of them.
  int64_t lastRow = 0;
  for (int64_t j = 0; j < tk; ++j)
    lastRow += isAllowed((tq - 1) * tk + j);
  if (lastRow == 0)
    return std::nullopt;
  int64_t window = lastRow == tk ? 0 : lastRow, diagonal = tk - tq;
  int64_t slices = type.getNumElements() / (tq * tk);
  for (int64_t s = 0; s < slices; ++s)
    for (int64_t i = 0; i < tq; ++i)
      for (int64_t j = 0; j < tk; ++j) {
        bool allowed =
            j <= i + diagonal && (window == 0 || j > i + diagonal - window);
        if (isAllowed((s * tq + i) * tk + j) != allowed)
          return std::nullopt;
      }
  return window;
}

/// A bias constant of 0 (allowed) and -inf (masked) with a causal pattern:
/// its window.
std::optional<int64_t> causalBiasWindow(Value bias, int64_t tq, int64_t tk) {
  DenseElementsAttr attr;
  if (!matchPattern(bias, m_Constant(&attr)) || attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  auto values = llvm::to_vector(attr.getValues<APFloat>());
  for (const APFloat &f : values)
    if (!f.isZero() && !(f.isInfinity() && f.isNegative()))
      return std::nullopt;
  return causalWindowOf(attr.getType(), tq, tk,
                        [&](int64_t n) { return values[n].isZero(); });
}

/// A boolean constant, true where a key is allowed, with a causal pattern:
/// its window.
std::optional<int64_t> causalConditionWindow(Value condition, int64_t tq,
                                             int64_t tk) {
  DenseElementsAttr attr;
  if (!matchPattern(condition, m_Constant(&attr)) || attr.isSplat())
    return std::nullopt;
  auto values = llvm::to_vector(attr.getValues<bool>());
  return causalWindowOf(attr.getType(), tq, tk,
                        [&](int64_t n) { return values[n]; });
}

/// What the walk from the softmax back to Q K^T collected.
struct Chain {
  /// Two causal masks with windows keep the keys both allow.
  void addCausal(int64_t w) {
    causal = true;
    if (w > 0)
      window = window == 0 ? w : std::min(window, w);
  }

  MatmulOp scores;    // Q K^T
  double scale = 1.0; // product of every scale
  bool causal = false;
  int64_t window = 0;     // the narrowest sliding window seen; 0: none
  Value lengths;          // padding mask
  Value bias;             // additive bias, before scaling
  double biasScale = 1.0; // scales applied after the bias in program order
  Value selectCondition;  // select(c, x, -inf) that is not causal
  bool masked = false;    // a mask, -inf bias or select was seen
};

/// Why each probabilities matmul was last refused; its entry goes when it
/// fuses. Only the pass fills it (option remarks), to emit a remark at each
/// matmul still unfused at the end.
using Refusals = llvm::DenseMap<Operation *, std::string>;

struct FuseAttentionPattern : OpRewritePattern<MatmulOp> {
  FuseAttentionPattern(MLIRContext *ctx, Refusals *refusals)
      : OpRewritePattern(ctx), refusals(refusals) {}

  /// Refuses to fuse at `pv`; records the reason when `pv` reads a softmax
  /// (every other matmul is simply not attention).
  LogicalResult refuse(PatternRewriter &rewriter, MatmulOp pv,
                       const Twine &reason) const {
    if (refusals && pv.getLhs().getDefiningOp<SoftmaxOp>())
      (*refusals)[pv] = reason.str();
    return rewriter.notifyMatchFailure(pv, reason);
  }

  LogicalResult matchAndRewrite(MatmulOp pv,
                                PatternRewriter &rewriter) const override {
    if (pv.getTransposeA())
      return refuse(rewriter, pv, "probabilities read transposed");
    auto softmax = pv.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax)
      return refuse(rewriter, pv, "lhs is not a softmax");
    RankedTensorType scoresType = softmax.getType();
    int64_t rank = scoresType.getRank();
    if (rank < 2 || softmax.getNormalizedAxis() != rank - 1)
      return refuse(rewriter, pv, "softmax is not over the keys");
    if (!softmax->hasOneUse())
      return refuse(rewriter, pv, "probabilities have another use");
    int64_t tq = scoresType.getShape()[rank - 2];
    int64_t tk = scoresType.getShape()[rank - 1];

    // Walk from the softmax's input back to Q K^T.
    Chain chain;
    Value x = softmax.getInput();
    while (true) {
      if (!x.hasOneUse())
        return refuse(rewriter, pv, "scores have another use");
      Operation *def = x.getDefiningOp();
      if (!def)
        return refuse(rewriter, pv, "scores are an argument");
      if (auto mm = dyn_cast<MatmulOp>(def)) {
        chain.scores = mm;
        break;
      }
      if (auto scale = dyn_cast<ScaleOp>(def)) {
        double f = scale.getFactor().convertToDouble();
        if (!(f > 0.0))
          return refuse(rewriter, pv, "a scale that is not positive");
        chain.scale *= f;
        if (!chain.bias)
          chain.biasScale *= f;
        x = scale.getInput();
        continue;
      }
      if (auto mask = dyn_cast<MaskOp>(def)) {
        if (mask.getCausal())
          chain.addCausal(mask.getWindow());
        if (Value lengths = mask.getLengths()) {
          if (chain.lengths)
            return refuse(rewriter, pv, "two padding masks");
          chain.lengths = lengths;
        }
        chain.masked = true;
        x = mask.getInput();
        continue;
      }
      if (auto add = dyn_cast<AddOp>(def)) {
        // The scores are the operand of the result's type that leads on.
        Value lhs = add.getLhs(), rhs = add.getRhs();
        bool lhsIsScores = lhs.getType() == scoresType && leadsToScores(lhs);
        Value scores = lhsIsScores ? lhs : rhs, bias = lhsIsScores ? rhs : lhs;
        if (scores.getType() != scoresType || !leadsToScores(scores))
          return refuse(rewriter, pv,
                        "an add that broadcasts the scores to another shape");
        if (std::optional<int64_t> w = causalBiasWindow(bias, tq, tk)) {
          chain.addCausal(*w);
          chain.masked = true;
        } else if (chain.bias) {
          return refuse(rewriter, pv, "two additive biases");
        } else {
          chain.bias = bias;
        }
        x = scores;
        continue;
      }
      if (auto select = dyn_cast<SelectOp>(def)) {
        if (!isNegInfSplat(select.getOnFalse()) ||
            select.getOnTrue().getType() != scoresType)
          return refuse(rewriter, pv,
                        "a select that is not select(allowed, scores, -inf)");
        if (std::optional<int64_t> w =
                causalConditionWindow(select.getCondition(), tq, tk))
          chain.addCausal(*w);
        else if (chain.selectCondition)
          return refuse(rewriter, pv, "two select masks");
        else
          chain.selectCondition = select.getCondition();
        chain.masked = true;
        x = select.getOnTrue();
        continue;
      }
      return refuse(rewriter, pv,
                    "an op other than scale, mask, "
                    "add or select before softmax");
    }
    if (chain.bias && chain.selectCondition)
      return refuse(rewriter, pv, "both a bias and a select mask");
    if (llvm::is_contained(scoresType.getShape(), 0))
      return refuse(rewriter, pv, "empty scores");

    // Q, K and V in the op's layout: [.., Tq, D], [.., Tk, D], [.., Tk, Dv].
    Location loc = pv.getLoc();
    MatmulOp qk = chain.scores;
    auto swapInner = [&](Value t) -> Value {
      SmallVector<int64_t> perm(tensorType(t).getRank());
      std::iota(perm.begin(), perm.end(), 0);
      std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
      return rewriter.create<TransposeOp>(loc, t, perm);
    };
    Value q = qk.getLhs(), k = qk.getRhs(), v = pv.getRhs();
    if (auto qScale = q.getDefiningOp<ScaleOp>()) {
      double f = qScale.getFactor().convertToDouble();
      if (f > 0.0 || !chain.masked) {
        chain.scale *= f;
        q = qScale.getInput();
      }
    }
    // Shapes first: only then create ops.
    SmallVector<int64_t> batch(scoresType.getShape().drop_back(2));
    int64_t qBatchRank = tensorType(qk.getLhs()).getRank() - 2;
    if (qBatchRank != int64_t(batch.size()) ||
        ArrayRef<int64_t>(tensorType(qk.getLhs()).getShape()).drop_back(2) !=
            ArrayRef<int64_t>(batch))
      return refuse(rewriter, pv,
                    "the query's batch dimensions are broadcast by the key's");
    if (pv.getType().getShape().drop_back(2) != ArrayRef<int64_t>(batch))
      return refuse(rewriter, pv,
                    "the value's batch dimensions broadcast the scores'");
    // The scales multiply in double; the op holds an f32.
    float scale = static_cast<float>(chain.scale);
    if (!std::isfinite(scale) || scale == 0.0f)
      return refuse(rewriter, pv,
                    "the scales multiply to 0 or infinity in f32");

    if (qk.getTransposeA())
      q = swapInner(q);
    if (!qk.getTransposeB())
      k = swapInner(k);
    if (pv.getTransposeB())
      v = swapInner(v);

    Value bias = chain.bias;
    if (bias && chain.biasScale != 1.0)
      bias = rewriter.create<ScaleOp>(
          loc, bias.getType(), bias, rewriter.getF32FloatAttr(chain.biasScale));
    if (chain.selectCondition) {
      // select(c, s, -inf) == s + select(c, 0, -inf)
      Type et = scoresType.getElementType();
      auto scalar = RankedTensorType::get({}, et);
      auto zero = rewriter.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(scalar, rewriter.getFloatAttr(et, 0.0)));
      auto negInf = rewriter.create<arith::ConstantOp>(
          loc,
          DenseElementsAttr::get(
              scalar,
              rewriter.getFloatAttr(
                  et, APFloat::getInf(cast<FloatType>(et).getFloatSemantics(),
                                      /*Negative=*/true))));
      auto condShape = tensorType(chain.selectCondition).getShape();
      bias =
          rewriter.create<SelectOp>(loc, RankedTensorType::get(condShape, et),
                                    chain.selectCondition, zero, negInf);
    }

    RankedTensorType resultType = pv.getType();
    SmallVector<int64_t> lseShape(batch);
    lseShape.push_back(tq);
    auto lseType = RankedTensorType::get(lseShape, resultType.getElementType());
    auto fused = rewriter.create<FlashAttentionOp>(
        loc, resultType, lseType, q, k, v, chain.lengths, bias,
        rewriter.getF32FloatAttr(scale),
        chain.causal ? rewriter.getUnitAttr() : UnitAttr(),
        rewriter.getI64IntegerAttr(chain.window));
    if (refusals)
      refusals->erase(pv);
    rewriter.replaceOp(pv, fused.getResult());
    return success();
  }

  Refusals *refusals;

  /// Whether `v` reaches a matmul through single-use scale, mask, add and
  /// select ops: the scores side of an add.
  static bool leadsToScores(Value v) {
    for (int depth = 0; depth < 16; ++depth) {
      Operation *def = v.getDefiningOp();
      if (!def || !v.hasOneUse())
        return false;
      if (isa<MatmulOp>(def))
        return true;
      if (isa<ScaleOp, MaskOp>(def))
        v = def->getOperand(0);
      else if (auto sel = dyn_cast<SelectOp>(def))
        v = sel.getOnTrue();
      else if (auto add = dyn_cast<AddOp>(def))
        v = add.getLhs().getType() == add.getType() ? add.getLhs()
                                                    : add.getRhs();
      else
        return false;
    }
    return false;
  }
};

struct TfmFuseAttentionPass
    : tfm::impl::TfmFuseAttentionPassBase<TfmFuseAttentionPass> {
  using TfmFuseAttentionPassBase::TfmFuseAttentionPassBase;

  void runOnOperation() override {
    Refusals refusals;
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAttentionPattern>(&getContext(),
                                       remarks ? &refusals : nullptr);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // The pattern erases only matmuls it fused (and their entries), so every
    // key still names a live op; walking keeps the remarks in program order.
    getOperation().walk([&](MatmulOp pv) {
      auto it = refusals.find(pv);
      if (it != refusals.end())
        pv.emitRemark("attention not fused: ") << it->second;
    });
  }
};

} // namespace

void mlir::tfm::populateFuseAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseAttentionPattern>(patterns.getContext(),
                                     /*refusals=*/nullptr);
}
