// tfm::Tensor (owned, 64-byte aligned, row-major) and tfm::TensorView (a
// pointer with a dtype and a shape), and the memref descriptors through which
// compiled code receives them. Header-only: generated headers include it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tfm/dtype.hpp>
#include <tfm/status.hpp>
#include <vector>

namespace tfm {

using Shape = std::vector<std::int64_t>;

inline std::int64_t num_elements(std::span<const std::int64_t> shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

// "[2x6x4]", "[]" for a scalar: the notation of compiler diagnostics.
inline std::string format_shape(std::span<const std::int64_t> shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

// A non-owning view of row-major contiguous data. Compiled code never writes
// through a view passed as an input or a parameter.
class TensorView {
 public:
  TensorView() = default;
  TensorView(void* data, DType dtype, Shape shape)
      : data_(data), dtype_(dtype), shape_(std::move(shape)) {}
  template <class T>
  TensorView(T* data, Shape shape)
      : TensorView(const_cast<std::remove_const_t<T>*>(data), dtype_of<std::remove_const_t<T>>,
                   std::move(shape)) {}

  void* data() const { return data_; }
  template <class T>
  T* data_as() const {
    return static_cast<T*>(data_);
  }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  std::int64_t rank() const { return static_cast<std::int64_t>(shape_.size()); }
  std::int64_t size() const { return num_elements(shape_); }

 private:
  void* data_ = nullptr;
  DType dtype_ = DType::f32;
  Shape shape_;
};

// The bytes of a row-major tensor of `shape` and `dtype`, or nothing when a
// dimension is negative or the size does not fit in 63 bits.
inline std::optional<std::uint64_t> byte_size(DType dtype, std::span<const std::int64_t> shape) {
  std::uint64_t bytes = size_of(dtype);
  for (std::int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(bytes, static_cast<std::uint64_t>(d), &bytes) ||
        bytes >> 63)
      return std::nullopt;
  return bytes;
}

// An owned, zero-initialized, 64-byte aligned tensor.
class Tensor {
 public:
  static constexpr std::size_t alignment = 64;

  Tensor() = default;
  // Throws std::bad_alloc when the memory cannot be had (and
  // std::length_error for a negative or too large shape): for tensors a
  // program sizes itself. Where a failure must be a Status (sizes from a
  // file, a user, a model), use create().
  Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
    if (!allocate()) {
      if (!byte_size(dtype_, shape_)) throw std::length_error("tfm: tensor shape too large");
      throw std::bad_alloc();
    }
  }
  // The same tensor, or an error naming its type and size when it cannot be
  // allocated. Never throws.
  static Result<Tensor> create(DType dtype, Shape shape) noexcept {
    try {
      Tensor t;
      t.dtype_ = dtype;
      t.shape_ = std::move(shape);
      std::optional<std::uint64_t> bytes = byte_size(dtype, t.shape_);
      if (!bytes)
        return Status::error("tfm: cannot allocate a tensor " + std::string(name_of(dtype)) +
                             format_shape(t.shape_) +
                             ": its size does not fit in 63 bits, or a dimension is negative");
      if (!t.allocate())
        return Status::error("tfm: cannot allocate a tensor " + std::string(name_of(dtype)) +
                             format_shape(t.shape_) + " (" + std::to_string(*bytes) +
                             " bytes) ---> HINT: free memory, or use smaller shapes");
      return t;
    } catch (const std::exception&) {  // the shape or the message itself
      return Status::error("tfm: cannot allocate a tensor: out of memory");
    }
  }
  template <class T>
  static Tensor of(Shape shape) {
    return Tensor(dtype_of<T>, std::move(shape));
  }
  // A tensor holding `values` in row-major order: the first size() of them,
  // zeros after the last if there are fewer.
  template <class T>
  static Tensor from(Shape shape, std::initializer_list<T> values) {
    Tensor t(dtype_of<T>, std::move(shape));
    std::size_t n = std::min<std::size_t>(values.size(), t.size());
    std::copy_n(values.begin(), n, t.data<T>());
    return t;
  }

  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;
  Tensor clone() const {
    Tensor t(dtype_, shape_);
    std::memcpy(t.data_.get(), data_.get(), bytes());
    return t;
  }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  std::int64_t rank() const { return static_cast<std::int64_t>(shape_.size()); }
  std::int64_t size() const { return num_elements(shape_); }
  std::size_t bytes() const { return static_cast<std::size_t>(size()) * size_of(dtype_); }

  void* raw() { return data_.get(); }
  const void* raw() const { return data_.get(); }
  // Precondition: T matches dtype().
  template <class T>
  T* data() {
    return reinterpret_cast<T*>(data_.get());
  }
  template <class T>
  const T* data() const {
    return reinterpret_cast<const T*>(data_.get());
  }
  template <class T>
  std::span<T> values() {
    return {data<T>(), static_cast<std::size_t>(size())};
  }
  template <class T>
  std::span<const T> values() const {
    return {data<T>(), static_cast<std::size_t>(size())};
  }

  TensorView view() const {
    return TensorView(const_cast<std::byte*>(data_.get()), dtype_, shape_);
  }
  operator TensorView() const { return view(); }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  // Allocates and zeroes data_ for dtype_ and shape_; false if it cannot.
  bool allocate() noexcept {
    std::optional<std::uint64_t> bytes = byte_size(dtype_, shape_);
    if (!bytes || *bytes > SIZE_MAX - alignment) return false;
    // aligned_alloc wants a multiple of the alignment, and never 0 bytes.
    std::size_t padded = std::max<std::size_t>(
        alignment, (static_cast<std::size_t>(*bytes) + alignment - 1) / alignment * alignment);
    data_.reset(static_cast<std::byte*>(std::aligned_alloc(alignment, padded)));
    if (!data_) return false;
    std::memset(data_.get(), 0, padded);
    return true;
  }
  DType dtype_ = DType::f32;
  Shape shape_;
  std::unique_ptr<std::byte, Free> data_;
};

namespace abi {

// The memref descriptor of MLIR's C interface: what `_mlir_ciface_<name>`
// takes a pointer to for each argument of rank N.
template <class T, int N>
struct MemRef {
  T* allocated;
  T* aligned;
  std::int64_t offset;
  std::int64_t sizes[N];
  std::int64_t strides[N];
};
template <class T>
struct MemRef<T, 0> {
  T* allocated;
  T* aligned;
  std::int64_t offset;
};

// The descriptor of a row-major view. Precondition: rank and dtype match.
template <class T, int N>
MemRef<T, N> memref_of(const TensorView& v) {
  MemRef<T, N> m;
  m.allocated = m.aligned = static_cast<T*>(v.data());
  m.offset = 0;
  if constexpr (N > 0) {
    std::int64_t stride = 1;
    for (int i = N - 1; i >= 0; --i) {
      m.sizes[i] = v.shape()[i];
      m.strides[i] = stride;
      stride *= v.shape()[i];
    }
  }
  return m;
}

// The workspace an entry point takes after its tensors (the compiler's plan
// of its temporaries): 64-byte aligned, allocated on first use and reused by
// every later call, so that a steady-state call allocates nothing. One per
// thread that calls (a call writes all of it).
class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace() { std::free(data_); }

  // The descriptor of `bytes` bytes of this workspace (grown if needed), or
  // one with null data if they cannot be allocated.
  MemRef<std::uint8_t, 1> view(std::int64_t bytes) {
    if (bytes > capacity_) {
      std::free(data_);
      std::size_t rounded = (static_cast<std::size_t>(bytes) + 63) / 64 * 64;
      data_ = static_cast<std::uint8_t*>(std::aligned_alloc(64, rounded));
      capacity_ = data_ ? bytes : 0;
    }
    MemRef<std::uint8_t, 1> m;
    m.allocated = m.aligned = data_;
    m.offset = 0;
    m.sizes[0] = bytes;
    m.strides[0] = 1;
    return m;
  }

 private:
  std::uint8_t* data_ = nullptr;
  std::int64_t capacity_ = 0;
};

}  // namespace abi
}  // namespace tfm
