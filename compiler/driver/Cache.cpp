//===- Cache.cpp - compiled modules on disk ---------------------*- C++ -*-===//
//
// An entry's file:
//
//   "tfm-jit-cache\n" | payload bytes (8, little-endian) | SHA-256 (32) |
//   payload
//
// A file shorter than its header says, or whose payload does not hash to the
// stored checksum, is not an entry (it is rebuilt and written again).
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Cache.h"

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "compiler/driver/Compiler.h"
#include "compiler/pipelines/Pipelines.h"
#include "compiler/target/Target.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/SHA256.h"

namespace {

constexpr std::string_view kMagic = "tfm-jit-cache\n";
constexpr std::size_t kHeader = kMagic.size() + 8 + 32;

std::array<std::uint8_t, 32> sha256(std::string_view bytes) {
  llvm::SHA256 hash;
  hash.update(llvm::StringRef(bytes.data(), bytes.size()));
  return hash.final();
}

std::string hex(const std::array<std::uint8_t, 32> &digest) {
  static const char *digits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : digest) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// The build ID note (or, without one, the path, size and modification time)
// of the loaded binary that holds `address`.
std::string binaryIdentity(const void *address) {
  Dl_info info{};
  if (!dladdr(address, &info))
    return "unknown";
  struct Found {
    const void *base;
    std::string id;
  } found{info.dli_fbase, ""};
  dl_iterate_phdr(
      [](dl_phdr_info *phdr, std::size_t, void *data) {
        auto *f = static_cast<Found *>(data);
        // The object whose first loaded segment is at the base dladdr gave.
        const ElfW(Addr) base = phdr->dlpi_addr;
        bool mine = false;
        for (int i = 0; i < phdr->dlpi_phnum && !mine; ++i)
          if (phdr->dlpi_phdr[i].p_type == PT_LOAD)
            mine = reinterpret_cast<const void *>(
                       base + phdr->dlpi_phdr[i].p_vaddr -
                       phdr->dlpi_phdr[i].p_offset) == f->base;
        if (!mine)
          return 0;
        for (int i = 0; i < phdr->dlpi_phnum; ++i) {
          const ElfW(Phdr) &segment = phdr->dlpi_phdr[i];
          if (segment.p_type != PT_NOTE)
            continue;
          const char *p =
              reinterpret_cast<const char *>(base + segment.p_vaddr);
          const char *end = p + segment.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            const auto *note = reinterpret_cast<const ElfW(Nhdr) *>(p);
            const char *name = p + sizeof(ElfW(Nhdr));
            const char *desc = name + ((note->n_namesz + 3) & ~3u);
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
                std::memcmp(name, "GNU", 4) == 0) {
              f->id.assign(desc, note->n_descsz);
              return 1;
            }
            p = desc + ((note->n_descsz + 3) & ~3u);
          }
        }
        return 1;
      },
      &found);
  if (!found.id.empty()) {
    std::string out = "build-id:";
    for (unsigned char c : found.id) {
      out += "0123456789abcdef"[c >> 4];
      out += "0123456789abcdef"[c & 15];
    }
    return out;
  }
  std::error_code ec;
  std::filesystem::path path = info.dli_fname ? info.dli_fname : "";
  if (path.empty())
    path = "/proc/self/exe";
  auto size = std::filesystem::file_size(path, ec);
  auto time = std::filesystem::last_write_time(path, ec);
  return path.string() + ":" + std::to_string(size) + ":" +
         std::to_string(time.time_since_epoch().count());
}

/// The most bytes of entries a cache directory keeps: $TFM_CACHE_MAX_BYTES,
/// else 2 GiB.
std::uintmax_t maxCacheBytes() {
  if (const char *max = std::getenv("TFM_CACHE_MAX_BYTES"); max && *max) {
    char *end = nullptr;
    unsigned long long n = std::strtoull(max, &end, 10);
    if (end && *end == '\0')
      return n;
  }
  return std::uintmax_t(2) << 30;
}

/// Removes the least recently used entries of `dir` (by modification time,
/// which a read updates) until they hold at most maxCacheBytes(), never
/// `keep` (the entry just written). Another process removing the same
/// entry at the same time is harmless: a reader of a removed entry already
/// has it open, or misses.
void evictLeastRecentlyUsed(const std::string &dir, const std::string &keep) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> entries;
  std::uintmax_t total = 0;
  for (const fs::directory_entry &e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".tfmjit")
      continue;
    std::uintmax_t size = e.file_size(ec);
    if (ec)
      continue;
    total += size;
    entries.emplace_back(e.last_write_time(ec), e.path());
  }
  const std::uintmax_t max = maxCacheBytes();
  if (total <= max)
    return;
  std::sort(entries.begin(), entries.end());
  for (const auto &[time, path] : entries) {
    if (total <= max)
      break;
    if (path == fs::path(keep))
      continue;
    std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && fs::remove(path, ec))
      total -= size;
  }
}

} // namespace

