//===- TfmOps.cpp - tfm dialect ops -----------------------------*- C++ -*-===//
//
// Verifiers, builders, folders and canonicalizations of the tfm ops, and the
// dialect's checks of the tfm.input / tfm.param / tfm.output names.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/TfmOps.h"
#include "compiler/dialect/Verify.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tfm;
using namespace mlir::tfm::verify;

#include "compiler/dialect/TfmDialect.cpp.inc"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

void TfmDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "compiler/dialect/TfmOps.cpp.inc"
      >();
}

/// Checks `tfm.<kind> = "name"` on a function argument or result.
static LogicalResult verifyNameAttribute(Operation *op, NamedAttribute attr,
                                         ArrayRef<StringRef> allowed,
                                         StringRef where) {
  StringRef name = attr.getName().strref();
  if (!llvm::is_contained(allowed, name)) {
    auto diag = op->emitOpError("has unknown ")
                << where << " attribute '" << name << "', expected ";
    llvm::interleave(
        allowed, diag, [&](StringRef a) { diag << "'" << a << "'"; }, " or ");
    return diag;
  }
  auto str = dyn_cast<StringAttr>(attr.getValue());
  if (!str || str.getValue().empty())
    return op->emitOpError("expects '")
           << name << "' to be a non-empty string, got " << attr.getValue();
  return success();
}

/// The index of `tfm.packed = i` (an argument's or a result's), or an
/// error.
static FailureOr<int64_t> packedIndex(Operation *op, NamedAttribute attr) {
  auto index = dyn_cast<IntegerAttr>(attr.getValue());
  if (!index || index.getInt() < 0)
    return op->emitOpError("expects '")
           << TfmDialect::kPackedAttrName
           << "' to be a non-negative integer, got " << attr.getValue();
  return index.getInt();
}

LogicalResult TfmDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                   unsigned argIndex,
                                                   NamedAttribute attr) {
  if (attr.getName() == kPackedAttrName)
    return success(succeeded(packedIndex(op, attr)));
  if (attr.getName() == kWrittenAttrName) {
    auto func = dyn_cast<FunctionOpInterface>(op);
    if (!isa<UnitAttr>(attr.getValue()) ||
        (func && !func.getArgAttr(argIndex, kPackedAttrName)))
      return op->emitOpError("expects '")
             << kWrittenAttrName << "' to be a unit attribute of a '"
             << kPackedAttrName << "' argument";
    return success();
  }
  if (failed(verifyNameAttribute(
          op, attr, {kInputAttrName, kParamAttrName, kStateAttrName},
          "argument")))
    return failure();
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (!func)
    return success();
  StringRef self = attr.getName().strref();
  for (StringRef other : {kInputAttrName, kParamAttrName, kStateAttrName})
    if (other != self && func.getArgAttr(argIndex, other))
      return op->emitOpError("expects argument ")
             << argIndex << " to be one of '" << kInputAttrName << "', '"
             << kParamAttrName << "' or '" << kStateAttrName << "', not both '"
             << std::min(self, other) << "' and '" << std::max(self, other)
             << "'";
  return success();
}

