// The JIT's on-disk cache: compiled modules under a directory, one file per
// key, each file checked by a SHA-256 of its contents before it is used.
// Entries are written to a temporary file and renamed into place, so that a
// reader sees a whole entry or none, whatever other processes write at the
// same time. Not a public header: the JIT is its only user.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfm::jit::cache {

// $TFM_CACHE_DIR, else $XDG_CACHE_HOME/tfm, else $HOME/.cache/tfm ("" if
// none of them is set).
std::string default_dir();

// The hex SHA-256 of `parts`, each length-prefixed (so that no two lists
// give the same bytes).
std::string key(const std::vector<std::string_view>& parts);

// What identifies the compiler that runs: the build IDs (or, without one,
// the path, size and time) of the binaries that hold tfm's compiler, MLIR
// and LLVM, and LLVM's version.
const std::string& compiler_identity();

// The entry's path under `dir`.
std::string path_of(const std::string& dir, const std::string& key);

// The payload stored under `key`, or nothing if there is none or it is not
// whole (truncated, corrupted: its checksum does not match).
std::optional<std::string> read(const std::string& dir, const std::string& key);

// Stores `payload` under `key` (creating `dir`); false, with `error` set,
// if it cannot.
bool write(const std::string& dir, const std::string& key, std::string_view payload,
           std::string& error);

}  // namespace tfm::jit::cache
