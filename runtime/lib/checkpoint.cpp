// Checkpoints over safetensors: the atomic replace (write a temporary file,
// fsync, rename, fsync the folder) and the strict, checked load. POSIX only.

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <set>
#include <tfm/checkpoint.hpp>

namespace tfm {
namespace {

constexpr const char* kMarker = "tfm.checkpoint";
constexpr const char* kVersion = "1";

std::atomic<int> kill_countdown{0};  // testing::kill_during_save

std::string prefix(const std::filesystem::path& file) {
  return "tfm: checkpoint '" + file.string() + "': ";
}

// A metadata value as a message quotes it: long ones cut.
std::string in_quotes(const std::string& value) {
  constexpr std::size_t kMax = 60;
  return "'" + (value.size() <= kMax ? value : value.substr(0, kMax) + "...") + "'";
}

// fsync of a file or folder by its path.
Status sync(const std::filesystem::path& path, bool folder, const std::string& at) {
  int fd = ::open(path.c_str(), folder ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return Status::error(at + "cannot fsync '" + path.string() + "': " + why +
                         " ---> HINT: checkpoints need a file system that can sync to disk");
  }
  ::close(fd);
  return Status();
}

void kill_midway_if_armed(const std::filesystem::path& tmp) {
  int left = kill_countdown.load();
  while (left > 0 && !kill_countdown.compare_exchange_weak(left, left - 1)) {
  }
  if (left != 1) return;
  std::error_code ec;
  auto size = std::filesystem::file_size(tmp, ec);
  if (!ec) std::filesystem::resize_file(tmp, size / 2, ec);
  std::raise(SIGKILL);
}

Status save_impl(const std::filesystem::path& file,
                 std::span<const std::pair<std::string, TensorView>> tensors,
                 const Metadata& metadata) {
  const std::string at = prefix(file);
  if (metadata.contains(kMarker))
    return Status::error(at + "the metadata key \"" + kMarker +
                         "\" is reserved ---> HINT: save_checkpoint writes it; name yours "
                         "otherwise");
  Metadata md = metadata;
  md.emplace(kMarker, kVersion);
  const std::filesystem::path tmp = file.string() + ".tmp";
  if (Status s = save_safetensors(tmp, tensors, md); !s.ok()) return s;
  kill_midway_if_armed(tmp);
  if (Status s = sync(tmp, false, at); !s.ok()) return s;
  if (std::rename(tmp.c_str(), file.c_str()) != 0)
    return Status::error(at + "cannot rename '" + tmp.string() + "' over it: " +
                         std::strerror(errno) + " ---> HINT: may you write in its folder?");
  const std::filesystem::path folder = file.parent_path().empty() ? "." : file.parent_path();
  return sync(folder, true, at);
}

Result<Metadata> load_impl(const std::filesystem::path& file,
                           std::span<const std::pair<std::string, TensorView>> tensors,
                           const Metadata& expect) {
  const std::string at = prefix(file);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    return Status::error(at +
                         "no such file ---> HINT: tfm::save_checkpoint writes it; a run "
                         "killed before its first save has none");
  auto loaded = load_safetensors(file);
  if (!loaded) return loaded.status();
  Metadata& md = loaded->metadata;
  auto marker = md.find(kMarker);
  if (marker == md.end())
    return Status::error(at + "a safetensors file, but not a checkpoint (its metadata has no \"" +
                         kMarker +
                         "\") ---> HINT: tfm::save_checkpoint writes checkpoints; for weights "
                         "alone, use tfm::load_params");
  if (marker->second != kVersion)
    return Status::error(at + "checkpoint version " + in_quotes(marker->second) +
                         ", this tfm reads version '" + kVersion +
                         "' ---> HINT: resume with the tfm that saved it");
  md.erase(marker);

  const std::string resume_hint =
      " ---> HINT: resume with the settings it was saved with, or keep this run's checkpoints in "
      "another folder";
  const std::string other = " ---> HINT: it was saved by another model or configuration";
  // Every key that differs, then every key it lacks.
  std::string differ, lacks;
  for (const auto& [key, want] : expect) {
    auto it = md.find(key);
    if (it == md.end())
      lacks += (lacks.empty() ? "'" : ", '") + key + "'";
    else if (it->second != want)
      differ += (differ.empty() ? "" : "; ") + ("'" + key + "' is ") + in_quotes(it->second) +
                " there, " + in_quotes(want) + " here";
  }
  if (!lacks.empty()) lacks = "its metadata has no " + lacks;
  if (!differ.empty() || !lacks.empty())
    return Status::error(at + "saved by another model or configuration: " + differ +
                         (differ.empty() || lacks.empty() ? "" : "; ") + lacks + resume_hint);

  std::set<std::string_view> wanted;
  for (const auto& [name, view] : tensors) {
    wanted.insert(name);
    const Tensor* t = loaded->find(name);
    if (!t)
      return Status::error(at + "no tensor '" + name + "' (it holds " +
                           std::to_string(loaded->tensors.size()) + ")" + other);
    if (t->dtype() != view.dtype() || t->shape() != view.shape())
      return Status::error(at + "tensor '" + name + "' is " + std::string(name_of(t->dtype())) +
                           format_shape(t->shape()) + " there, " +
                           std::string(name_of(view.dtype())) + format_shape(view.shape()) +
                           " here" + other);
    if (view.data() == nullptr && t->bytes() != 0)
      return Status::error(at + "tensor '" + name +
                           "' has no data to load into ---> HINT: pass a view of an allocated "
                           "tensor");
  }
  for (const NamedTensor& t : loaded->tensors)
    if (!wanted.contains(t.name))
      return Status::error(at + "holds tensor '" + t.name + "', which this run does not have" +
                           other);
  for (const auto& [name, view] : tensors)
    if (const Tensor* t = loaded->find(name); t->bytes() != 0)
      std::memcpy(view.data(), t->raw(), t->bytes());
  return std::move(md);
}

}  // namespace

Status save_checkpoint(const std::filesystem::path& file,
                       std::span<const std::pair<std::string, TensorView>> tensors,
                       const Metadata& metadata) {
  try {
    return save_impl(file, tensors, metadata);
  } catch (const std::exception& e) {
    return Status::error(prefix(file) + "cannot save the checkpoint: " + e.what());
  }
}

Result<Metadata> load_checkpoint(const std::filesystem::path& file,
                                 std::span<const std::pair<std::string, TensorView>> tensors,
                                 const Metadata& expect) {
  try {
    return load_impl(file, tensors, expect);
  } catch (const std::exception& e) {
    return Status::error(prefix(file) + "cannot load the checkpoint: " + e.what());
  }
}

namespace testing {
void kill_during_save(int k) { kill_countdown.store(k < 0 ? 0 : k); }
}  // namespace testing

}  // namespace tfm