LogicalResult TfmDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                      unsigned resultIndex,
                                                      NamedAttribute attr) {
  // tfm-pack-params: packed weights the function computes (its packing
  // entry point's, or a training step's packed again from the weights it
  // updated), written in the argument of the same index.
  if (attr.getName() == kPackedAttrName) {
    FailureOr<int64_t> index = packedIndex(op, attr);
    if (failed(index))
      return failure();
    auto func = dyn_cast<FunctionOpInterface>(op);
    if (!func)
      return success();
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      auto arg = func.getArgAttrOfType<IntegerAttr>(i, kPackedAttrName);
      if (!arg || arg.getInt() != *index)
        continue;
      if (func.getArgumentTypes()[i] != func.getResultTypes()[resultIndex])
        return op->emitOpError("expects result ")
               << resultIndex << " (packed weights " << *index
               << ") of the packed argument's type "
               << func.getArgumentTypes()[i] << ", got "
               << func.getResultTypes()[resultIndex];
      return success();
    }
    return op->emitOpError("expects result ")
           << resultIndex << " to update a '" << kPackedAttrName
           << "' argument " << *index << ", but there is none";
  }
  if (failed(verifyNameAttribute(op, attr, {kOutputAttrName, kUpdateAttrName},
                                 "result")))
    return failure();
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (!func || attr.getName() != kUpdateAttrName)
    return success();
  if (func.getResultAttr(resultIndex, kOutputAttrName))
    return op->emitOpError("expects result ")
           << resultIndex << " to be either a '" << kOutputAttrName
           << "' or a '" << kUpdateAttrName << "', not both";
  // The updated argument: a tfm.state of the result's type.
  StringRef name = cast<StringAttr>(attr.getValue()).getValue();
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    auto state = func.getArgAttrOfType<StringAttr>(i, kStateAttrName);
    if (!state || state.getValue() != name)
      continue;
    if (func.getArgumentTypes()[i] != func.getResultTypes()[resultIndex])
      return op->emitOpError("expects result ")
             << resultIndex << " (update of '" << name
             << "') of the state's type " << func.getArgumentTypes()[i]
             << ", got " << func.getResultTypes()[resultIndex];
    return success();
  }
  return op->emitOpError("expects result ")
         << resultIndex << " to update a '" << kStateAttrName
         << "' argument named '" << name << "', but there is none";
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

std::string mlir::tfm::formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  os << "]";
  return s;
}

FailureOr<SmallVector<int64_t>>
mlir::tfm::broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align at the trailing dimension; a missing dimension acts as 1.
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return failure();
    out[i] = l == 1 ? r : l;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

/// The result shape of `[..., M, K] x [..., K, N]` under the transpose flags,
/// or failure, reported through `emitError` when it is given.
static FailureOr<SmallVector<int64_t>>
inferMatmulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs, bool transposeA,
                 bool transposeB,
                 function_ref<InFlightDiagnostic()> emitError = {}) {
  if (lhs.size() < 2 || rhs.size() < 2) {
    if (emitError)
      emitError() << "expects operands of rank >= 2, got lhs "
                  << formatShape(lhs) << " and rhs " << formatShape(rhs);
    return failure();
  }
  size_t lr = lhs.size(), rr = rhs.size();
  int64_t m = transposeA ? lhs[lr - 1] : lhs[lr - 2];
  int64_t kl = transposeA ? lhs[lr - 2] : lhs[lr - 1];
  int64_t kr = transposeB ? rhs[rr - 1] : rhs[rr - 2];
  int64_t n = transposeB ? rhs[rr - 2] : rhs[rr - 1];
  if (kl != kr) {
    if (emitError)
      emitError() << "expects contracting dimensions to match, got lhs "
                  << formatShape(lhs) << " with K = " << kl << " and rhs "
                  << formatShape(rhs) << " with K = " << kr;
    return failure();
  }
  auto batch = broadcastShapes(lhs.drop_back(2), rhs.drop_back(2));
  if (failed(batch)) {
    if (emitError)
      emitError() << "expects broadcastable batch dimensions, got lhs "
                  << formatShape(lhs) << " and rhs " << formatShape(rhs);
    return failure();
  }
  SmallVector<int64_t> shape = std::move(*batch);
  shape.push_back(m);
  shape.push_back(n);
  return shape;
}

void MatmulOp::build(OpBuilder &b, OperationState &state, Value lhs, Value rhs,
                     bool transposeA, bool transposeB) {
  RankedTensorType lhsType = tensorType(lhs);
  auto shape = inferMatmulShape(lhsType.getShape(), tensorType(rhs).getShape(),
                                transposeA, transposeB);
  assert(succeeded(shape) && "matmul operands of incompatible shapes");
  build(b, state, RankedTensorType::get(*shape, lhsType.getElementType()), lhs,
        rhs, transposeA, transposeB);
}

