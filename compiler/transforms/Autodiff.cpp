//===- Autodiff.cpp - reverse-mode gradients and training steps -*- C++ -*-===//
//
// tfm-autodiff: for a function f to train, builds @f_grad (the loss and its
// gradients) and, with an optimizer, @f_train_step (forward, loss, backward
// and the parameter updates, in place), all in tfm IR.
//
// The reverse pass: a value is active if it depends on a differentiated
// argument and the loss depends on it. Walking f's ops backwards from the
// loss (its gradient 1), each op with a result gradient applies its rule
// (VjpRules.cpp) to give its active operands' gradients, which add up when a
// value has several uses. Whatever of the forward pass the gradients do not
// read is erased afterwards, so it is not kept alive.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"
#include "compiler/transforms/VjpRules.h"

#include "compiler/dialect/TfmOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMAUTODIFFPASS
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using namespace mlir::tfm;

namespace {

/// What to build for one function.
struct TrainSpec {
  std::string loss;             // output name
  SmallVector<std::string> wrt; // argument names (empty: every param)
  std::string optimizer;        // "", "sgd" or "adamw"
  DictionaryAttr hyper;         // the tfm.train attribute, if any
};

std::string argName(func::FuncOp f, unsigned i) {
  for (StringRef attr : {TfmDialect::kInputAttrName, TfmDialect::kParamAttrName,
                         TfmDialect::kStateAttrName})
    if (auto s = f.getArgAttrOfType<StringAttr>(i, attr))
      return s.str();
  return "arg" + std::to_string(i);
}

bool isFloatTensor(Type t) {
  auto tensor = dyn_cast<RankedTensorType>(t);
  return tensor && isa<FloatType>(tensor.getElementType());
}

/// Whether f has a dropout to apply in training (one without a step: f
/// itself, its inference, leaves it out).
bool hasInferenceDropout(func::FuncOp f) {
  bool found = false;
  f.walk([&](DropoutOp d) { found |= !d.getStep(); });
  return found;
}

/// Builds @<f>_grad next to f. Returns it, or null after an error.
func::FuncOp buildGradient(func::FuncOp f, unsigned lossIndex,
                           ArrayRef<unsigned> wrt) {
  Location loc = f.getLoc();
  MLIRContext *ctx = f.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointAfter(f);

  // @f_grad(same arguments[, step]) -> (loss, grad.<name>...): with dropout,
  // a scalar input "step" (the training step's) draws its masks.
  Type lossType = f.getResultTypes()[lossIndex];
  SmallVector<Type> resultTypes{lossType};
  for (unsigned i : wrt)
    resultTypes.push_back(f.getArgumentTypes()[i]);
  SmallVector<Type> argTypes(f.getArgumentTypes());
  bool dropout = hasInferenceDropout(f);
  auto stepType = RankedTensorType::get(
      {}, cast<RankedTensorType>(lossType).getElementType());
  if (dropout) {
    for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
      if (argName(f, i) == "step") {
        f.emitOpError("tfm-autodiff: the dropout of the gradient takes an "
                      "input named 'step', but the model already has a "
                      "tensor of that name");
        return nullptr;
      }
    argTypes.push_back(stepType);
  }
  auto g =
      b.create<func::FuncOp>(loc, (f.getName() + "_grad").str(),
                             FunctionType::get(ctx, argTypes, resultTypes));
  g.setVisibility(f.getVisibility());
  for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
    g.setArgAttrs(i, f.getArgAttrDict(i));
  if (dropout)
    g.setArgAttr(f.getNumArguments(), TfmDialect::kInputAttrName,
                 StringAttr::get(ctx, "step"));
  g.setResultAttrs(0, f.getResultAttrDict(lossIndex));
  for (auto [k, i] : llvm::enumerate(wrt))
    g.setResultAttr(k + 1, TfmDialect::kOutputAttrName,
                    StringAttr::get(ctx, "grad." + argName(f, i)));

  // The forward pass, cloned, its dropouts applied at `step`.
  IRMapping forward;
  f.getBody().cloneInto(&g.getBody(), forward);
  Block &body = g.getBody().front();
  if (dropout) {
    Value step = body.addArgument(stepType, loc);
    body.walk([&](DropoutOp d) {
      if (!d.getStep())
        d.getStepMutable().assign(step);
    });
  }
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Value loss = ret.getOperand(lossIndex);

  // Active values: varied (depend on a wrt argument) and useful (the loss
  // depends on them).
  llvm::DenseSet<Value> varied, useful;
  for (unsigned i : wrt)
    varied.insert(body.getArgument(i));
  for (Operation &op : body.without_terminator()) {
    if (isInactive(&op))
      continue;
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return varied.contains(v); }))
      for (Value r : op.getResults())
        if (isFloatTensor(r.getType()))
          varied.insert(r);
  }
  useful.insert(loss);
  for (Operation &op : llvm::reverse(body.without_terminator()))
    if (llvm::any_of(op.getResults(),
                     [&](Value r) { return useful.contains(r); }))
      for (Value v : op.getOperands())
        if (isFloatTensor(v.getType()))
          useful.insert(v);
  auto active = [&](Value v) {
    return varied.contains(v) && useful.contains(v);
  };

  // The reverse pass, appended before the return.
  b.setInsertionPoint(ret);
  llvm::DenseMap<Value, Value> grads;
  auto accumulate = [&](Value v, Value g) {
    auto [it, inserted] = grads.try_emplace(v, g);
    if (!inserted)
      it->second = b.create<AddOp>(g.getLoc(), it->second, g);
  };
  Type lossElement = cast<RankedTensorType>(lossType).getElementType();
  auto one = b.create<arith::ConstantOp>(
      loss.getLoc(), DenseElementsAttr::get(cast<RankedTensorType>(lossType),
                                            b.getFloatAttr(lossElement, 1.0)));
  grads[loss] = one;
  SmallVector<Operation *> forwardOps;
  for (Operation &op : body.without_terminator())
    if (&op != one.getOperation())
      forwardOps.push_back(&op);
  for (Operation *op : llvm::reverse(forwardOps)) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value r : op->getResults()) {
      resultGrads.push_back(grads.lookup(r));
      any |= bool(resultGrads.back());
    }
    if (!any)
      continue;
    SmallVector<bool> needed;
    bool anyNeeded = false;
    for (Value v : op->getOperands()) {
      needed.push_back(active(v));
      anyNeeded |= needed.back();
    }
    if (!anyNeeded)
      continue;
    // Gradient ops carry the location of the forward op they differentiate.
    b.setInsertionPoint(ret);
    SmallVector<Value> operandGrads;
    if (failed(buildVjp(b, op, resultGrads, needed, operandGrads)))
      return nullptr;
    for (auto [v, dv, need] :
         llvm::zip(op->getOperands(), operandGrads, needed))
      if (need && dv)
        accumulate(v, dv);
  }

  // Return the loss and the gradients (zeros for an argument the loss does
  // not depend on).
  SmallVector<Value> results{loss};
  for (unsigned i : wrt) {
    Value arg = body.getArgument(i);
    Value gi = grads.lookup(arg);
    if (!gi) {
      auto type = cast<RankedTensorType>(arg.getType());
      gi = b.create<arith::ConstantOp>(
          ret.getLoc(), DenseElementsAttr::get(
                            type, b.getFloatAttr(type.getElementType(), 0.0)));
    }
    results.push_back(gi);
  }
  b.create<func::ReturnOp>(ret.getLoc(), results);
  ret.erase();

  // Forward values nothing reads any more go (other outputs, and activations
  // only their own outputs needed).
  IRRewriter rewriter(ctx);
  (void)runRegionDCE(rewriter, g.getBody());
  return g;
}

