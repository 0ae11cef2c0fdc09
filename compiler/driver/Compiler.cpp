//===- Compiler.cpp - parse, read signatures, lower -------------*- C++ -*-===//
//
// The MLIR half of the compiler library; LLVM code generation is in
// Export.cpp and the header text in Header.cpp.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Compiler.h"
#include "compiler/driver/Header.h"

#include "compiler/dialect/TfmOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

void mlir::tfm::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<TfmDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

OwningOpRef<ModuleOp> mlir::tfm::parseModule(MLIRContext &ctx,
                                             llvm::SourceMgr &sourceMgr,
                                             llvm::StringRef text,
                                             llvm::StringRef bufferName) {
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, bufferName), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&ctx));
}

static bool isCIdentifier(llvm::StringRef s) {
  if (s.empty() || !(llvm::isAlpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// The runtime dtype of a tensor element type, if the ABI supports it
/// (tfm/dtype.hpp's table: floats by width, signless integers by width).
static std::optional<::tfm::DType> dtypeOf(Type t) {
  if (!t.isIntOrFloat() || (t.isInteger() && !t.isSignlessInteger()) ||
      t.getIntOrFloatBitWidth() % 8)
    return std::nullopt;
  return ::tfm::dtype_with(isa<FloatType>(t), t.getIntOrFloatBitWidth() / 8);
}

/// The rows of the smallest table that `arg` indexes (as the token ids of an
/// embedding or of its gradient), or 0 if it indexes none: the bound a call
/// checks each id against.
static int64_t indexBound(BlockArgument arg) {
  int64_t bound = 0;
  auto take = [&](Type table) {
    int64_t rows = cast<RankedTensorType>(table).getDimSize(0);
    if (rows > 0 && (bound == 0 || rows < bound))
      bound = rows;
  };
  for (Operation *user : arg.getUsers()) {
    if (auto e = dyn_cast<mlir::tfm::EmbeddingOp>(user); e && e.getIds() == arg)
      take(e.getTable().getType());
    else if (auto g = dyn_cast<mlir::tfm::EmbeddingGradOp>(user);
             g && g.getIds() == arg)
      take(g.getType());
  }
  return bound;
}

FailureOr<std::vector<::tfm::Signature>>
mlir::tfm::readEntrySignatures(ModuleOp module) {
  std::vector<::tfm::Signature> signatures;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || !func.isPublic())
      continue;
    ::tfm::Signature sig;
    sig.name = func.getSymName().str();
    if (!isCIdentifier(sig.name))
      return func.emitOpError("entry point name '")
             << sig.name << "' is not a C identifier";
    if (isReservedInHeader(sig.name))
      return func.emitOpError("entry point name '")
             << sig.name << "' is a C++ keyword";
    llvm::StringSet<> names;

    auto addTensor = [&](Type type, StringRef name, ::tfm::Role role,
                         StringRef what, unsigned index) -> LogicalResult {
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !tensor.hasStaticShape())
        return func.emitOpError("expects ")
               << what << " " << index
               << " to be a statically shaped tensor, got " << type;
      std::optional<::tfm::DType> dtype = dtypeOf(tensor.getElementType());
      if (!dtype)
        return func.emitOpError("expects ")
               << what << " " << index
               << " to have element type f32, f64, i32 or i64, got "
               << tensor.getElementType();
      if (!names.insert(name).second)
        return func.emitOpError("has two tensors named '") << name << "'";
      sig.args.push_back(
          {name.str(), role, *dtype,
           ::tfm::Shape(tensor.getShape().begin(), tensor.getShape().end())});
      return success();
    };

    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      ::tfm::Role role = ::tfm::Role::input;
      std::string name = "arg" + std::to_string(i);
      if (auto s = func.getArgAttrOfType<StringAttr>(
              i, TfmDialect::kParamAttrName)) {
        role = ::tfm::Role::param;
        name = s.str();
      } else if (auto s = func.getArgAttrOfType<StringAttr>(
                     i, TfmDialect::kStateAttrName)) {
        role = ::tfm::Role::state;
        name = s.str();
      } else if (auto s = func.getArgAttrOfType<StringAttr>(
                     i, TfmDialect::kInputAttrName)) {
        name = s.str();
      }
      if (failed(addTensor(type, name, role, "argument", i)))
        return failure();
      sig.args.back().index_bound = indexBound(func.getArgument(i));
    }
    for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
      // An update is written over its state argument: not an out-parameter.
      if (func.getResultAttr(i, TfmDialect::kUpdateAttrName))
        continue;
      std::string name = "result" + std::to_string(i);
      if (auto s = func.getResultAttrOfType<StringAttr>(
              i, TfmDialect::kOutputAttrName))
        name = s.str();
      if (failed(addTensor(type, name, ::tfm::Role::output, "result", i)))
        return failure();
    }
    signatures.push_back(std::move(sig));
  }
  return signatures;
}

