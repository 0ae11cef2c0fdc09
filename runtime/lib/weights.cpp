// safetensors: the header is checked whole (types, dtypes, sizes, and that the
// tensors tile the data section) before any tensor is read; each tensor is then
// read straight into its own buffer, so a file is never held twice in memory.

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <tfm/weights.hpp>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "json_text.hpp"

namespace tfm {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; tfm reads it without swapping bytes");

using Json = nlohmann::ordered_json;  // keeps the header's order
using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

constexpr std::string_view kMetadataKey = "__metadata__";
// The reference reader's limit on the header (100 MB): a header is a few
// hundred bytes per tensor.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;
using json_text::excerpt;
// " ---> HINT: tfm reads F32, F64, I32 and I64; ...", from the dtype table.
std::string dtypes_hint() {
  std::string names;
  for (std::size_t i = 0; i < std::size(kDTypes); ++i)
    names += std::string(i == 0                        ? ""
                         : i + 1 == std::size(kDTypes) ? " and "
                                                       : ", ") +
             std::string(kDTypes[i].safetensors);
  return " ---> HINT: tfm reads " + names +
         "; convert the tensor before saving it (e.g. tensor.float() in PyTorch)";
}

std::string_view file_dtype(DType t) { return info_of(t).safetensors; }

std::string range(std::uint64_t begin, std::uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

// One tensor of a checked header; offsets are relative to the data section.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end;
  std::size_t index;  // in the header
};

struct CheckedFile {
  File file{nullptr, &std::fclose};
  std::uint64_t data_start = 0;  // 8 + header length
  std::vector<Entry> entries;    // in data order
  Metadata metadata;
};

// Opens `path` and checks its header against the file; `at` is the message
// prefix naming the file.
Result<CheckedFile> open_checked(const std::filesystem::path& path, const std::string& at) {
  auto fail = [&](const std::string& what) { return Status::error(at + what); };
  CheckedFile cf;
  cf.file.reset(std::fopen(path.c_str(), "rb"));
  if (!cf.file)
    return fail("cannot open: " + std::string(std::strerror(errno)) +
                " ---> HINT: check the path; tfm::save_safetensors and Hugging Face's "
                "safetensors write these files");
  std::FILE* f = cf.file.get();
  if (fseeko(f, 0, SEEK_END) != 0) return fail("cannot seek: " + std::string(std::strerror(errno)));
  const auto file_size = static_cast<std::uint64_t>(ftello(f));
  std::rewind(f);

  unsigned char len_bytes[8];
  if (file_size < 8)
    return fail("the file has " + std::to_string(file_size) +
                " bytes, too few for the 8-byte header length ---> HINT: a safetensors file "
                "starts with its header length; this one is empty or cut short");
  if (std::fread(len_bytes, 1, 8, f) != 8)
    return fail("cannot read: " + std::string(std::strerror(errno)));
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = header_len << 8 | len_bytes[i];
  if (header_len > file_size - 8)
    return fail("the header length is " + std::to_string(header_len) + " bytes, but only " +
                std::to_string(file_size - 8) +
                " bytes follow it ---> HINT: the file is cut short, or is not safetensors");
  if (header_len > kMaxHeaderBytes)
    return fail("the header length is " + std::to_string(header_len) + " bytes, more than the " +
                std::to_string(kMaxHeaderBytes) +
                " a safetensors header may have ---> HINT: the file is damaged, or is not "
                "safetensors");
  cf.data_start = 8 + header_len;
  const std::uint64_t data_size = file_size - cf.data_start;

  std::string text(header_len, '\0');
  if (std::fread(text.data(), 1, text.size(), f) != text.size())
    return fail("cannot read the header: " + std::string(std::strerror(errno)));
  if (auto at_byte = json_text::too_deep(text))
    return fail("the header's " + json_text::too_deep_message(*at_byte));
  Json header;
  try {
    header = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return fail("the header is not JSON (" + json_text::parse_error(e) +
                ") ---> HINT: the file is damaged, or is not safetensors");
  }
  if (!header.is_object())
    return fail("the header is a JSON " + std::string(header.type_name()) +
                ", not an object ---> HINT: the file is damaged, or is not safetensors");

  const std::string fields_hint =
      " ---> HINT: each entry is {\"dtype\": \"F32\", \"shape\": [...], \"data_offsets\": "
      "[begin, end]}";
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) {
      if (!value.is_object())
        return fail("\"__metadata__\" is a JSON " + std::string(value.type_name()) +
                    ", not an object ---> HINT: metadata maps strings to strings");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string())
          return fail("\"__metadata__\" entry '" + k + "' is " + excerpt(v) +
                      ", not a string ---> HINT: metadata maps strings to strings");
        cf.metadata.emplace(k, v.get<std::string>());
      }
      continue;
    }
    const std::string which = "tensor '" + name + "'";
    if (!value.is_object())
      return fail(which + " is " + excerpt(value) + ", not an object" + fields_hint);
    Entry e{name, DType::f32, {}, 0, 0, cf.entries.size()};

    auto dtype = value.find("dtype");
    if (dtype == value.end()) return fail(which + " has no \"dtype\"" + fields_hint);
    if (!dtype->is_string())
      return fail(which + " has \"dtype\" " + excerpt(*dtype) + ", not a string" + fields_hint);
    std::optional<DType> parsed = dtype_of_safetensors(dtype->get<std::string>());
    if (!parsed)
      return fail(which + " has dtype " + dtype->get<std::string>() + ", which tfm does not read" +
                  dtypes_hint());
    e.dtype = *parsed;

    auto shape = value.find("shape");
    if (shape == value.end()) return fail(which + " has no \"shape\"" + fields_hint);
    if (!shape->is_array() || !std::all_of(shape->begin(), shape->end(), [](const Json& d) {
          return d.is_number_unsigned() && d.get<std::uint64_t>() < (std::uint64_t{1} << 62);
        }))
      return fail(which + " has \"shape\" " + excerpt(*shape) +
                  ", not a list of non-negative integers" + fields_hint);
    // The byte size, with overflow caught: at most 2^63 bytes.
    std::uint64_t bytes = size_of(e.dtype);
    bool overflow = false;
    for (const Json& d : *shape) {
      auto n = d.get<std::uint64_t>();
      e.shape.push_back(static_cast<std::int64_t>(n));
      overflow |= __builtin_mul_overflow(bytes, n, &bytes) || bytes >= (std::uint64_t{1} << 63);
    }

    auto offsets = value.find("data_offsets");
    if (offsets == value.end()) return fail(which + " has no \"data_offsets\"" + fields_hint);
    if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
        !(*offsets)[1].is_number_unsigned())
      return fail(which + " has \"data_offsets\" " + excerpt(*offsets) +
                  ", not two non-negative integers [begin, end]" + fields_hint);
    e.begin = (*offsets)[0].get<std::uint64_t>();
    e.end = (*offsets)[1].get<std::uint64_t>();
    const std::string desc = std::string(name_of(e.dtype)) + format_shape(e.shape);
    if (e.begin > e.end)
      return fail(which + " has data_offsets " + excerpt(*offsets) +
                  ", which end before they begin ---> HINT: data_offsets are [begin, end) in "
                  "bytes from the end of the header");
    if (overflow)
      return fail(which + " is " + desc + ", too large to address ---> HINT: the shape is damaged");
    if (e.end - e.begin != bytes)
      return fail(which + " is " + desc + ", " + std::to_string(bytes) +
                  " bytes, but its data_offsets " + excerpt(*offsets) + " span " +
                  std::to_string(e.end - e.begin) +
                  " bytes ---> HINT: end - begin must be the element count times the dtype size");
    cf.entries.push_back(std::move(e));
  }

  // The tensors must tile [0, data_size): sorted by offsets, each begins where
  // the last ended. Empty tensors sit at any boundary.
  std::sort(cf.entries.begin(), cf.entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end, a.index) < std::tie(b.begin, b.end, b.index);
  });
  std::uint64_t covered = 0;
  const Entry* last = nullptr;
  const std::string tile_hint =
      " ---> HINT: each byte of the data belongs to exactly one tensor; the file was not "
      "written by a safetensors writer";
  for (const Entry& e : cf.entries) {
    if (e.begin < covered)
      return fail("tensors '" + last->name + "' (data bytes " + range(last->begin, last->end) +
                  ") and '" + e.name + "' (" + range(e.begin, e.end) + ") overlap" + tile_hint);
    if (e.begin > covered)
      return fail("data bytes " + range(covered, e.begin) + " belong to no tensor (" +
                  (last ? "between '" + last->name + "' and '" : "before '") + e.name + "')" +
                  tile_hint);
    covered = e.end;
    if (e.end > e.begin) last = &e;
  }
  if (covered > data_size)
    return fail("the data is truncated: tensor '" + last->name + "' ends at data byte " +
                std::to_string(covered) + ", but the file holds " + std::to_string(data_size) +
                " bytes of data ---> HINT: the file was cut short; copy or write it again");
  if (covered < data_size)
    return fail("the last " + std::to_string(data_size - covered) + " bytes (data bytes " +
                range(covered, data_size) + ") belong to no tensor" + tile_hint);
  return cf;
}