/// A float attribute of the tfm.train dictionary, or `fallback`.
float hyperparameter(DictionaryAttr hyper, StringRef name, float fallback) {
  if (!hyper)
    return fallback;
  if (auto f = hyper.getAs<FloatAttr>(name))
    return f.getValueAsDouble();
  return fallback;
}

/// Builds @<f>_train_step from @<f>_grad. Returns failure after an error.
LogicalResult buildTrainStep(func::FuncOp f, func::FuncOp grad,
                             ArrayRef<unsigned> wrt, const TrainSpec &spec) {
  Location loc = f.getLoc();
  MLIRContext *ctx = f.getContext();
  bool adamw = spec.optimizer == "adamw";
  OpBuilder b(ctx);
  b.setInsertionPointAfter(grad);

  // Arguments: f's, with the parameters trained as states; then the
  // optimizer's moments (states); then lr (and step).
  SmallVector<Type> argTypes(f.getArgumentTypes());
  SmallVector<DictionaryAttr> argAttrs;
  llvm::StringSet<> names;
  for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i) {
    names.insert(argName(f, i));
    DictionaryAttr attrs = f.getArgAttrDict(i);
    argAttrs.push_back(attrs ? attrs : DictionaryAttr::get(ctx));
  }
  auto nameAttr = [&](StringRef attr, StringRef name) {
    return DictionaryAttr::get(ctx,
                               {NamedAttribute(StringAttr::get(ctx, attr),
                                               StringAttr::get(ctx, name))});
  };
  for (unsigned i : wrt)
    argAttrs[i] = nameAttr(TfmDialect::kStateAttrName, argName(f, i));
  SmallVector<std::string> moments =
      adamw ? SmallVector<std::string>{"adamw.m.", "adamw.v."}
            : SmallVector<std::string>{"sgd.momentum."};
  SmallVector<SmallVector<unsigned>> momentArgs(moments.size());
  for (unsigned i : wrt)
    for (auto [k, prefix] : llvm::enumerate(moments)) {
      std::string name = prefix + argName(f, i);
      if (!names.insert(name).second)
        return f.emitOpError(
                   "tfm-autodiff: the training step needs a state named '")
               << name << "', but the model already has a tensor of that name";
      momentArgs[k].push_back(argTypes.size());
      argTypes.push_back(f.getArgumentTypes()[i]);
      argAttrs.push_back(nameAttr(TfmDialect::kStateAttrName, name));
    }
  Type lossElement =
      cast<RankedTensorType>(grad.getResultTypes()[0]).getElementType();
  auto scalar = RankedTensorType::get({}, lossElement);
  // With dropout the gradient takes the step too (its last argument).
  bool gradStep = grad.getNumArguments() > f.getNumArguments();
  SmallVector<StringRef> scalars{"lr"};
  if (adamw || gradStep)
    scalars.push_back("step");
  unsigned firstScalar = argTypes.size();
  for (StringRef name : scalars) {
    if (!names.insert(name).second)
      return f.emitOpError(
                 "tfm-autodiff: the training step takes an input named '")
             << name << "', but the model already has a tensor of that name";
    argTypes.push_back(scalar);
    argAttrs.push_back(nameAttr(TfmDialect::kInputAttrName, name));
  }

  // Results: the loss, then the updates of the parameters and moments.
  SmallVector<Type> resultTypes{grad.getResultTypes()[0]};
  DictionaryAttr lossAttrs = grad.getResultAttrDict(0);
  SmallVector<DictionaryAttr> resultAttrs{lossAttrs ? lossAttrs
                                                    : DictionaryAttr::get(ctx)};
  auto addUpdate = [&](unsigned arg) {
    resultTypes.push_back(argTypes[arg]);
    resultAttrs.push_back(
        nameAttr(TfmDialect::kUpdateAttrName,
                 cast<StringAttr>(argAttrs[arg].get(TfmDialect::kStateAttrName))
                     .getValue()));
  };
  for (unsigned i : wrt)
    addUpdate(i);
  for (auto &args : momentArgs)
    for (unsigned a : args)
      addUpdate(a);

  auto step =
      b.create<func::FuncOp>(loc, (f.getName() + "_train_step").str(),
                             FunctionType::get(ctx, argTypes, resultTypes));
  step.setVisibility(f.getVisibility());
  step.setAllArgAttrs(argAttrs);
  step.setAllResultAttrs(resultAttrs);
  // Arguments located where the model declared them (the moments and
  // scalars where it declared the function).
  Block *body = new Block();
  step.getBody().push_back(body);
  for (auto [i, type] : llvm::enumerate(argTypes)) {
    unsigned source = i;
    for (auto &args : momentArgs)
      for (auto [j, a] : llvm::enumerate(args))
        if (a == i)
          source = wrt[j];
    body->addArgument(type, source < f.getNumArguments()
                                ? f.getArgument(source).getLoc()
                                : loc);
  }
  b.setInsertionPointToStart(body);

  // The gradient's body, on the first arguments.
  IRMapping mapping;
  for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
    mapping.map(grad.getArgument(i), body->getArgument(i));
  if (gradStep)
    mapping.map(grad.getArguments().back(), body->getArgument(firstScalar + 1));
  for (Operation &op : grad.getBody().front().without_terminator())
    b.clone(op, mapping);
  auto gradRet = cast<func::ReturnOp>(grad.getBody().front().getTerminator());
  SmallVector<Value> results{mapping.lookup(gradRet.getOperand(0))};

  // The updates, after every use of the old values.
  Value lr = body->getArgument(firstScalar);
  SmallVector<Value> params, newMoments[2];
  DictionaryAttr hyper = spec.hyper;
  for (auto [k, i] : llvm::enumerate(wrt)) {
    Value p = body->getArgument(i);
    Value g = mapping.lookup(gradRet.getOperand(k + 1));
    Location ploc = p.getLoc();
    if (adamw) {
      auto update = b.create<AdamWOp>(
          ploc, TypeRange{p.getType(), p.getType(), p.getType()}, p, g,
          body->getArgument(momentArgs[0][k]),
          body->getArgument(momentArgs[1][k]), lr,
          body->getArgument(firstScalar + 1),
          b.getF32FloatAttr(hyperparameter(hyper, "beta1", 0.9f)),
          b.getF32FloatAttr(hyperparameter(hyper, "beta2", 0.999f)),
          b.getF32FloatAttr(hyperparameter(hyper, "epsilon", 1e-8f)),
          b.getF32FloatAttr(hyperparameter(hyper, "weight_decay", 0.01f)));
      params.push_back(update.getNewParam());
      newMoments[0].push_back(update.getNewM());
      newMoments[1].push_back(update.getNewV());
    } else {
      auto update = b.create<SgdOp>(
          ploc, TypeRange{p.getType(), p.getType()}, p, g,
          body->getArgument(momentArgs[0][k]), lr,
          b.getF32FloatAttr(hyperparameter(hyper, "momentum", 0.9f)),
          b.getF32FloatAttr(hyperparameter(hyper, "weight_decay", 0.0f)));
      params.push_back(update.getNewParam());
      newMoments[0].push_back(update.getNewMomentumBuffer());
    }
  }
  llvm::append_range(results, params);
  for (unsigned k = 0; k < moments.size(); ++k)
    llvm::append_range(results, newMoments[k]);
  b.create<func::ReturnOp>(gradRet.getLoc(), results);
  return success();
}