LogicalResult MatmulOp::verify() {
  if (failed(verifySameElementType(*this, getLhs(), getRhs(), "lhs", "rhs")))
    return failure();
  auto shape = inferMatmulShape(
      tensorType(getLhs()).getShape(), tensorType(getRhs()).getShape(),
      getTransposeA(), getTransposeB(), [&] { return emitOpError(); });
  if (failed(shape))
    return failure();
  return verifyResultType(*this, *shape, tensorType(getLhs()).getElementType());
}

/// Whether `perm` swaps the two innermost dimensions and keeps the others.
static bool isInnerSwap(ArrayRef<int64_t> perm) {
  size_t r = perm.size();
  if (r < 2 || perm[r - 1] != int64_t(r - 2) || perm[r - 2] != int64_t(r - 1))
    return false;
  for (size_t i = 0; i + 2 < r; ++i)
    if (perm[i] != int64_t(i))
      return false;
  return true;
}

namespace {
/// matmul(transpose(a), b) --> matmul(a, b) {transpose_a}, and likewise for b,
/// when the transpose swaps only the two innermost dimensions.
struct FoldTransposeIntoMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsT = op.getLhs().getDefiningOp<TransposeOp>();
    auto rhsT = op.getRhs().getDefiningOp<TransposeOp>();
    bool foldLhs = lhsT && isInnerSwap(lhsT.getPermutation());
    bool foldRhs = rhsT && isInnerSwap(rhsT.getPermutation());
    if (!foldLhs && !foldRhs)
      return rewriter.notifyMatchFailure(
          op, "no operand is a transpose of the two innermost dimensions");
    Value lhs = foldLhs ? lhsT.getInput() : op.getLhs();
    Value rhs = foldRhs ? rhsT.getInput() : op.getRhs();
    bool ta = op.getTransposeA() != foldLhs;
    bool tb = op.getTransposeB() != foldRhs;
    rewriter.replaceOpWithNewOp<MatmulOp>(op, op.getType(), lhs, rhs, ta, tb);
    return success();
  }
};
} // namespace

void MatmulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<FoldTransposeIntoMatmul>(context);
}

//===----------------------------------------------------------------------===//
// AddOp, MulOp
//===----------------------------------------------------------------------===//

static RankedTensorType inferBroadcastType(Value lhs, Value rhs) {
  auto shape =
      broadcastShapes(tensorType(lhs).getShape(), tensorType(rhs).getShape());
  assert(succeeded(shape) && "operands do not broadcast");
  return RankedTensorType::get(*shape, tensorType(lhs).getElementType());
}

static LogicalResult verifyBroadcastBinary(Operation *op) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if (failed(verifySameElementType(op, lhs, rhs, "lhs", "rhs")))
    return failure();
  auto shape =
      broadcastShapes(tensorType(lhs).getShape(), tensorType(rhs).getShape());
  if (failed(shape))
    return op->emitOpError("expects broadcastable operands, got lhs ")
           << formatShape(tensorType(lhs).getShape()) << " and rhs "
           << formatShape(tensorType(rhs).getShape());
  return verifyResultType(op, *shape, tensorType(lhs).getElementType());
}

void AddOp::build(OpBuilder &b, OperationState &state, Value lhs, Value rhs) {
  build(b, state, inferBroadcastType(lhs, rhs), lhs, rhs);
}
LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }

void MulOp::build(OpBuilder &b, OperationState &state, Value lhs, Value rhs) {
  build(b, state, inferBroadcastType(lhs, rhs), lhs, rhs);
}
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }

//===----------------------------------------------------------------------===//
// ScaleOp
//===----------------------------------------------------------------------===//

