// Weights in the safetensors format (Hugging Face's): save and load named
// tensors, and load a compiled model's params by name with shapes checked.
// F32, F64, I32 and I64 only; no memory mapping (tensors are read into owned,
// aligned buffers); little-endian hosts only.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tfm/signature.hpp>
#include <tfm/status.hpp>
#include <tfm/tensor.hpp>
#include <utility>
#include <vector>

namespace tfm {

// The "__metadata__" of a safetensors file: free-form string pairs.
using Metadata = std::map<std::string, std::string>;

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// What load_safetensors reads: the tensors in file order (by where their data
// lies), and the metadata.
struct SafeTensors {
  std::vector<NamedTensor> tensors;
  Metadata metadata;

  // The tensor called `name`, or null.
  const Tensor* find(std::string_view name) const;
};

// The file's layout: an 8-byte little-endian header length N; N bytes of JSON,
// {"__metadata__": {...}, "<name>": {"dtype": "F32", "shape": [2, 3],
// "data_offsets": [begin, end]}, ...}, padded with spaces to a multiple of 8
// bytes; then the data, each tensor's raw little-endian bytes at its offsets
// (relative to the end of the header), one after the other in `entries` order.
// Names must be unique, and not "__metadata__".
Status save_safetensors(const std::filesystem::path& path,
                        std::span<const std::pair<std::string, TensorView>> entries,
                        const Metadata& metadata = {});
Status save_safetensors(const std::filesystem::path& path,
                        std::initializer_list<std::pair<std::string, TensorView>> entries,
                        const Metadata& metadata = {});

// How a load checks the values it reads (the layout is always checked).
struct LoadOptions {
  // Refuse a floating-point tensor holding a NaN or an infinity, naming the
  // tensor, the first such value's position and how many there are: a
  // diverged run's checkpoint, found at load and not as NaN logits later.
  bool check_finite = false;
};

// Ok if every value of a floating-point `tensor` is finite (integer tensors
// always are); else an error naming `name`, the first NaN or infinity's
// position ([i, j, ...]) and how many there are.
Status check_finite(std::string_view name, const TensorView& tensor);

// Reads and checks a whole file. Strict: every entry needs a supported dtype, a
// shape and data_offsets whose length is the shape's byte size; the tensors'
// data must tile the data section exactly (no overlap, no gap, nothing after
// the last one). The header may be at most 100 MB and nest its JSON at most
// 64 levels deep. Each error names the file and, where there is one, the
// tensor.
Result<SafeTensors> load_safetensors(const std::filesystem::path& path,
                                     const LoadOptions& options = {});

// The params of `signature` (its Role::param entries, in signature order), each
// looked up by name in the file and checked for dtype and shape. The file may
// hold other tensors too; those are not read (but the header is checked whole).
Result<std::vector<Tensor>> load_params(const std::filesystem::path& path,
                                        const Signature& signature,
                                        const LoadOptions& options = {});

// Writes `params` (one per Role::param entry of `signature`, in its order,
// dtypes and shapes checked) under the signature's names.
Status save_params(const std::filesystem::path& path, const Signature& signature,
                   std::span<const TensorView> params, const Metadata& metadata = {});

}  // namespace tfm