struct TfmAutodiffPass : tfm::impl::TfmAutodiffPassBase<TfmAutodiffPass> {
  using TfmAutodiffPassBase::TfmAutodiffPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<func::FuncOp, TrainSpec>> todo;
    for (auto f : module.getOps<func::FuncOp>()) {
      auto train = f->getAttrOfType<DictionaryAttr>(TfmDialect::kTrainAttrName);
      bool named = !function.empty() && f.getName() == function;
      if (!named && (!function.empty() || !train))
        continue;
      TrainSpec spec;
      spec.hyper = train;
      if (train) {
        if (auto s = train.getAs<StringAttr>("loss"))
          spec.loss = s.str();
        if (auto s = train.getAs<StringAttr>("optimizer"))
          spec.optimizer = s.str();
        if (auto list = train.getAs<ArrayAttr>("wrt"))
          for (Attribute a : list) {
            auto name = dyn_cast<StringAttr>(a);
            if (!name) {
              f.emitOpError("tfm-autodiff: tfm.train's wrt lists ")
                  << a << ", not the name of a parameter";
              return signalPassFailure();
            }
            spec.wrt.push_back(name.str());
          }
      }
      if (!loss.empty())
        spec.loss = loss;
      if (!optimizer.empty())
        spec.optimizer = optimizer == "none" ? "" : std::string(optimizer);
      if (!wrt.empty())
        spec.wrt.assign(wrt.begin(), wrt.end());
      todo.emplace_back(f, spec);
    }
    if (!function.empty() && todo.empty()) {
      module.emitError("tfm-autodiff: no function named '") << function << "'";
      return signalPassFailure();
    }
    for (auto &[f, spec] : todo)
      if (failed(differentiate(f, spec)))
        return signalPassFailure();
  }

  LogicalResult differentiate(func::FuncOp f, const TrainSpec &spec) {
    if (f.isExternal() || !f.getBody().hasOneBlock())
      return f.emitOpError(
          "tfm-autodiff: expects a function with a body of one block");
    if (!spec.optimizer.empty() && spec.optimizer != "sgd" &&
        spec.optimizer != "adamw")
      return f.emitOpError("tfm-autodiff: unknown optimizer '")
             << spec.optimizer << "', expected 'sgd' or 'adamw'";
    // The loss: the output named so, or the only scalar float output.
    std::optional<unsigned> lossIndex;
    SmallVector<std::string> outputs;
    for (unsigned i = 0, e = f.getNumResults(); i < e; ++i) {
      auto name =
          f.getResultAttrOfType<StringAttr>(i, TfmDialect::kOutputAttrName);
      std::string n = name ? name.str() : "result" + std::to_string(i);
      outputs.push_back(n);
      auto type = dyn_cast<RankedTensorType>(f.getResultTypes()[i]);
      bool scalarFloat =
          type && type.getRank() == 0 && isa<FloatType>(type.getElementType());
      if (!spec.loss.empty() ? n == spec.loss : scalarFloat) {
        if (lossIndex && spec.loss.empty())
          return f.emitOpError("tfm-autodiff: has several scalar outputs ('")
                 << outputs[*lossIndex] << "', '" << n
                 << "') ---> HINT: name the loss";
        lossIndex = i;
      }
    }
    if (!lossIndex)
      return spec.loss.empty()
                 ? f.emitOpError(
                       "tfm-autodiff: has no scalar output to differentiate")
                 : f.emitOpError("tfm-autodiff: has no output named '")
                       << spec.loss << "'";
    auto lossType = cast<RankedTensorType>(f.getResultTypes()[*lossIndex]);
    if (lossType.getRank() != 0 || !isa<FloatType>(lossType.getElementType()))
      return f.emitOpError("tfm-autodiff: the loss '")
             << outputs[*lossIndex] << "' must be a float scalar, got "
             << lossType;

    // The arguments to differentiate for.
    SmallVector<unsigned> wrtArgs;
    for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i) {
      std::string n = argName(f, i);
      bool wanted = spec.wrt.empty()
                        ? bool(f.getArgAttr(i, TfmDialect::kParamAttrName))
                        : llvm::is_contained(spec.wrt, n);
      if (!wanted)
        continue;
      if (!isFloatTensor(f.getArgumentTypes()[i]))
        return f.emitOpError("tfm-autodiff: cannot differentiate for '")
               << n << "' of type " << f.getArgumentTypes()[i]
               << ": not a float tensor";
      wrtArgs.push_back(i);
    }
    for (const std::string &n : spec.wrt) {
      bool found = false;
      for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
        found |= argName(f, i) == n;
      if (!found)
        return f.emitOpError("tfm-autodiff: has no argument named '")
               << n << "'";
    }
    if (wrtArgs.empty())
      return f.emitOpError(
          "tfm-autodiff: has nothing to differentiate for ---> HINT: "
          "declare parameters with tfm.param or name them in wrt");

    SymbolTable symbols(f->getParentOp());
    for (StringRef suffix : {"_grad", "_train_step"})
      if (symbols.lookup((f.getName() + suffix).str()))
        return f.emitOpError("tfm-autodiff: a function named '")
               << f.getName() << suffix << "' already exists";
    func::FuncOp grad = buildGradient(f, *lossIndex, wrtArgs);
    if (!grad)
      return failure();
    if (!spec.optimizer.empty() &&
        failed(buildTrainStep(f, grad, wrtArgs, spec)))
      return failure();
    return success();
  }
};

} // namespace
