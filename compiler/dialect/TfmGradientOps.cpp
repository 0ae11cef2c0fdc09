//===- TfmGradientOps.cpp - ops of gradients and training -------*- C++ -*-===//
//
// Verifiers and folders of the ops in TfmGradientOps.td: the backward ops
// tfm-autodiff emits, the loss and the optimizer updates.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/TfmOps.h"
#include "compiler/dialect/Verify.h"

#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tfm;
using namespace mlir::tfm::verify;

/// Checks that result `index` of `op` has `shape` and `elementType`, naming
/// it `name` in the diagnostic.
static LogicalResult verifyNamedResult(Operation *op, unsigned index,
                                       ArrayRef<int64_t> shape,
                                       Type elementType, StringRef name) {
  auto type = cast<RankedTensorType>(op->getResult(index).getType());
  auto expected = RankedTensorType::get(shape, elementType);
  if (type != expected)
    return op->emitOpError("expects ")
           << name << " of type " << expected << ", got " << type;
  return success();
}

/// Checks that `v` is a scalar (rank 0) of element type `elementType`.
static LogicalResult verifyScalar(Operation *op, Value v, Type elementType,
                                  StringRef name) {
  auto type = tensorType(v);
  if (type.getRank() != 0 || type.getElementType() != elementType)
    return op->emitOpError("expects ")
           << name << " to be a scalar "
           << RankedTensorType::get({}, elementType) << ", got " << type;
  return success();
}

//===----------------------------------------------------------------------===//
// ReduceToOp, PadOp
//===----------------------------------------------------------------------===//

LogicalResult ReduceToOp::verify() {
  ArrayRef<int64_t> in = tensorType(getInput()).getShape();
  ArrayRef<int64_t> out = getType().getShape();
  if (failed(verifySameElementType(*this, getInput(), getResult(), "input",
                                   "result")))
    return failure();
  auto shape = broadcastShapes(out, in);
  if (failed(shape) || ArrayRef<int64_t>(*shape) != in)
    return emitOpError("expects a result shape that broadcasts to the input's ")
           << formatShape(in) << ", got " << formatShape(out);
  return success();
}

OpFoldResult ReduceToOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult PadOp::verify() {
  ArrayRef<int64_t> in = tensorType(getInput()).getShape();
  ArrayRef<int64_t> out = getType().getShape();
  ArrayRef<int64_t> offsets = getOffsets();
  if (out.size() != in.size() || offsets.size() != in.size())
    return emitOpError("expects one offset per dimension and a result of rank ")
           << in.size() << " for an input of rank " << in.size() << ", got "
           << offsets.size() << " offset(s) and result " << formatShape(out);
  for (size_t i = 0; i < in.size(); ++i)
    if (offsets[i] < 0 || offsets[i] > out[i] - in[i])
      return emitOpError("expects dimension ")
             << i << " of the result (" << formatShape(out)
             << ") to hold the input's " << in[i] << " at offset "
             << offsets[i];
  return verifySameElementType(*this, getInput(), getResult(), "input",
                               "result");
}

//===----------------------------------------------------------------------===//
// Elementwise and normalization gradients
//===----------------------------------------------------------------------===//

