//===- VjpRules.cpp - vector-Jacobian products of tfm ops -------*- C++ -*-===//
//
// One rule per differentiable op. With dy the gradient of the result:
//
//   matmul(a, b)        da = dy b^T, db = a^T dy (transposes per the flags),
//                       summed over broadcast batch dimensions
//   add(a, b)           da = reduce_to(dy), db = reduce_to(dy)
//   mul(a, b)           da = reduce_to(dy b), db = reduce_to(dy a)
//   scale(x, f)         dx = scale(dy, f)
//   relu, gelu          relu_grad(x, dy), gelu_grad(x, dy)
//   sigmoid, silu       sigmoid_grad(x, dy), silu_grad(x, dy)
//   softmax, log_softmax    softmax_grad(y, dy), log_softmax_grad(y, dy)
//   layer_norm, rms_norm    layer_norm_grad / rms_norm_grad(x, gamma, dy)
//   mask(x)             mask_grad(dy): nothing flows to a masked score
//   select(c, a, b)     da = reduce_to(select(c, dy, 0)), db likewise
//   dropout(x, step)    dropout(dy, step): the same mask and scale
//   rope(x)             rope_grad(dy): the inverse rotation
//   embedding(t, ids)   dt = embedding_grad(ids, dy)
//   transpose(x, p)     transpose(dy, p^-1)
//   slice(x, o)         pad(dy, o)
//   reshape(x)          reshape(dy)
//   reduce_to(x)        dx = dy broadcast back to x's shape
//   flash_attention     flash_attention_grad(q, k, v, o, lse, dy), key and
//                       value gradients summed over the query heads sharing
//                       them
//   cross_entropy       cross_entropy_grad(logits, targets, dy)
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/VjpRules.h"

#include "compiler/dialect/TfmOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tfm;

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// `g` summed down to `like`'s shape (a no-op when the shapes agree).
Value reduceTo(OpBuilder &b, Location loc, Value g, Value like) {
  if (g.getType() == like.getType())
    return g;
  return b.create<ReduceToOp>(loc, like.getType(), g);
}

/// A scalar constant tensor of `type`'s element type.
Value scalarConstant(OpBuilder &b, Location loc, Type elementType,
                     double value) {
  auto type = RankedTensorType::get({}, elementType);
  return b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(type, b.getFloatAttr(elementType, value)));
}

/// `x` reshaped to [product of the leading dimensions, last].
Value rows(OpBuilder &b, Location loc, Value x) {
  RankedTensorType type = tensorType(x);
  int64_t last = type.getShape().back();
  auto flat = RankedTensorType::get({type.getNumElements() / last, last},
                                    type.getElementType());
  return b.create<ReshapeOp>(loc, flat, x);
}

/// The gradients of c = matmul(a, b) (flags ta, tb) from dc.
void matmulVjp(OpBuilder &b, MatmulOp op, Value dc, ArrayRef<bool> needed,
               SmallVectorImpl<Value> &grads) {
  Location loc = op.getLoc();
  Value a = op.getLhs(), w = op.getRhs();
  bool ta = op.getTransposeA(), tb = op.getTransposeB();
  int64_t ra = tensorType(a).getRank(), rw = tensorType(w).getRank();
  if (needed[0]) {
    // a' = ta ? a^T : a; da' = dc w'^T.
    Value da = ta ? b.create<MatmulOp>(loc, w, dc, /*transposeA=*/tb,
                                       /*transposeB=*/true)
                  : b.create<MatmulOp>(loc, dc, w, /*transposeA=*/false,
                                       /*transposeB=*/!tb);
    grads[0] = reduceTo(b, loc, da, a);
  }
  if (needed[1]) {
    // w' = tb ? w^T : w; dw' = a'^T dc. A weight without batch dimensions
    // applied to a batched a (a linear layer): fold the batch into the
    // contraction, [rows, K]^T [rows, N], instead of one product per batch
    // element summed afterwards.
    if (rw == 2 && ra > 2 && !ta) {
      Value a2 = rows(b, loc, a), dc2 = rows(b, loc, dc);
      grads[1] =
          tb ? b.create<MatmulOp>(loc, dc2, a2, /*transposeA=*/true, false)
                   .getResult()
             : b.create<MatmulOp>(loc, a2, dc2, /*transposeA=*/true, false)
                   .getResult();
    } else {
      Value dw = tb ? b.create<MatmulOp>(loc, dc, a, /*transposeA=*/true,
                                         /*transposeB=*/ta)
                    : b.create<MatmulOp>(loc, a, dc, /*transposeA=*/!ta, false);
      grads[1] = reduceTo(b, loc, dw, w);
    }
  }
}

} // namespace