OpFoldResult ScaleOp::fold(FoldAdaptor) {
  if (getFactor().convertToFloat() == 1.0f)
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// DropoutOp
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::verify() {
  float rate = getRate().convertToFloat();
  if (!(rate >= 0.0f && rate < 1.0f))
    return emitOpError("expects a rate in [0, 1), got ") << rate;
  if (Value step = getStep())
    if (tensorType(step).getRank() != 0)
      return emitOpError("expects a scalar step (tensor<f32>), got ")
             << formatShape(tensorType(step).getShape());
  RankedTensorType type = tensorType(getInput());
  return verifyResultType(*this, type.getShape(), type.getElementType());
}

/// The identity at rate 0. (One without a step stays until the lowering
/// makes it the identity: tfm-autodiff, after the canonicalizations, gives
/// it the training step's.)
OpFoldResult DropoutOp::fold(FoldAdaptor) {
  if (getRate().convertToFloat() == 0.0f)
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//

int64_t SoftmaxOp::getNormalizedAxis() {
  int64_t axis = getAxis();
  return axis < 0 ? axis + getType().getRank() : axis;
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getType().getShape(), getAxis());
}

int64_t LogSoftmaxOp::getNormalizedAxis() {
  int64_t axis = getAxis();
  return axis < 0 ? axis + getType().getRank() : axis;
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getType().getShape(), getAxis());
}

