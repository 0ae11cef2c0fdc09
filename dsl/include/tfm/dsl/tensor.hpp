// tfm::dsl::Tensor<Shape<...>, Elem>: a traced value whose shape and element
// type are part of its type, so that ops check them at compile time.
#pragma once

#include <tfm/dsl/trace.hpp>

namespace tfm::dsl {

// The left operand of an operator, with the location of the expression:
// operators take no default arguments, so the conversion records it.
template <class T>
struct Located {
  Located(const T& t, std::source_location loc = std::source_location::current())
      : tensor(t), loc(loc) {}
  const T& tensor;
  std::source_location loc;
};

template <class S, class E = f32>
class Tensor {
  static_assert(is_shape_v<S>,
                "tfm::dsl::Tensor<S, E>: S must be a tfm::dsl::Shape<...> [TFM_BAD_SHAPE]");

 public:
  using shape = S;
  using elem = E;
  static constexpr std::size_t rank = shape_rank_v<S>;

  Tensor() = default;  // empty: not a traced value until assigned one
  explicit Tensor(detail::Value v) : v_(std::move(v)) {}

  const detail::Value& value() const { return v_; }

  // a + b, a * b (elementwise, broadcasting) and a * 0.5f: see elementwise.hpp.
  template <class S2, class E2>
  friend auto operator+(Located<Tensor> a, const Tensor<S2, E2>& b) {
    return add(a.tensor, b, a.loc);
  }
  template <class S2, class E2>
  friend auto operator*(Located<Tensor> a, const Tensor<S2, E2>& b) {
    return mul(a.tensor, b, a.loc);
  }
  friend Tensor operator*(Located<Tensor> a, float factor) {
    return scale(a.tensor, factor, a.loc);
  }
  friend Tensor operator*(float factor, Located<Tensor> a) {
    return scale(a.tensor, factor, a.loc);
  }

 private:
  detail::Value v_;
};

template <class T>
inline constexpr bool is_tensor_v = false;
template <class S, class E>
inline constexpr bool is_tensor_v<Tensor<S, E>> = true;

template <class S, class E>
auto Function::input(std::string_view name, std::source_location loc) {
  if constexpr (is_shape_v<S>) static_assert(S::size > 0);  // checks S's dims here
  return Tensor<S, E>(
      add_argument("tfm.input", name, detail::tensor_type<S, E>(), SourceLoc::from(loc)));
}

template <class S, class E>
auto Function::param(std::string_view name, std::source_location loc) {
  static_assert(
      E::is_float,
      "tfm::dsl::Function::param<S, E>: parameters are floating point [TFM_DTYPE_MISMATCH]");
  if constexpr (is_shape_v<S>) static_assert(S::size > 0);  // checks S's dims here
  return Tensor<S, E>(
      add_argument("tfm.param", name, detail::tensor_type<S, E>(), SourceLoc::from(loc)));
}

template <class T>
void Function::output(std::string_view name, const T& tensor, std::source_location loc) {
  static_assert(
      is_tensor_v<T>,
      "tfm::dsl::Function::output(name, t): t must be a tfm::dsl::Tensor [TFM_NOT_A_TENSOR]");
  if constexpr (is_tensor_v<T>) add_output(name, tensor.value(), SourceLoc::from(loc));
}

// Outputs `tensor` as `name` when the trace asks for taps (an intermediate a
// walkthrough prints or a test checks); otherwise records nothing.
template <class T>
void tap(std::string_view name, const T& tensor,
         std::source_location loc = std::source_location::current()) {
  static_assert(is_tensor_v<T>,
                "tfm::dsl::tap(name, t): t must be a tfm::dsl::Tensor [TFM_NOT_A_TENSOR]");
  Function& f = detail::tracing(loc, "tap");
  if constexpr (is_tensor_v<T>)
    if (f.taps()) f.add_output(name, tensor.value(), SourceLoc::from(loc));
}

}  // namespace tfm::dsl
