// Parameter trees: a model's parameters as plain structs reflected with
// Boost.Hana, so that declaring, naming, counting, initializing, saving and
// loading them come from the types themselves.
//
//   template <dim_t In, dim_t Out>
//   struct Proj {
//     BOOST_HANA_DEFINE_STRUCT(Proj, (Tensor<Shape<In, Out>>, w), (Tensor<Shape<Out>>, b));
//   };
//   struct Block {
//     BOOST_HANA_DEFINE_STRUCT(Block, (Proj<8, 32>, up), (Proj<32, 8>, down));
//   };
//   struct Net {
//     BOOST_HANA_DEFINE_STRUCT(Net, (std::array<Block, 4>, layers));
//   };
//   Net p = declare<Net>(f);   // params "layers.0.up.w", "layers.0.up.b", ...
//   static_assert(param_count<Net>() == 4 * (8 * 32 + 32 + 32 * 8 + 8));
//
// The host side (host_params.hpp): param_signature<Net>() for tfm::load_params
// and tfm::save_params, init_params<Net>(seed) for seeded initial values.
//
// A member is a parameter (a floating-point Tensor), a parameter tree (a
// struct defined with BOOST_HANA_DEFINE_STRUCT or adapted with
// BOOST_HANA_ADAPT_STRUCT), a std::array or boost::hana::tuple of trees (the
// elements named by index: a stack of layers, alike or not), or If<flag, T>
// (a tree present only when `flag` is: a bias, a config's optional block).
// Anything else fails to compile [TFM_NOT_A_PARAMETER]. A struct with
// `static constexpr bool inline_names = true` gives its members the names of
// the enclosing struct's (the embeddings of the Transformer families:
// "embedding", not "embed.embedding").
#pragma once

#include <array>
#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/tuple.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <tfm/dsl/tensor.hpp>
#include <type_traits>
#include <utility>
#include <vector>