bool mlir::tfm::isInactive(Operation *op) {
  if (isa<arith::ConstantOp, SinusoidalPositionsOp>(op))
    return true;
  return llvm::none_of(op->getResultTypes(), [](Type t) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    return tensor && isa<FloatType>(tensor.getElementType());
  });
}

LogicalResult mlir::tfm::buildVjp(OpBuilder &b, Operation *op,
                                  ArrayRef<Value> resultGrads,
                                  ArrayRef<bool> needed,
                                  SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  grads.assign(op->getNumOperands(), Value());
  Value dy = resultGrads.empty() ? Value() : resultGrads[0];
  auto noRule = [&](StringRef why) {
    return op->emitError("tfm-autodiff: cannot differentiate '")
           << op->getName() << "': " << why;
  };
  // Every rule but flash_attention's reads the first result's gradient.
  if (!dy && !isa<FlashAttentionOp>(op))
    return success();

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](MatmulOp m) {
        matmulVjp(b, m, dy, needed, grads);
        return success();
      })
      .Case([&](AddOp add) {
        for (unsigned i = 0; i < 2; ++i)
          if (needed[i])
            grads[i] = reduceTo(b, loc, dy, add->getOperand(i));
        return success();
      })
      .Case([&](MulOp mul) {
        for (unsigned i = 0; i < 2; ++i)
          if (needed[i])
            grads[i] = reduceTo(
                b, loc, b.create<MulOp>(loc, dy, mul->getOperand(1 - i)),
                mul->getOperand(i));
        return success();
      })
      .Case([&](ScaleOp s) {
        grads[0] = b.create<ScaleOp>(loc, dy.getType(), dy, s.getFactorAttr());
        return success();
      })
      .Case([&](ReluOp r) {
        grads[0] = b.create<ReluGradOp>(loc, dy.getType(), r.getInput(), dy);
        return success();
      })
      .Case([&](GeluOp g) {
        grads[0] = b.create<GeluGradOp>(loc, dy.getType(), g.getInput(), dy,
                                        g.getApproximateAttr());
        return success();
      })
      .Case([&](SigmoidOp s) {
        grads[0] = b.create<SigmoidGradOp>(loc, dy.getType(), s.getInput(), dy);
        return success();
      })
      .Case([&](SiluOp s) {
        grads[0] = b.create<SiluGradOp>(loc, dy.getType(), s.getInput(), dy);
        return success();
      })
      .Case([&](SoftmaxOp s) {
        grads[0] = b.create<SoftmaxGradOp>(loc, dy.getType(), s.getResult(), dy,
                                           s.getAxisAttr());
        return success();
      })
      .Case([&](LogSoftmaxOp s) {
        grads[0] = b.create<LogSoftmaxGradOp>(loc, dy.getType(), s.getResult(),
                                              dy, s.getAxisAttr());
        return success();
      })
      .Case([&](LayerNormOp n) {
        Type gammaType = n.getGamma().getType();
        auto g = b.create<LayerNormGradOp>(
            loc, TypeRange{dy.getType(), gammaType, gammaType}, n.getInput(),
            n.getGamma(), dy, n.getEpsilonAttr());
        grads[0] = g.getInputGrad();
        grads[1] = g.getGammaGrad();
        grads[2] = g.getBetaGrad();
        return success();
      })
      .Case([&](RmsNormOp n) {
        auto g = b.create<RmsNormGradOp>(
            loc, TypeRange{dy.getType(), n.getGamma().getType()}, n.getInput(),
            n.getGamma(), dy, n.getEpsilonAttr());
        grads[0] = g.getInputGrad();
        grads[1] = g.getGammaGrad();
        return success();
      })
      .Case([&](MaskOp m) {
        grads[0] = b.create<MaskGradOp>(loc, dy.getType(), dy, m.getLengths(),
                                        m.getCausalAttr(), m.getWindowAttr());
        return success();
      })
      .Case([&](SelectOp s) {
        Value zero =
            scalarConstant(b, loc, tensorType(dy).getElementType(), 0.0);
        if (needed[1])
          grads[1] = reduceTo(
              b, loc,
              b.create<SelectOp>(loc, dy.getType(), s.getCondition(), dy, zero),
              s.getOnTrue());
        if (needed[2])
          grads[2] = reduceTo(
              b, loc,
              b.create<SelectOp>(loc, dy.getType(), s.getCondition(), zero, dy),
              s.getOnFalse());
        return success();
      })
      .Case([&](DropoutOp d) {
        // The same mask and scale on the gradient (the identity without a
        // step).
        grads[0] = d.getStep()
                       ? b.create<DropoutOp>(loc, dy.getType(), dy, d.getStep(),
                                             d.getRateAttr(), d.getSeedAttr())
                             .getResult()
                       : dy;
        return success();
      })
      .Case([&](RopeOp r) {
        grads[0] =
            b.create<RopeGradOp>(loc, dy.getType(), dy, r.getBaseAttr(),
                                 r.getOffsetAttr(), r.getInterleavedAttr());
        return success();
      })
      .Case([&](EmbeddingOp e) -> LogicalResult {
        if (needed[1])
          return noRule("token ids are integers and have no gradient");
        grads[0] = b.create<EmbeddingGradOp>(loc, e.getTable().getType(),
                                             e.getIds(), dy);
        return success();
      })
      .Case([&](TransposeOp t) {
        ArrayRef<int64_t> perm = t.getPermutation();
        SmallVector<int64_t> inverse(perm.size());
        for (auto [i, p] : llvm::enumerate(perm))
          inverse[p] = i;
        grads[0] = b.create<TransposeOp>(loc, dy, inverse);
        return success();
      })
      .Case([&](SliceOp s) {
        grads[0] = b.create<PadOp>(loc, s.getInput().getType(), dy,
                                   s.getOffsetsAttr());
        return success();
      })
      .Case([&](ReshapeOp r) {
        grads[0] = b.create<ReshapeOp>(loc, r.getInput().getType(), dy);
        return success();
      })
      .Case([&](ReduceToOp r) {
        // Broadcast dy back: dy + 0 in x's shape.
        auto type = tensorType(r.getInput());
        Value zeros = b.create<arith::ConstantOp>(
            loc, DenseElementsAttr::get(
                     type, b.getFloatAttr(type.getElementType(), 0.0)));
        grads[0] = b.create<AddOp>(loc, zeros, dy);
        return success();
      })
      .Case([&](FlashAttentionOp f) -> LogicalResult {
        if (resultGrads.size() > 1 && resultGrads[1])
          return noRule(
              "the gradient through its log-sum-exp result is not supported");
        if (f.getBias() && needed[f.getODSOperandIndexAndLength(4).first])
          return noRule(
              "the gradient of its bias is not supported (a bias computed from "
              "parameters; a mask or a constant bias needs none)");
        if (!dy)
          return success();
        Type q = f.getQuery().getType();
        RankedTensorType qType = tensorType(f.getQuery());
        auto queryBatched = [&](Value t) {
          SmallVector<int64_t> shape(qType.getShape().drop_back(2));
          shape.push_back(tensorType(t).getShape().drop_back(1).back());
          shape.push_back(tensorType(t).getShape().back());
          return RankedTensorType::get(shape, qType.getElementType());
        };
        auto g = b.create<FlashAttentionGradOp>(
            loc,
            TypeRange{q, queryBatched(f.getKey()), queryBatched(f.getValue())},
            f.getQuery(), f.getKey(), f.getValue(), f.getResult(), f.getLse(),
            dy, f.getLengths(), f.getBias(), f.getScaleAttr(),
            f.getCausalAttr(), f.getWindowAttr());
        grads[0] = g.getQueryGrad();
        grads[1] = reduceTo(b, loc, g.getKeyGrad(), f.getKey());
        grads[2] = reduceTo(b, loc, g.getValueGrad(), f.getValue());
        return success();
      })
      .Case([&](CrossEntropyOp c) -> LogicalResult {
        if (c.getMask() && needed[2])
          return noRule("the gradient of its mask is not supported");
        grads[0] = b.create<CrossEntropyGradOp>(
            loc, c.getLogits().getType(), c.getLogits(), c.getTargets(),
            c.getMask(), dy, c.getLabelSmoothingAttr(), c.getIgnoreIndexAttr());
        return success();
      })
      .Default([&](Operation *) {
        return noRule("there is no gradient rule for it");
      });
}
