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

#include <cstdint>
#include <cstring>
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

/// A payload as fields: little-endian 64-bit numbers and length-prefixed
/// byte strings, read back in the order they were written.
class CacheEntryWriter {
public:
  void u64(uint64_t v) { out.append(reinterpret_cast<const char *>(&v), 8); }
  void str(std::string_view s) {
    u64(s.size());
    out.append(s);
  }
  std::string take() { return std::move(out); }

private:
  std::string out;
};

/// Reads what CacheEntryWriter wrote; each call fails (false) past the end.
class CacheEntryReader {
public:
  explicit CacheEntryReader(std::string_view in) : in(in) {}
  bool u64(uint64_t &v) {
    if (in.size() < 8)
      return false;
    std::memcpy(&v, in.data(), 8);
    in.remove_prefix(8);
    return true;
  }
  bool str(std::string &s) {
    uint64_t n = 0;
    if (!u64(n) || n > in.size())
      return false;
    s.assign(in.substr(0, n));
    in.remove_prefix(n);
    return true;
  }
  bool done() const { return in.empty(); }

private:
  std::string_view in;
};

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
