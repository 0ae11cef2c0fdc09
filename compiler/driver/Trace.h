//===- Trace.h - tracing a C++ model source ---------------------*- C++ -*-===//
//
// A model written in the DSL is traced by building its source with clang++
// against the DSL headers and the generator's main, and running the result,
// which writes the model's tfm MLIR (as Halide builds and runs a generator).
// The headers and the generator's main are found relative to the executable
// that traces, so that an installed prefix can be moved. Plain C++ and LLVM
// Support: no MLIR here.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DRIVER_TRACE_H
#define TFM_DRIVER_TRACE_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::tfm {

/// What tracing needs besides the model source.
struct TraceToolchain {
  std::string cxx;           ///< the C++ compiler (clang++ 19)
  std::string dslIncludeDir; ///< holds tfm/dsl.hpp
  std::string generatorMain; ///< dsl/generator/generator_main.cpp
};

/// The toolchain of an executable at `executable` in `<prefix>/bin`: the DSL
/// headers in `<prefix>/include`, the generator's main in
/// `<prefix>/share/tfm` (the install layout, which the build tree mirrors).
/// Returns nothing, with `error` saying what is missing, where they are not.
std::optional<TraceToolchain> findTraceToolchain(llvm::StringRef executable,
                                                 llvm::StringRef cxx,
                                                 std::string &error);

struct TraceOptions {
  std::vector<std::string> includeDirs; ///< -I for the model source
  std::vector<std::string> cxxFlags;    ///< extra flags for clang++
  /// Where to write a make-style depfile of the model source's headers
  /// ("": none), naming `depTarget` as what depends on them.
  std::string depfile, depTarget;
};

/// Builds `source` with the generator's main, runs it and returns the traced
/// MLIR text; or nothing, with `error` saying why (clang++'s diagnostics are
/// on stderr).
std::optional<std::string> traceCppModel(const TraceToolchain &toolchain,
                                         llvm::StringRef source,
                                         const TraceOptions &options,
                                         std::string &error);

/// Whether `path` names a C++ source (.cpp, .cc, .cxx, .C).
bool isCppSource(llvm::StringRef path);

} // namespace mlir::tfm

#endif // TFM_DRIVER_TRACE_H
