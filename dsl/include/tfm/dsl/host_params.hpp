// The host side of parameter trees (params.hpp): the names, dtypes and shapes
// a tree's weights have, as a tfm::Signature that tfm::load_params and
// tfm::save_params (tfm/weights.hpp) check a file against, and seeded
// initial values in the same order.
//
//   auto values = init_params<Net>(/*seed=*/1);
//   std::vector<tfm::TensorView> views(values->begin(), values->end());
//   tfm::save_params("net.safetensors", param_signature<Net>(), views);
//   auto loaded = tfm::load_params("net.safetensors", param_signature<Net>());
//
// Not included by tfm/dsl.hpp: it brings the ABI's tfm::Shape and tfm::Tensor,
// which a file using both namespaces would find ambiguous with the DSL's.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <tfm/dsl/params.hpp>
#include <tfm/signature.hpp>
#include <tfm/status.hpp>
#include <tfm/tensor.hpp>
#include <type_traits>
#include <vector>

namespace tfm::dsl {

namespace detail {

// Portable draws (the same values with every standard library): mt19937's
// words made into uniform [0, 1) floats, and normals by Box-Muller.
class ParamRng {
 public:
  explicit ParamRng(std::uint32_t seed) : engine_(seed) {}
  double uniform() { return (engine_() >> 8) * (1.0 / 16777216.0); }
  double normal() {
    double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::mt19937 engine_;
};

template <class E>
constexpr DType dtype_of_elem() {
  if constexpr (std::is_same_v<E, f64>)
    return DType::f64;
  else
    return DType::f32;
}

}  // namespace detail

// The tree's parameters as a signature of Role::param entries, in member
// order: what tfm::load_params and tfm::save_params (tfm/weights.hpp) read and
// write, with names and shapes checked.
template <class Tree>
Signature param_signature(const std::string& prefix = "", std::string name = "parameters") {
  Signature sig{std::move(name), {}};
  Tree tree{};
  for_each_param(tree, prefix, [&]<class S, class E>(const std::string& n, Tensor<S, E>&) {
    sig.args.push_back(TensorSpec{.name = n,
                                  .role = Role::param,
                                  .dtype = detail::dtype_of_elem<E>(),
                                  .shape = tfm::Shape(S::dims.begin(), S::dims.end())});
  });
  return sig;
}

// How init_params draws a tree's values: matrices (rank >= 2) normal with mean
// 0 and deviation `stddev` (GPT-2's and BERT's 0.02), vectors named "gamma"
// (norm gains) ones, every other vector (biases, shifts) zeros.
struct InitOptions {
  double stddev = 0.02;
};

// Seeded initial values of a tree's parameters, in member order (the order of
// param_signature and of a traced model's params). The same seed gives the
// same values on every platform. An allocation failure is a Status.
template <class Tree>
Result<std::vector<tfm::Tensor>> init_params(std::uint32_t seed, const InitOptions& options = {},
                                             const std::string& prefix = "") {
  std::vector<tfm::Tensor> values;
  detail::ParamRng rng(seed);
  Status failed;
  Tree tree{};
  for_each_param(tree, prefix, [&]<class S, class E>(const std::string& name, Tensor<S, E>&) {
    if (!failed.ok()) return;
    auto t =
        tfm::Tensor::create(detail::dtype_of_elem<E>(), tfm::Shape(S::dims.begin(), S::dims.end()));
    if (!t.ok()) {
      failed = Status::error(t.message() + " (parameter '" + name + "')");
      return;
    }
    bool gain = name == "gamma" || name.ends_with(".gamma");
    auto fill = [&](auto* data) {
      for (std::int64_t i = 0; i < S::size; ++i)
        data[i] =
            S::rank >= 2
                ? static_cast<std::remove_pointer_t<decltype(data)>>(options.stddev * rng.normal())
            : gain ? 1
                   : 0;
    };
    if constexpr (std::is_same_v<E, f64>)
      fill(t->template data<double>());
    else
      fill(t->template data<float>());
    values.push_back(std::move(*t));
  });
  if (!failed.ok()) return failed;
  return values;
}

}  // namespace tfm::dsl