/// Canonicalization hoists and merges constants and gives them an unknown
/// location; give each such op the location of its first located user in
/// program order, so that printed IR points at a model line everywhere.
static void inheritUnknownLocations(ModuleOp module) {
  module.walk([](Operation *op) {
    if (!isa<UnknownLoc>(op->getLoc()) || !op->getBlock())
      return;
    Operation *first = nullptr, *firstAncestor = nullptr;
    for (Operation *user : op->getUsers()) {
      Operation *ancestor = op->getBlock()->findAncestorOpInBlock(*user);
      if (isa<UnknownLoc>(user->getLoc()) || !ancestor)
        continue;
      if (!first || ancestor->isBeforeInBlock(firstAncestor)) {
        first = user;
        firstAncestor = ancestor;
      }
    }
    if (first)
      op->setLoc(first->getLoc());
  });
}

/// Tensors of more elements than this are refused: every size the pipeline
/// computes from a shape (bytes, strides, offsets) then fits in 64 bits.
constexpr int64_t kMaxTensorElements = int64_t{1} << 48;

/// Fails with a diagnostic at `op` if `type` is a tensor of more than
/// kMaxTensorElements elements.
static LogicalResult checkTensorSize(Operation *op, Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return success();
  int64_t elements = 1;
  for (int64_t d : tensor.getShape())
    if (__builtin_mul_overflow(elements, d, &elements) ||
        elements > kMaxTensorElements)
      return op->emitError("tensor type ")
             << type << " has more than 2^48 elements ---> HINT: tfm "
             << "compiles tensors that fit in memory";
  return success();
}

/// Fails with a diagnostic on the first op outside the dialects a model is
/// written in (tfm, func, builtin, and arith.constant for constant tensors:
/// the pipeline lowers those, and another dialect's op would reach passes
/// that do not expect it), or on a tensor too large to address.
static LogicalResult checkModelDialects(ModuleOp module) {
  WalkResult walk =
      module.walk<WalkOrder::PreOrder>([](Operation *op) {
        StringRef ns = op->getName().getDialectNamespace();
        if (ns != mlir::tfm::TfmDialect::getDialectNamespace() &&
            ns != "func" && ns != "builtin" && !isa<arith::ConstantOp>(op)) {
          op->emitError("'")
              << op->getName()
              << "' is not an op of a tfm model ---> HINT: tfmc and the JIT "
                 "compile the tfm dialect (in func.func, with arith.constant); "
                 "lower other dialects with tfm-opt";
          return WalkResult::interrupt();
        }
        for (Type t : op->getResultTypes())
          if (failed(checkTensorSize(op, t)))
            return WalkResult::interrupt();
        for (Region &region : op->getRegions())
          for (Block &block : region)
            for (Type t : block.getArgumentTypes())
              if (failed(checkTensorSize(op, t)))
                return WalkResult::interrupt();
        return WalkResult::advance();
      });
  return failure(walk.wasInterrupted());
}

LogicalResult mlir::tfm::transformModule(ModuleOp module,
                                         const CpuPipelineOptions &options,
                                         TimingScope *timing,
                                         bool passManagerCLOptions) {
  if (failed(verify(module)) || failed(checkModelDialects(module)))
    return failure();
  PassManager pm(module.getContext());
  if (timing)
    pm.enableTiming(*timing);
  buildTfmTransformPipeline(pm, options);
  if (passManagerCLOptions && failed(applyPassManagerCLOptions(pm)))
    return failure();
  if (failed(pm.run(module)))
    return failure();
  inheritUnknownLocations(module);
  return success();
}

void mlir::tfm::readWorkspaces(ModuleOp module,
                               std::vector<::tfm::Signature> &signatures) {
  auto sizes = module->getAttrOfType<DictionaryAttr>("tfm.workspace");
  auto packed =
      module->getAttrOfType<DictionaryAttr>(TfmDialect::kPackedAttrName);
  auto read = [](DictionaryAttr d, const std::string &name) -> int64_t {
    auto bytes = d ? d.getAs<IntegerAttr>(name) : IntegerAttr();
    return bytes ? bytes.getInt() : 0;
  };
  for (::tfm::Signature &sig : signatures) {
    sig.workspace_bytes = read(sizes, sig.name);
    sig.packed_bytes = read(packed, sig.name);
    if (sig.packed_bytes > 0)
      sig.pack_workspace_bytes = read(sizes, ::tfm::pack_entry_name(sig.name));
  }
}

void mlir::tfm::setTarget(ModuleOp module, const CpuTarget &target) {
  module->setAttr(kTargetAttrName, targetToAttr(module.getContext(), target));
}

LogicalResult mlir::tfm::lowerModule(ModuleOp module, Stage stage,
                                     const CpuPipelineOptions &options,
                                     TimingScope *timing,
                                     bool passManagerCLOptions) {
  if (stage == Stage::Tfm)
    return success();
  PassManager pm(module.getContext());
  if (timing)
    pm.enableTiming(*timing);
  buildTfmConversionPipeline(pm, options);
  if (stage == Stage::LlvmDialect)
    buildLinalgToLlvmPipeline(pm, options);
  if (passManagerCLOptions && failed(applyPassManagerCLOptions(pm)))
    return failure();
  if (failed(pm.run(module)))
    return failure();
  inheritUnknownLocations(module);
  return success();
}