LogicalResult GeluGradOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("expects approximate to be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

int64_t SoftmaxGradOp::getNormalizedAxis() {
  int64_t axis = getAxis();
  return axis < 0 ? axis + getType().getRank() : axis;
}

LogicalResult SoftmaxGradOp::verify() {
  return verifyAxis(*this, getType().getShape(), getAxis());
}

int64_t LogSoftmaxGradOp::getNormalizedAxis() {
  int64_t axis = getAxis();
  return axis < 0 ? axis + getType().getRank() : axis;
}

LogicalResult LogSoftmaxGradOp::verify() {
  return verifyAxis(*this, getType().getShape(), getAxis());
}

/// The checks shared by layer_norm_grad and rms_norm_grad: the forward op's
/// operands, a gradient of the input's type, and the results' types.
static LogicalResult verifyNormGrad(Operation *op, Value input, Value gamma,
                                    Value grad, APFloat epsilon) {
  RankedTensorType inputType = tensorType(input);
  if (inputType.getRank() == 0)
    return op->emitOpError("expects an input of rank >= 1, got a scalar");
  if (failed(verifyNormParam(op, input, gamma, "gamma")) ||
      failed(verifyEpsilon(op, epsilon)))
    return failure();
  if (tensorType(grad) != inputType)
    return op->emitOpError("expects a gradient of the input's type ")
           << inputType << ", got " << tensorType(grad);
  Type et = inputType.getElementType();
  if (failed(verifyNamedResult(op, 0, inputType.getShape(), et,
                               "an input gradient")))
    return failure();
  for (unsigned i = 1; i < op->getNumResults(); ++i)
    if (failed(
            verifyNamedResult(op, i, tensorType(gamma).getShape(), et,
                              i == 1 ? "a gamma gradient" : "a beta gradient")))
      return failure();
  return success();
}

LogicalResult LayerNormGradOp::verify() {
  return verifyNormGrad(*this, getInput(), getGamma(), getGrad(), getEpsilon());
}

LogicalResult RmsNormGradOp::verify() {
  return verifyNormGrad(*this, getInput(), getGamma(), getGrad(), getEpsilon());
}

LogicalResult MaskGradOp::verify() {
  return verifyMask(*this, getGrad(), getLengths(), getCausal(),
                    getWindowAttr());
}

LogicalResult RopeGradOp::verify() {
  return verifyRope(*this, getType().getShape(), getBase(), getOffsetAttr());
}

//===----------------------------------------------------------------------===//
// EmbeddingGradOp
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingGradOp::verify() {
  ArrayRef<int64_t> ids = tensorType(getIds()).getShape();
  ArrayRef<int64_t> grad = tensorType(getGrad()).getShape();
  ArrayRef<int64_t> table = getType().getShape();
  if (table.size() != 2 || table[0] == 0)
    return emitOpError("expects a result table of rank 2 [vocab x width] with "
                       "a non-empty vocabulary, got ")
           << formatShape(table);
  SmallVector<int64_t> expected(ids);
  expected.push_back(table[1]);
  if (grad != ArrayRef<int64_t>(expected))
    return emitOpError("expects a gradient of shape ")
           << formatShape(expected) << " (ids " << formatShape(ids)
           << " x width " << table[1] << "), got " << formatShape(grad);
  return verifySameElementType(*this, getGrad(), getResult(), "gradient",
                               "result");
}

//===----------------------------------------------------------------------===//
// FlashAttentionGradOp
//===----------------------------------------------------------------------===//

LogicalResult FlashAttentionGradOp::verify() {
  SmallVector<int64_t> scores;
  if (failed(verifyAttention(*this, getQuery(), getKey(), getValue(),
                             getLengths(), getBias(), getScale(), scores)) ||
      failed(verifyWindow(*this, getCausal(), getWindowAttr())))
    return failure();
  ArrayRef<int64_t> batch = ArrayRef<int64_t>(scores).drop_back(2);
  int64_t tq = scores[scores.size() - 2], tk = scores.back();
  RankedTensorType queryType = tensorType(getQuery());
  Type et = queryType.getElementType();
  int64_t d = queryType.getShape().back();
  int64_t dv = tensorType(getValue()).getShape().back();
  auto shaped = [&](int64_t rows, int64_t width) {
    SmallVector<int64_t> s(batch);
    s.push_back(rows);
    if (width >= 0)
      s.push_back(width);
    return RankedTensorType::get(s, et);
  };
  for (auto [value, expected, name] :
       {std::tuple<Value, RankedTensorType, StringRef>{
            getOutput(), shaped(tq, dv), "output"},
        {getLse(), shaped(tq, -1), "lse"},
        {getGrad(), shaped(tq, dv), "a gradient"}}) {
    if (tensorType(value) != expected)
      return emitOpError("expects ")
             << name << " of type " << expected << " (the forward's), got "
             << tensorType(value);
  }
  if (failed(verifyNamedResult(*this, 0, queryType.getShape(), et,
                               "a query gradient")) ||
      failed(verifyNamedResult(*this, 1, shaped(tk, d).getShape(), et,
                               "a key gradient")) ||
      failed(verifyNamedResult(*this, 2, shaped(tk, dv).getShape(), et,
                               "a value gradient")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// CrossEntropyOp, CrossEntropyGradOp
//===----------------------------------------------------------------------===//

/// The checks shared by cross_entropy and its gradient.
static LogicalResult verifyCrossEntropy(Operation *op, Value logits,
                                        Value targets, Value mask,
                                        APFloat smoothing,
                                        std::optional<int64_t> ignoreIndex) {
  ArrayRef<int64_t> l = tensorType(logits).getShape();
  ArrayRef<int64_t> t = tensorType(targets).getShape();
  if (l.empty() || l.back() == 0)
    return op->emitOpError("expects logits of rank >= 1 [..., vocab] with a "
                           "non-empty vocabulary, got ")
           << formatShape(l);
  if (t != l.drop_back())
    return op->emitOpError("expects targets of shape ")
           << formatShape(l.drop_back()) << " (the logits " << formatShape(l)
           << " without the vocabulary), got " << formatShape(t);
  if (mask) {
    if (failed(verifySameElementType(op, logits, mask, "logits", "mask")))
      return failure();
    if (tensorType(mask).getShape() != t)
      return op->emitOpError("expects a mask of the targets' shape ")
             << formatShape(t) << ", got "
             << formatShape(tensorType(mask).getShape());
  }
  float e = smoothing.convertToFloat();
  if (!(e >= 0.0f && e < 1.0f))
    return op->emitOpError("expects label_smoothing in [0, 1), got ") << e;
  if (ignoreIndex && (*ignoreIndex < 0 || *ignoreIndex >= l.back()))
    return op->emitOpError("expects ignore_index in [0, ")
           << l.back() << ") (the vocabulary), got " << *ignoreIndex;
  return success();
}

/// I64Attr reads back as uint64_t: the signed value it holds.
static std::optional<int64_t> signedValue(IntegerAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.getValue().getSExtValue();
}

LogicalResult CrossEntropyOp::verify() {
  if (failed(verifyCrossEntropy(*this, getLogits(), getTargets(), getMask(),
                                getLabelSmoothing(),
                                signedValue(getIgnoreIndexAttr()))))
    return failure();
  return verifyResultType(*this, {}, tensorType(getLogits()).getElementType());
}

LogicalResult CrossEntropyGradOp::verify() {
  if (failed(verifyCrossEntropy(*this, getLogits(), getTargets(), getMask(),
                                getLabelSmoothing(),
                                signedValue(getIgnoreIndexAttr()))))
    return failure();
  Type et = tensorType(getLogits()).getElementType();
  if (failed(verifyScalar(*this, getGrad(), et, "the loss gradient")))
    return failure();
  return verifyResultType(*this, tensorType(getLogits()).getShape(), et);
}

//===----------------------------------------------------------------------===//
// AdamWOp, SgdOp
//===----------------------------------------------------------------------===//

/// Checks that every state operand has the parameter's type and that the
/// results are the parameter's and the states' types.
static LogicalResult verifyUpdate(Operation *op, ArrayRef<Value> sameAsParam,
                                  ArrayRef<StringRef> names,
                                  ArrayRef<Value> scalars,
                                  ArrayRef<StringRef> scalarNames) {
  RankedTensorType paramType = tensorType(sameAsParam.front());
  for (size_t i = 1; i < sameAsParam.size(); ++i)
    if (tensorType(sameAsParam[i]) != paramType)
      return op->emitOpError("expects ")
             << names[i] << " of the parameter's type " << paramType << ", got "
             << tensorType(sameAsParam[i]);
  for (auto [v, name] : llvm::zip(scalars, scalarNames))
    if (failed(verifyScalar(op, v, paramType.getElementType(), name)))
      return failure();
  for (Value r : op->getResults())
    if (r.getType() != paramType)
      return op->emitOpError("expects every result of the parameter's type ")
             << paramType << ", got " << r.getType();
  return success();
}

/// Checks lo <= value < hi; `range` spells the interval for the message.
static LogicalResult verifyInRange(Operation *op, APFloat value, StringRef name,
                                   float lo, float hi, StringRef range) {
  float v = value.convertToFloat();
  if (!(v >= lo && v < hi))
    return op->emitOpError("expects ")
           << name << " in " << range << ", got " << v;
  return success();
}

LogicalResult AdamWOp::verify() {
  if (failed(verifyUpdate(*this, {getParam(), getGrad(), getM(), getV()},
                          {"param", "a gradient", "m", "v"},
                          {getLr(), getStep()}, {"lr", "step"})) ||
      failed(verifyInRange(*this, getBeta1(), "beta1", 0, 1, "[0, 1)")) ||
      failed(verifyInRange(*this, getBeta2(), "beta2", 0, 1, "[0, 1)")) ||
      failed(verifyEpsilon(*this, getEpsilon())) ||
      failed(verifyInRange(*this, getWeightDecay(), "weight_decay", 0, INFINITY,
                           "[0, inf)")))
    return failure();
  return success();
}

LogicalResult SgdOp::verify() {
  if (failed(verifyUpdate(*this, {getParam(), getGrad(), getMomentumBuffer()},
                          {"param", "a gradient", "a momentum buffer"},
                          {getLr()}, {"lr"})) ||
      failed(verifyInRange(*this, getMomentum(), "momentum", 0, 1, "[0, 1)")) ||
      failed(verifyInRange(*this, getWeightDecay(), "weight_decay", 0, INFINITY,
                           "[0, inf)")))
    return failure();
  return success();
}