namespace tfm::dsl {

// A tree that exists only when Present: `If<C.bias, Tensor<Shape<Out>>> b`.
// Present, it holds `value` (also through * and ->); absent, nothing, and
// declares, counts and initializes nothing.
template <bool Present, class T>
struct If {
  static constexpr bool present = true;
  using type = T;
  T value;
  T& operator*() { return value; }
  const T& operator*() const { return value; }
  T* operator->() { return &value; }
  const T* operator->() const { return &value; }
};
template <class T>
struct If<false, T> {
  static constexpr bool present = false;
  using type = T;
};

namespace detail {

template <class T>
inline constexpr bool is_if_v = false;
template <bool P, class T>
inline constexpr bool is_if_v<If<P, T>> = true;

template <class T>
inline constexpr bool is_std_array_v = false;
template <class T, std::size_t N>
inline constexpr bool is_std_array_v<std::array<T, N>> = true;

template <class T>
inline constexpr bool is_hana_tuple_v = false;
template <class... T>
inline constexpr bool is_hana_tuple_v<boost::hana::tuple<T...>> = true;

template <class T>
inline constexpr bool is_param_tensor_v = false;
template <class S, class E>
inline constexpr bool is_param_tensor_v<Tensor<S, E>> = E::is_float;

// Whether T can be a node of a parameter tree (its own members are checked
// as the tree is walked).
template <class T>
constexpr bool is_param_tree() {
  if constexpr (is_tensor_v<T>)
    return is_param_tensor_v<T>;
  else if constexpr (is_if_v<T>)
    return is_param_tree<typename T::type>();
  else if constexpr (is_std_array_v<T>)
    return is_param_tree<typename T::value_type>();
  else
    return is_hana_tuple_v<T> || boost::hana::Struct<T>::value;
}

// The failing instantiation names the struct, the member's type and its name
// (a boost::hana::string of its characters).
template <class Owner, class Member, class Name>
struct ParamMemberCheck {
  static_assert(is_param_tree<Member>(),
                "tfm::dsl: a member of a parameter struct must be a floating-point Tensor, a "
                "parameter struct (BOOST_HANA_DEFINE_STRUCT), a std::array or boost::hana::tuple "
                "of them, or If<flag, one of them> [TFM_NOT_A_PARAMETER]");
};

template <class Tree>
struct ParamTreeCheck {
  static_assert(is_param_tree<Tree>(),
                "tfm::dsl: a parameter tree is a floating-point Tensor, a parameter struct "
                "(BOOST_HANA_DEFINE_STRUCT), a std::array or boost::hana::tuple of them, or "
                "If<flag, one of them> [TFM_NOT_A_PARAMETER]");
};

template <class T>
constexpr bool inline_names() {
  if constexpr (requires { T::inline_names; })
    return T::inline_names;
  else
    return false;
}

inline std::string join_name(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

// The member types of a reflected struct, in order, as hana::type values.
template <class T>
constexpr auto member_types() {
  return boost::hana::transform(boost::hana::accessors<T>(), [](auto pair) {
    return boost::hana::type_c<
        std::remove_cvref_t<decltype(boost::hana::second(pair)(std::declval<T&>()))>>;
  });
}

template <class Tree, class F>
void visit_params(Tree& tree, const std::string& prefix, F& f) {
  using T = std::remove_const_t<Tree>;
  if constexpr (is_tensor_v<T>) {
    f(prefix, tree);
  } else if constexpr (is_if_v<T>) {
    if constexpr (T::present) visit_params(tree.value, prefix, f);
  } else if constexpr (is_std_array_v<T>) {
    for (std::size_t i = 0; i < tree.size(); ++i)
      visit_params(tree[i], join_name(prefix, std::to_string(i)), f);
  } else if constexpr (is_hana_tuple_v<T>) {
    std::size_t i = 0;
    boost::hana::for_each(tree, [&](auto& element) {
      visit_params(element, join_name(prefix, std::to_string(i++)), f);
    });
  } else if constexpr (boost::hana::Struct<T>::value) {
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto pair) {
      auto& member = boost::hana::second(pair)(tree);
      using M = std::remove_cvref_t<decltype(member)>;
      (void)ParamMemberCheck<T, M, decltype(boost::hana::first(pair))>{};
      if constexpr (is_param_tree<M>()) {
        const char* name = boost::hana::to<const char*>(boost::hana::first(pair));
        visit_params(member, inline_names<M>() ? prefix : join_name(prefix, name), f);
      }
    });
  }
}

template <class T>
constexpr std::int64_t count_params() {
  if constexpr (is_tensor_v<T>) {
    return T::shape::size;
  } else if constexpr (is_if_v<T>) {
    if constexpr (T::present)
      return count_params<typename T::type>();
    else
      return 0;
  } else if constexpr (is_std_array_v<T>) {
    return static_cast<std::int64_t>(std::tuple_size_v<T>) * count_params<typename T::value_type>();
  } else if constexpr (is_hana_tuple_v<T>) {
    return []<class... E>(std::type_identity<boost::hana::tuple<E...>>) {
      return (count_params<E>() + ... + std::int64_t{0});
    }(std::type_identity<T>{});
  } else if constexpr (boost::hana::Struct<T>::value) {
    return boost::hana::fold_left(member_types<T>(), std::int64_t{0}, [](std::int64_t n, auto t) {
      using M = typename decltype(t)::type;
      if constexpr (is_param_tree<M>())
        return n + count_params<M>();
      else
        return n;
    });
  } else {
    return 0;
  }
}

}  // namespace detail

// Calls f(name, tensor) for every parameter of `tree`, in member order,
// `name` the dotted path below `prefix` ("layers.3.attn.q.w").
template <class Tree, class F>
void for_each_param(Tree& tree, const std::string& prefix, F&& f) {
  (void)detail::ParamTreeCheck<std::remove_const_t<Tree>>{};
  detail::visit_params(tree, prefix, f);
}

// A tree whose every parameter is declared in `f`, in member order, under its
// dotted name below `prefix`.
template <class Tree>
Tree declare(Function& f, const std::string& prefix = "",
             std::source_location loc = std::source_location::current()) {
  (void)detail::ParamTreeCheck<Tree>{};
  Tree tree{};
  for_each_param(tree, prefix, [&]<class S, class E>(const std::string& name, Tensor<S, E>& t) {
    t = f.param<S, E>(name, loc);
  });
  return tree;
}

// The number of scalars in a tree's parameters (a compile-time constant).
template <class Tree>
constexpr std::int64_t param_count() {
  (void)detail::ParamTreeCheck<Tree>{};
  return detail::count_params<Tree>();
}

}  // namespace tfm::dsl