//===----------------------------------------------------------------------===//
// GeluOp
//===----------------------------------------------------------------------===//

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("expects approximate to be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

//===----------------------------------------------------------------------===//
// RmsNormOp
//===----------------------------------------------------------------------===//

LogicalResult RmsNormOp::verify() {
  RankedTensorType inputType = tensorType(getInput());
  if (inputType.getRank() == 0)
    return emitOpError("expects an input of rank >= 1, got a scalar");
  if (failed(verifyNormParam(*this, getInput(), getGamma(), "gamma")) ||
      failed(verifyEpsilon(*this, getEpsilon())))
    return failure();
  return verifyResultType(*this, inputType.getShape(),
                          inputType.getElementType());
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  RankedTensorType inputType = tensorType(getInput());
  if (inputType.getRank() == 0)
    return emitOpError("expects an input of rank >= 1, got a scalar");
  if (failed(verifyNormParam(*this, getInput(), getGamma(), "gamma")) ||
      failed(verifyNormParam(*this, getInput(), getBeta(), "beta")) ||
      failed(verifyEpsilon(*this, getEpsilon())))
    return failure();
  return verifyResultType(*this, inputType.getShape(),
                          inputType.getElementType());
}

//===----------------------------------------------------------------------===//
// MaskOp
//===----------------------------------------------------------------------===//

LogicalResult mlir::tfm::verify::verifyWindow(Operation *op, bool causal,
                                              IntegerAttr window) {
  // I64Attr reads back as uint64_t: compare it as the signed value it is.
  int64_t w = window.getValue().getSExtValue();
  if (w < 0)
    return op->emitOpError("expects a window >= 1 (or 0 for none), got ") << w;
  if (w > 0 && !causal)
    return op->emitOpError("expects 'causal' with a window: it keeps the last ")
           << w << " keys up to each query's";
  return success();
}

LogicalResult mlir::tfm::verify::verifyMask(Operation *op, Value scores,
                                            Value lengths, bool causal,
                                            IntegerAttr window) {
  RankedTensorType inputType = tensorType(scores);
  if (inputType.getRank() < 2)
    return op->emitOpError(
               "expects scores of rank >= 2 [..., queries, keys], got ")
           << formatShape(inputType.getShape());
  if (!causal && !lengths)
    return op->emitOpError("expects 'causal', 'lengths' or both");
  if (failed(verifyWindow(op, causal, window)))
    return failure();
  if (lengths) {
    ArrayRef<int64_t> shape = tensorType(lengths).getShape();
    if (inputType.getRank() < 3)
      return op->emitOpError("expects scores of rank >= 3 [batch, ..., "
                             "queries, keys] with lengths, got ")
             << formatShape(inputType.getShape());
    if (shape.size() != 1 || shape[0] != inputType.getShape()[0])
      return op->emitOpError("expects lengths of shape [")
             << inputType.getShape()[0] << "] (the batch of scores "
             << formatShape(inputType.getShape()) << "), got "
             << formatShape(shape);
  }
  return verifyResultType(op, inputType.getShape(), inputType.getElementType());
}

LogicalResult MaskOp::verify() {
  return verifyMask(*this, getInput(), getLengths(), getCausal(),
                    getWindowAttr());
}

//===----------------------------------------------------------------------===//
// FlashAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult mlir::tfm::verify::verifyAttention(
    Operation *op, Value query, Value key, Value value, Value lengths,
    Value bias, APFloat scaleAttr, SmallVectorImpl<int64_t> &scoresShape) {
  auto emitOpError = [&](const Twine &message) {
    return op->emitOpError(message);
  };
  ArrayRef<int64_t> q = tensorType(query).getShape();
  ArrayRef<int64_t> k = tensorType(key).getShape();
  ArrayRef<int64_t> v = tensorType(value).getShape();
  if (q.size() < 2 || k.size() < 2 || v.size() < 2)
    return emitOpError("expects query, key and value of rank >= 2, got ")
           << formatShape(q) << ", " << formatShape(k) << " and "
           << formatShape(v);
  if (failed(verifySameElementType(op, query, key, "query", "key")) ||
      failed(verifySameElementType(op, query, value, "query", "value")))
    return failure();
  if (q.back() != k.back())
    return emitOpError("expects query and key of one width, got query ")
           << formatShape(q) << " and key " << formatShape(k);
  if (k[k.size() - 2] != v[v.size() - 2])
    return emitOpError("expects key and value of one length, got key ")
           << formatShape(k) << " and value " << formatShape(v);
  if (llvm::is_contained(q, 0) || llvm::is_contained(k, 0) ||
      llvm::is_contained(v, 0))
    return emitOpError("expects non-empty query, key and value, got ")
           << formatShape(q) << ", " << formatShape(k) << " and "
           << formatShape(v);
  // Key and value batch dimensions broadcast into the query's.
  ArrayRef<int64_t> batch = q.drop_back(2);
  for (auto [name, shape] :
       {std::pair<StringRef, ArrayRef<int64_t>>{"key", k}, {"value", v}}) {
    ArrayRef<int64_t> b = shape.drop_back(2);
    bool fits = b.size() <= batch.size();
    for (size_t i = 0; fits && i < b.size(); ++i) {
      int64_t qd = batch[batch.size() - b.size() + i];
      fits = b[i] == qd || b[i] == 1;
    }
    if (!fits)
      return emitOpError("expects the batch dimensions of ")
             << name << " " << formatShape(shape)
             << " to equal or broadcast into the query's " << formatShape(q);
  }
  int64_t tq = q[q.size() - 2], tk = k[k.size() - 2];
  if (lengths) {
    ArrayRef<int64_t> l = tensorType(lengths).getShape();
    if (batch.empty())
      return emitOpError("expects a query of rank >= 3 [batch, ..., queries, "
                         "width] with lengths, got ")
             << formatShape(q);
    if (l.size() != 1 || l[0] != batch[0])
      return emitOpError("expects lengths of shape [batch] = [")
             << batch[0] << "] for query " << formatShape(q) << ", got "
             << formatShape(l);
  }
  SmallVector<int64_t> scores(batch);
  scores.push_back(tq);
  scores.push_back(tk);
  if (bias) {
    if (failed(verifySameElementType(op, query, bias, "query", "bias")))
      return failure();
    ArrayRef<int64_t> b = tensorType(bias).getShape();
    auto shape = broadcastShapes(scores, b);
    if (failed(shape) || ArrayRef<int64_t>(*shape) != ArrayRef<int64_t>(scores))
      return emitOpError("expects a bias that broadcasts to the scores ")
             << formatShape(scores) << ", got " << formatShape(b);
  }
  if (!std::isfinite(scaleAttr.convertToFloat()) ||
      scaleAttr.convertToFloat() == 0.0f)
    return emitOpError("expects a finite, non-zero scale, got ")
           << scaleAttr.convertToFloat();
  scoresShape.assign(scores.begin(), scores.end());
  return success();
}

