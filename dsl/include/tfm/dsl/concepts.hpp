// Concepts over DSL types. Ops take any Tensor and check shapes with
// static_assert (the detail::*Check templates
// next to each op) so that a mistake reads as a message that
// restates the call, not as an unsatisfied constraint.
#pragma once

#include <concepts>
#include <tfm/dsl/tensor.hpp>

namespace tfm::dsl {

template <class T>
concept AnyTensor = is_tensor_v<T>;

template <class T>
concept FloatTensor = AnyTensor<T> && T::elem::is_float;

template <class T>
concept IndexTensor = AnyTensor<T> && !T::elem::is_float;

// Shapes that NumPy-broadcast together.
template <class A, class B>
concept BroadcastableWith =
    AnyTensor<A> && AnyTensor<B> && shapes::broadcastable(A::shape::dims, B::shape::dims);

// [..., M, K] x [..., K, N] with broadcastable batch dimensions.
template <class A, class B>
concept ContractibleWith = AnyTensor<A> && AnyTensor<B> && (A::rank >= 2) && (B::rank >= 2) &&
                           A::shape::dim(-1) == B::shape::dim(-2) &&
                           shapes::broadcastable(shapes::take_front<A::rank - 2>(A::shape::dims),
                                                 shapes::take_front<B::rank - 2>(B::shape::dims));

}  // namespace tfm::dsl