std::string mlir::tfm::defaultCacheDir() {
  if (const char *dir = std::getenv("TFM_CACHE_DIR"); dir && *dir)
    return dir;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/tfm";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/tfm";
  return "";
}

std::string mlir::tfm::cacheKey(const std::vector<std::string_view> &parts) {
  llvm::SHA256 hash;
  for (std::string_view part : parts) {
    std::uint64_t n = part.size();
    hash.update(llvm::ArrayRef<std::uint8_t>(
        reinterpret_cast<const std::uint8_t *>(&n), 8));
    hash.update(llvm::StringRef(part.data(), part.size()));
  }
  return hex(hash.final());
}

const std::string &mlir::tfm::compilerIdentity() {
  static const std::string identity =
      std::string("llvm ") + LLVM_VERSION_STRING + "; tfm " +
      binaryIdentity(
          reinterpret_cast<const void *>(&mlir::tfm::transformModule)) +
      "; mlir " +
      binaryIdentity(
          reinterpret_cast<const void *>(&mlir::translateModuleToLLVMIR)) +
      "; libLLVM " +
      binaryIdentity(reinterpret_cast<const void *>(&llvm::SHA256::hash));
  return identity;
}

std::string mlir::tfm::codeIdentity(const CpuTarget &t,
                                    const CpuPipelineOptions &options,
                                    unsigned optLevel) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "-O" << optLevel << " ";
  const_cast<CpuPipelineOptions &>(options).print(os);
  os << " target " << t.triple << " " << t.cpu << " [" << llvmFeatures(t)
     << "] " << t.isa << " " << t.vectorBits << " " << t.vectorRegisters << " "
     << t.fma << " " << t.fmaUnits << " " << t.fmaLatency << " " << t.l1d << " "
     << t.l2 << " " << t.l3 << " " << t.l1dWays;
  return os.str();
}

std::string mlir::tfm::cacheEntryPath(const std::string &dir,
                                      const std::string &key) {
  return dir + "/" + key + ".tfmjit";
}

std::optional<std::string> mlir::tfm::readCacheEntry(const std::string &dir,
                                                     const std::string &key) {
  std::ifstream in(cacheEntryPath(dir, key), std::ios::binary);
  if (!in)
    return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string file = std::move(buffer).str();
  if (file.size() < kHeader ||
      std::string_view(file).substr(0, kMagic.size()) != kMagic)
    return std::nullopt;
  std::uint64_t size = 0;
  std::memcpy(&size, file.data() + kMagic.size(), 8);
  if (size != file.size() - kHeader)
    return std::nullopt;
  std::string_view payload = std::string_view(file).substr(kHeader);
  if (std::memcmp(sha256(payload).data(), file.data() + kMagic.size() + 8,
                  32) != 0)
    return std::nullopt;
  // Used: the last to go when the cache is trimmed.
  std::error_code ec;
  std::filesystem::last_write_time(
      cacheEntryPath(dir, key), std::filesystem::file_time_type::clock::now(),
      ec);
  file.erase(0, kHeader);
  return file;
}

bool mlir::tfm::writeCacheEntry(const std::string &dir, const std::string &key,
                                std::string_view payload, std::string &error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir + ": " + ec.message();
    return false;
  }
  // A name no other writer uses: this process, this call.
  static std::atomic<std::uint64_t> calls{0};
  std::random_device entropy;
  const std::string temporary =
      cacheEntryPath(dir, key) + ".tmp." + std::to_string(::getpid()) + "." +
      std::to_string(calls++) + "." + std::to_string(entropy());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    std::uint64_t size = payload.size();
    auto digest = sha256(payload);
    out.write(kMagic.data(), static_cast<std::streamsize>(kMagic.size()));
    out.write(reinterpret_cast<const char *>(&size), 8);
    out.write(reinterpret_cast<const char *>(digest.data()), 32);
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(temporary, ec);
      error = "cannot write " + temporary;
      return false;
    }
  }
  std::filesystem::rename(temporary, cacheEntryPath(dir, key), ec);
  if (ec) {
    error = "cannot rename " + temporary + ": " + ec.message();
    std::filesystem::remove(temporary, ec); // after the message: this resets ec
    return false;
  }
  evictLeastRecentlyUsed(dir, cacheEntryPath(dir, key));
  return true;
}