LogicalResult FlashAttentionOp::verify() {
  SmallVector<int64_t> scores;
  if (failed(verifyAttention(*this, getQuery(), getKey(), getValue(),
                             getLengths(), getBias(), getScale(), scores)) ||
      failed(verifyWindow(*this, getCausal(), getWindowAttr())))
    return failure();
  ArrayRef<int64_t> batch = ArrayRef<int64_t>(scores).drop_back(2);
  int64_t tq = scores[scores.size() - 2];
  ArrayRef<int64_t> v = tensorType(getValue()).getShape();
  SmallVector<int64_t> result(batch), lse(batch);
  result.push_back(tq);
  result.push_back(v.back());
  lse.push_back(tq);
  Type et = tensorType(getQuery()).getElementType();
  auto check = [&](Value r, ArrayRef<int64_t> shape,
                   StringRef name) -> LogicalResult {
    auto t = tensorType(r);
    if (t.getShape() != shape || t.getElementType() != et)
      return emitOpError("expects ")
             << name << " of type " << RankedTensorType::get(shape, et)
             << ", got " << t;
    return success();
  };
  if (failed(check(getResult(), result, "a result")) ||
      failed(check(getLse(), lse, "an lse")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// SelectOp
//===----------------------------------------------------------------------===//

LogicalResult SelectOp::verify() {
  if (failed(verifySameElementType(*this, getOnTrue(), getOnFalse(), "on_true",
                                   "on_false")))
    return failure();
  ArrayRef<int64_t> c = tensorType(getCondition()).getShape();
  ArrayRef<int64_t> a = tensorType(getOnTrue()).getShape();
  ArrayRef<int64_t> b = tensorType(getOnFalse()).getShape();
  auto ab = broadcastShapes(a, b);
  auto shape = succeeded(ab) ? broadcastShapes(c, *ab) : ab;
  if (failed(shape))
    return emitOpError("expects broadcastable operands, got condition ")
           << formatShape(c) << ", on_true " << formatShape(a)
           << " and on_false " << formatShape(b);
  return verifyResultType(*this, *shape,
                          tensorType(getOnTrue()).getElementType());
}

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

LogicalResult mlir::tfm::verify::verifyRope(Operation *op,
                                            ArrayRef<int64_t> shape,
                                            APFloat base, IntegerAttr offset) {
  if (shape.size() < 2)
    return op->emitOpError("expects an input of rank >= 2 [..., positions, "
                           "width], got ")
           << formatShape(shape);
  if (shape.back() % 2 != 0 || shape.back() == 0)
    return op->emitOpError("expects an even, non-zero width, got ")
           << shape.back() << " in " << formatShape(shape);
  if (!(base.convertToFloat() > 1.0f))
    return op->emitOpError("expects a base > 1, got ") << base.convertToFloat();
  // I64Attr reads back as uint64_t: compare it as the signed value it is.
  if (offset.getValue().getSExtValue() < 0)
    return op->emitOpError("expects a non-negative offset, got ")
           << offset.getValue().getSExtValue();
  return success();
}

LogicalResult RopeOp::verify() {
  return verifyRope(*this, getType().getShape(), getBase(), getOffsetAttr());
}

//===----------------------------------------------------------------------===//
// SinusoidalPositionsOp
//===----------------------------------------------------------------------===//

LogicalResult SinusoidalPositionsOp::verify() {
  ArrayRef<int64_t> shape = getType().getShape();
  if (shape.size() != 2)
    return emitOpError("expects a result of shape [positions, width], got ")
           << formatShape(shape);
  // I64Attr reads back as uint64_t: compare it as the signed value it is.
  int64_t offset = getOffsetAttr().getValue().getSExtValue();
  if (offset < 0)
    return emitOpError("expects a non-negative offset, got ") << offset;
  return success();
}

//===----------------------------------------------------------------------===//
// EmbeddingOp
//===----------------------------------------------------------------------===//

void EmbeddingOp::build(OpBuilder &b, OperationState &state, Value table,
                        Value ids) {
  RankedTensorType tableType = tensorType(table);
  SmallVector<int64_t> shape(tensorType(ids).getShape());
  shape.push_back(tableType.getShape().back());
  build(b, state, RankedTensorType::get(shape, tableType.getElementType()),
        table, ids);
}

LogicalResult EmbeddingOp::verify() {
  RankedTensorType tableType = tensorType(getTable());
  if (tableType.getRank() != 2)
    return emitOpError("expects a table of rank 2 [vocab x width], got ")
           << formatShape(tableType.getShape());
  SmallVector<int64_t> shape(tensorType(getIds()).getShape());
  shape.push_back(tableType.getShape()[1]);
  return verifyResultType(*this, shape, tableType.getElementType());
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

void TransposeOp::build(OpBuilder &b, OperationState &state, Value input,
                        ArrayRef<int64_t> permutation) {
  RankedTensorType inputType = tensorType(input);
  SmallVector<int64_t> shape;
  for (int64_t p : permutation)
    shape.push_back(inputType.getShape()[p]);
  build(b, state, RankedTensorType::get(shape, inputType.getElementType()),
        input, permutation);
}

LogicalResult TransposeOp::verify() {
  RankedTensorType inputType = tensorType(getInput());
  ArrayRef<int64_t> perm = getPermutation();
  int64_t rank = inputType.getRank();
  std::string permText;
  llvm::raw_string_ostream(permText)
      << "["
      << llvm::join(
             llvm::map_range(perm, [](int64_t p) { return std::to_string(p); }),
             ", ")
      << "]";
  if (int64_t(perm.size()) != rank)
    return emitOpError("expects a permutation of ")
           << rank << " dimensions for an input of rank " << rank << ", got "
           << permText;
  llvm::SmallBitVector seen(rank);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen.test(p))
      return emitOpError("expects a permutation of [0, ")
             << rank << "), got " << permText;
    seen.set(p);
  }
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(inputType.getShape()[p]);
  return verifyResultType(*this, shape, inputType.getElementType());
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPermutation()))
    if (p != int64_t(i))
      return {};
  return getInput();
}

