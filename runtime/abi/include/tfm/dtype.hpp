// tfm::DType, the element types a compiled entry point's tensors may have,
// and the one table every switch over them derives from: the C++ type, the
// size, the name in diagnostics and the name in safetensors files. The
// compiler reads it to map MLIR element types, the header generator to write
// C++ types, the weights loader to read files. Header-only and leaf: it
// includes only the standard library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

// X(name, C++ type, bytes, is_float, safetensors dtype): one row per element
// type, in the order of tfm::DType.
#define TFM_ELEMENT_TYPES(X)            \
  X(f32, float, 4, true, "F32")         \
  X(f64, double, 8, true, "F64")        \
  X(i32, std::int32_t, 4, false, "I32") \
  X(i64, std::int64_t, 8, false, "I64")

namespace tfm {

enum class DType : std::uint8_t {
#define TFM_DTYPE_ENUM(name, cpp, bytes, is_float, file) name,
  TFM_ELEMENT_TYPES(TFM_DTYPE_ENUM)
#undef TFM_DTYPE_ENUM
};

struct DTypeInfo {
  DType dtype;
  std::string_view name;         // "f32": diagnostics, MLIR's element type
  std::string_view cpp_type;     // "float": what generated headers write
  std::size_t bytes;             // 4
  bool is_float;                 // f32, f64 (else a signless integer)
  std::string_view safetensors;  // "F32": the dtype of a safetensors entry
};

inline constexpr DTypeInfo kDTypes[] = {
#define TFM_DTYPE_INFO(name, cpp, bytes, is_float, file) \
  {DType::name, #name, #cpp, bytes, is_float, file},
    TFM_ELEMENT_TYPES(TFM_DTYPE_INFO)
#undef TFM_DTYPE_INFO
};

constexpr const DTypeInfo& info_of(DType t) { return kDTypes[static_cast<std::size_t>(t)]; }
constexpr std::size_t size_of(DType t) { return info_of(t).bytes; }
constexpr std::string_view name_of(DType t) { return info_of(t).name; }

// The element type of `bytes`-byte floats (is_float) or integers, if any.
constexpr std::optional<DType> dtype_with(bool is_float, std::size_t bytes) {
  for (const DTypeInfo& d : kDTypes)
    if (d.is_float == is_float && d.bytes == bytes) return d.dtype;
  return std::nullopt;
}

// The element type named `name` in a safetensors header ("F32"), if any.
constexpr std::optional<DType> dtype_of_safetensors(std::string_view name) {
  for (const DTypeInfo& d : kDTypes)
    if (d.safetensors == name) return d.dtype;
  return std::nullopt;
}

template <class T>
struct dtype_traits;
#define TFM_DTYPE_TRAITS(name, cpp, bytes, is_float, file) \
  template <>                                              \
  struct dtype_traits<cpp> {                               \
    static constexpr DType value = DType::name;            \
  };
TFM_ELEMENT_TYPES(TFM_DTYPE_TRAITS)
#undef TFM_DTYPE_TRAITS

template <class T>
inline constexpr DType dtype_of = dtype_traits<T>::value;

// Each row is at the index of its enum value.
static_assert([] {
  for (std::size_t i = 0; i < std::size(kDTypes); ++i)
    if (static_cast<std::size_t>(kDTypes[i].dtype) != i) return false;
  return true;
}());

}  // namespace tfm