template <class T>
Status check_finite_as(std::string_view name, const TensorView& tensor) {
  const T* v = tensor.data_as<const T>();
  const std::int64_t n = tensor.size();
  std::int64_t first = -1, count = 0;
  for (std::int64_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) {
      if (first < 0) first = i;
      ++count;
    }
  if (count == 0) return Status();
  const T bad = v[first];
  return Status::error("tensor '" + std::string(name) + "' holds " +
                       (std::isnan(bad) ? std::string("NaN")
                        : bad > 0       ? "+inf"
                                        : "-inf") +
                       " at " + format_position(tensor.shape(), first) +
                       (count > 1 ? " (and " + std::to_string(count - 1) + " more non-finite " +
                                        (count == 2 ? "value" : "values") + ")"
                                  : "") +
                       " ---> HINT: the run that saved it diverged; resume from an earlier "
                       "checkpoint or lower the learning rate");
}

Result<Tensor> read_tensor(CheckedFile& cf, const Entry& e, const std::string& at,
                           const LoadOptions& options) {
  Result<Tensor> made = Tensor::create(e.dtype, e.shape);
  if (!made) return Status::error(at + "tensor '" + e.name + "': " + made.message());
  Tensor t = std::move(*made);
  if (t.bytes() == 0) return t;
  std::FILE* f = cf.file.get();
  if (fseeko(f, static_cast<off_t>(cf.data_start + e.begin), SEEK_SET) != 0 ||
      std::fread(t.raw(), 1, t.bytes(), f) != t.bytes())
    return Status::error(at + "cannot read tensor '" + e.name + "': " +
                         (std::feof(f) ? std::string("the file ended early (did it change while "
                                                     "being read?)")
                                       : std::string(std::strerror(errno))));
  if (options.check_finite)
    if (Status s = check_finite(e.name, t); !s) return Status::error(at + s.message());
  return t;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

// The hint for a missing tensor: up to three names close to `name`, or how
// many tensors the file holds.
std::string missing_hint(std::string_view name, const std::vector<Entry>& entries) {
  std::vector<std::tuple<std::size_t, std::size_t, std::string_view>> close;  // distance, order
  const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (std::size_t d = edit_distance(name, entries[i].name); d <= limit)
      close.emplace_back(d, i, entries[i].name);
  std::sort(close.begin(), close.end());
  const std::string count =
      std::to_string(entries.size()) + " tensor" + (entries.size() == 1 ? "" : "s");
  if (entries.empty()) return " ---> HINT: the file holds no tensors";
  if (close.empty())
    return " ---> HINT: the file holds " + count +
           ", none named like it; were the weights saved for another model?";
  std::string names;
  for (std::size_t i = 0; i < close.size() && i < 3; ++i)
    names += (i ? ", '" : "'") + std::string(std::get<2>(close[i])) + "'";
  return " ---> HINT: closest names in the file: " + names + " (of " + count + ")";
}

// Checks that a tensor fits `spec`; `what` names it ("tensor 'w'"); `loading`
// says whether it comes from a file.
Status check_spec(const std::string& at, const std::string& what, DType dtype, const Shape& shape,
                  const TensorSpec& spec, const Signature& sig, bool loading) {
  const std::string traced = " ---> HINT: '" + sig.name + "' was traced with " + describe(spec);
  if (dtype != spec.dtype)
    return Status::error(at + what + " has element type " + std::string(name_of(dtype)) +
                         ", model wants " + std::string(name_of(spec.dtype)) + traced);
  if (shape != spec.shape)
    return Status::error(at + what + " has shape " + format_shape(shape) + ", model wants " +
                         format_shape(spec.shape) + traced +
                         (loading ? "; were the weights saved for another configuration?" : ""));
  return Status();
}

std::string prefix(const std::filesystem::path& path) {
  return "tfm: weights '" + path.string() + "': ";
}

Status save_impl(const std::filesystem::path& path,
                 std::span<const std::pair<std::string, TensorView>> entries,
                 const Metadata& metadata) {
  const std::string at = prefix(path);
  Json header = Json::object();
  if (!metadata.empty()) {
    Json m = Json::object();
    for (const auto& [k, v] : metadata) m[k] = v;
    header[std::string(kMetadataKey)] = std::move(m);
  }
  std::unordered_set<std::string_view> names;
  std::uint64_t offset = 0;
  for (const auto& [name, view] : entries) {
    const std::string which = "tensor '" + name + "'";
    if (name == kMetadataKey)
      return Status::error(at +
                           "a tensor cannot be called \"__metadata__\" ---> HINT: the "
                           "format keeps that key for metadata; rename the tensor");
    if (!names.insert(name).second)
      return Status::error(at + which +
                           " is listed twice ---> HINT: names are the keys of the header; each "
                           "must be unique");
    if (std::any_of(view.shape().begin(), view.shape().end(), [](auto d) { return d < 0; }))
      return Status::error(at + which + " has shape " + format_shape(view.shape()) +
                           " ---> HINT: dimensions cannot be negative");
    const auto bytes = static_cast<std::uint64_t>(view.size()) * size_of(view.dtype());
    if (view.data() == nullptr && bytes != 0)
      return Status::error(at + which +
                           " has no data ---> HINT: pass a view of an allocated tensor");
    header[name] = {{"dtype", file_dtype(view.dtype())},
                    {"shape", view.shape()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::type_error& e) {
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what.erase(0, p + 2);
    return Status::error(at + "cannot write the header: " + what +
                         " ---> HINT: tensor names and metadata must be UTF-8 text");
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // as the reference writer pads

  File f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f)
    return Status::error(at + "cannot open for writing: " + std::strerror(errno) +
                         " ---> HINT: does its folder exist, and may you write there?");
  unsigned char len_bytes[8];
  for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<unsigned char>(text.size() >> (8 * i));
  bool ok = std::fwrite(len_bytes, 1, 8, f.get()) == 8 &&
            std::fwrite(text.data(), 1, text.size(), f.get()) == text.size();
  for (std::size_t i = 0; ok && i < entries.size(); ++i) {
    const TensorView& v = entries[i].second;
    const auto bytes = static_cast<std::size_t>(v.size()) * size_of(v.dtype());
    ok = bytes == 0 || std::fwrite(v.data(), 1, bytes, f.get()) == bytes;
  }
  if (!ok || std::fclose(f.release()) != 0)
    return Status::error(at + "cannot write: " + std::strerror(errno) +
                         " ---> HINT: is the disk full?");
  return Status();
}

}  // namespace

Status check_finite(std::string_view name, const TensorView& tensor) {
  switch (tensor.dtype()) {
    case DType::f32:
      return check_finite_as<float>(name, tensor);
    case DType::f64:
      return check_finite_as<double>(name, tensor);
    default:
      return Status();
  }
}

const Tensor* SafeTensors::find(std::string_view name) const {
  for (const NamedTensor& t : tensors)
    if (t.name == name) return &t.tensor;
  return nullptr;
}

Status save_safetensors(const std::filesystem::path& path,
                        std::span<const std::pair<std::string, TensorView>> entries,
                        const Metadata& metadata) {
  try {
    return save_impl(path, entries, metadata);
  } catch (const std::exception& e) {
    return Status::error(prefix(path) + "cannot write: " + e.what());
  }
}

Status save_safetensors(const std::filesystem::path& path,
                        std::initializer_list<std::pair<std::string, TensorView>> entries,
                        const Metadata& metadata) {
  return save_safetensors(path, std::span(entries.begin(), entries.size()), metadata);
}

Result<SafeTensors> load_safetensors(const std::filesystem::path& path,
                                     const LoadOptions& options) {
  const std::string at = prefix(path);
  try {
    auto cf = open_checked(path, at);
    if (!cf) return cf.status();
    SafeTensors out;
    out.metadata = std::move(cf->metadata);
    out.tensors.reserve(cf->entries.size());
    for (const Entry& e : cf->entries) {
      auto t = read_tensor(*cf, e, at, options);
      if (!t) return t.status();
      out.tensors.push_back({e.name, std::move(*t)});
    }
    return out;
  } catch (const std::exception& e) {
    return Status::error(at + "cannot load: " + e.what());
  }
}

Result<std::vector<Tensor>> load_params(const std::filesystem::path& path,
                                        const Signature& signature, const LoadOptions& options) {
  const std::string at = prefix(path);
  try {
    auto cf = open_checked(path, at);
    if (!cf) return cf.status();
    std::unordered_map<std::string_view, const Entry*> by_name;
    for (const Entry& e : cf->entries) by_name.emplace(e.name, &e);
    std::vector<Tensor> params;
    for (const TensorSpec& spec : signature.args) {
      if (spec.role != Role::param) continue;
      auto it = by_name.find(spec.name);
      if (it == by_name.end())
        return Status::error(at + "no tensor '" + spec.name + "' (param of '" + signature.name +
                             "')" + missing_hint(spec.name, cf->entries));
      const Entry& e = *it->second;
      if (Status s = check_spec(at, "tensor '" + e.name + "'", e.dtype, e.shape, spec, signature,
                                /*loading=*/true);
          !s)
        return s;
      auto t = read_tensor(*cf, e, at, options);
      if (!t) return t.status();
      params.push_back(std::move(*t));
    }
    return params;
  } catch (const std::exception& e) {
    return Status::error(at + "cannot load: " + e.what());
  }
}

Status save_params(const std::filesystem::path& path, const Signature& signature,
                   std::span<const TensorView> params, const Metadata& metadata) {
  const std::string at = prefix(path);
  std::vector<std::pair<std::string, TensorView>> entries;
  std::string names;
  for (const TensorSpec& spec : signature.args) {
    if (spec.role != Role::param) continue;
    names += (names.empty() ? "" : ", ") + spec.name;
    if (entries.size() < params.size()) entries.emplace_back(spec.name, params[entries.size()]);
  }
  if (entries.size() != params.size() || entries.size() != signature.count(Role::param))
    return Status::error(at + "'" + signature.name + "' has " +
                         std::to_string(signature.count(Role::param)) + " params, got " +
                         std::to_string(params.size()) +
                         " tensors ---> HINT: pass them in signature order: " + names);
  std::size_t i = 0;
  for (const TensorSpec& spec : signature.args) {
    if (spec.role != Role::param) continue;
    const TensorView& v = params[i++];
    if (Status s = check_spec(at, "param '" + spec.name + "'", v.dtype(), v.shape(), spec,
                              signature, /*loading=*/false);
        !s)
      return s;
  }
  return save_safetensors(path, entries, metadata);
}

}  // namespace tfm
