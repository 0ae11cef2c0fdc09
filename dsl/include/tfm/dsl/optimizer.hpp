// The optimizers of a training step (see Function::minimize in training.hpp).
#pragma once

#include <variant>

namespace tfm::dsl {

// AdamW (decoupled weight decay, bias-corrected moments). The learning rate
// is an input of the training step, so a schedule needs no recompilation.
struct AdamW {
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-8f;
  float weight_decay = 0.01f;
};

// SGD with momentum (PyTorch's rule, dampening 0); momentum 0 is plain SGD.
struct Sgd {
  float momentum = 0.9f;
  float weight_decay = 0.0f;
};

using Optimizer = std::variant<AdamW, Sgd>;

}  // namespace tfm::dsl
