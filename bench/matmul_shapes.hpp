// The matmul shapes of bench/RESULTS.md's matmul section: every linear layer
// of the two training models (bench/train/models.hpp) in the three forms a
// training step runs -- forward y = x W [M, K] x [K, N], input gradient
// dx = dy W^T (rhs transposed), weight gradient dW = x^T dy (lhs transposed)
// -- and 1024^3. The one list tfm's benchmark and the peers (which read it
// from `matmul_bench --list_shapes`) measure.
#pragma once

#include <string>
#include <vector>

#include "train/models.hpp"

namespace tfm::bench {

struct MatmulShape {
  long m, k, n;
  bool ta = false, tb = false;  // lhs stored [K, M], rhs stored [N, K]
  std::string what;             // where the shape comes from

  std::string name() const {
    return what + "/M:" + std::to_string(m) + "/K:" + std::to_string(k) +
           "/N:" + std::to_string(n) + "/ta:" + std::to_string(ta) + "/tb:" + std::to_string(tb);
  }
  std::string json() const {
    return "{\"name\": \"" + name() + "\", \"M\": " + std::to_string(m) +
           ", \"K\": " + std::to_string(k) + ", \"N\": " + std::to_string(n) +
           ", \"ta\": " + std::to_string(ta) + ", \"tb\": " + std::to_string(tb) + "}";
  }
};

// Forward, input gradient and weight gradient of a linear layer [K -> N]
// over `rows` tokens, tagged `what`.
inline void add_linear(std::vector<MatmulShape>& out, const std::string& what, long rows, long k,
                       long n) {
  out.push_back({rows, k, n, false, false, what + "_fwd"});
  out.push_back({rows, n, k, false, true, what + "_dx"});
  out.push_back({k, rows, n, true, false, what + "_dw"});
}

inline std::vector<MatmulShape> matmul_shapes() {
  std::vector<MatmulShape> shapes;
  for (const TrainModel* model : {&kSmall, &kGpt2Block}) {
    long rows = model->batch * model->seq, d = model->d_model, ff = model->d_ff;
    std::string tag(model->name);
    add_linear(shapes, tag + "_attn", rows, d, d);  // q, k, v and output projections
    add_linear(shapes, tag + "_ff1", rows, d, ff);
    add_linear(shapes, tag + "_ff2", rows, ff, d);
  }
  shapes.push_back({1024, 1024, 1024, false, false, "square"});
  return shapes;
}

}  // namespace tfm::bench
