//===- Trace.cpp - tracing a C++ model source -------------------*- C++ -*-===//
//
// model.cpp --clang++ -c--> model.o --clang++ + generator_main.cpp--> generator
// --run--> traced.mlir, in a temporary directory removed afterwards.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Trace.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace mlir;
using namespace mlir::tfm;

namespace {

/// Removes a temporary directory and what it holds when it goes out of scope.
struct TempDir {
  llvm::SmallString<128> path;
  ~TempDir() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
};

/// Runs `args` (args[0] is the program); returns whether it exited with 0,
/// else sets `error`.
bool run(llvm::ArrayRef<std::string> args, llvm::StringRef what,
         std::string &error) {
  std::vector<llvm::StringRef> refs(args.begin(), args.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(args[0], refs, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc == 0)
    return true;
  error = (what + " (" +
           (message.empty() ? args[0] + " exited with " + std::to_string(rc)
                            : message) +
           ")")
              .str();
  return false;
}

} // namespace

bool mlir::tfm::isCppSource(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  return ext == ".cpp" || ext == ".cc" || ext == ".cxx" || ext == ".C";
}

std::optional<TraceToolchain>
mlir::tfm::findTraceToolchain(llvm::StringRef executable, llvm::StringRef cxx,
                              std::string &error) {
  llvm::SmallString<256> prefix = llvm::sys::path::parent_path(executable);
  llvm::sys::path::remove_dots(prefix, /*remove_dot_dot=*/true);
  prefix = llvm::sys::path::parent_path(prefix); // <prefix>/bin -> <prefix>
  TraceToolchain t;
  t.cxx = cxx.str();
  llvm::SmallString<256> include(prefix), main(prefix);
  llvm::sys::path::append(include, "include");
  llvm::sys::path::append(main, "share", "tfm", "generator_main.cpp");
  t.dslIncludeDir = include.str().str();
  t.generatorMain = main.str().str();
  llvm::SmallString<256> dsl(include);
  llvm::sys::path::append(dsl, "tfm", "dsl.hpp");
  for (llvm::StringRef needed : {dsl.str(), main.str()})
    if (!llvm::sys::fs::exists(needed)) {
      error = ("cannot trace a C++ model: '" + needed +
               "' is missing ---> HINT: tfmc reads the DSL from the prefix it "
               "is installed in (" +
               prefix + "); reinstall tfm there")
                  .str();
      return std::nullopt;
    }
  return t;
}

std::optional<std::string>
mlir::tfm::traceCppModel(const TraceToolchain &toolchain,
                         llvm::StringRef source, const TraceOptions &options,
                         std::string &error) {
  TempDir dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("tfmc", dir.path)) {
    error = "cannot create a temporary directory: " + ec.message();
    return std::nullopt;
  }
  std::string object = (dir.path + "/model.o").str();
  std::string generator = (dir.path + "/generator").str();
  std::string traced = (dir.path + "/traced.mlir").str();

  // What both clang++ steps take: the DSL, the user's include directories
  // and flags (which may be link flags too).
  std::vector<std::string> common = {toolchain.cxx, "-std=c++20", "-O0", "-g0",
                                     "-I" + toolchain.dslIncludeDir};
  for (const std::string &d : options.includeDirs)
    common.push_back("-I" + d);
  for (const std::string &f : options.cxxFlags)
    common.push_back(f);

  // The model source alone, so that the depfile names its headers; then
  // linked with the generator's main.
  std::vector<std::string> compile = common;
  if (!options.depfile.empty())
    compile.insert(compile.end(),
                   {"-MD", "-MF", options.depfile, "-MT", options.depTarget});
  compile.insert(compile.end(), {"-c", source.str(), "-o", object});
  std::string what = ("cannot build model source '" + source + "'").str();
  if (!run(compile, what, error))
    return std::nullopt;
  std::vector<std::string> link = common;
  link.insert(link.end(), {object, toolchain.generatorMain, "-o", generator});
  if (!run(link, what, error))
    return std::nullopt;

  what = ("tracing model source '" + source + "' failed").str();
  if (!run({generator, traced}, what, error))
    return std::nullopt;
  auto buffer = llvm::MemoryBuffer::getFile(traced);
  if (!buffer) {
    error = ("tracing model source '" + source + "' wrote no IR").str();
    return std::nullopt;
  }
  return (*buffer)->getBuffer().str();
}