namespace {
/// transpose(transpose(x, p1), p2) --> transpose(x, p1 o p2), when the inner
/// transpose has no other use (else both would still run, and the outer one
/// could no longer fold into a matmul).
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    if (!inner->hasOneUse())
      return rewriter.notifyMatchFailure(op, "inner transpose has other uses");
    SmallVector<int64_t> perm;
    for (int64_t p : op.getPermutation())
      perm.push_back(inner.getPermutation()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), inner.getInput(),
                                             perm);
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ComposeTransposes>(context);
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::verify() {
  RankedTensorType inputType = tensorType(getInput());
  RankedTensorType resultType = getType();
  ArrayRef<int64_t> in = inputType.getShape(), out = resultType.getShape();
  ArrayRef<int64_t> offsets = getOffsets();
  if (out.size() != in.size() || offsets.size() != in.size())
    return emitOpError("expects one offset per dimension and a result of "
                       "rank ")
           << in.size() << " for an input of rank " << in.size() << ", got "
           << offsets.size() << " offset(s) and result " << formatShape(out);
  for (size_t i = 0; i < in.size(); ++i)
    if (offsets[i] < 0 || offsets[i] > in[i] - out[i])
      return emitOpError("expects dimension ")
             << i << " to hold the slice at offset " << offsets[i]
             << " of size " << out[i] << ", but it has size " << in[i]
             << " (input " << formatShape(in) << ")";
  if (inputType.getElementType() != resultType.getElementType())
    return emitOpError("expects result element type ")
           << inputType.getElementType() << ", got "
           << resultType.getElementType();
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType inputType = tensorType(getInput());
  RankedTensorType resultType = getType();
  if (inputType.getNumElements() != resultType.getNumElements())
    return emitOpError("expects the same number of elements, got input ")
           << formatShape(inputType.getShape()) << " ("
           << inputType.getNumElements() << ") and result "
           << formatShape(resultType.getShape()) << " ("
           << resultType.getNumElements() << ")";
  if (inputType.getElementType() != resultType.getElementType())
    return emitOpError("expects result element type ")
           << inputType.getElementType() << ", got "
           << resultType.getElementType();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) --> reshape(x)
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

#define GET_OP_CLASSES
#include "compiler/dialect/TfmOps.cpp.inc"
