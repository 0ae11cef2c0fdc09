//===- Cache.h - compiled modules on disk -----------------------*- C++ -*-===//
//
// The compile cache of the JIT and tfmc: compiled modules under a directory,
// one file per key, each checked by a SHA-256 of its contents before it is
// used. Entries are written to a temporary file and renamed into place, so
// that a reader sees a whole entry or none, whatever other processes write
// at the same time.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DRIVER_CACHE_H
#define TFM_DRIVER_CACHE_H

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlir::tfm {

struct CpuTarget;
struct CpuPipelineOptions;

/// $TFM_CACHE_DIR, else $XDG_CACHE_HOME/tfm, else $HOME/.cache/tfm ("" if
/// none of them is set).
std::string defaultCacheDir();

/// The hex SHA-256 of `parts`, each length-prefixed (so that no two lists
/// give the same bytes).
std::string cacheKey(const std::vector<std::string_view> &parts);

/// What identifies the compiler that runs: the build IDs (or, without one,
/// the path, size and time) of the binaries that hold tfm's compiler, MLIR
/// and LLVM, and LLVM's version.
const std::string &compilerIdentity();

/// Everything in `target` and `options` that changes the code, as text for
/// a key.
std::string codeIdentity(const CpuTarget &target,
                         const CpuPipelineOptions &options, unsigned optLevel);

/// The entry's path under `dir`.
std::string cacheEntryPath(const std::string &dir, const std::string &key);

/// The payload stored under `key`, or nothing if there is none or it is not
/// whole (truncated, corrupted: its checksum does not match).
std::optional<std::string> readCacheEntry(const std::string &dir,
                                          const std::string &key);

/// Stores `payload` under `key` (creating `dir`); false, with `error` set,
/// if it cannot. Then removes the least recently used other entries while
/// the directory's entries hold more than $TFM_CACHE_MAX_BYTES (default 2
/// GiB).
bool writeCacheEntry(const std::string &dir, const std::string &key,
                     std::string_view payload, std::string &error);

} // namespace mlir::tfm

#endif // TFM_DRIVER_CACHE_H
