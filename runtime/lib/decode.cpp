// Greedy, beam search and sampling decoders (see decode.hpp).

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <random>
#include <tfm/decode.hpp>

#include "no_throw.hpp"

namespace tfm::decode {
namespace {

// log softmax of `logits`, in double.
std::vector<double> log_softmax(const std::vector<float>& logits) {
  double top = -std::numeric_limits<double>::infinity();
  for (float v : logits) top = std::max(top, static_cast<double>(v));
  double sum = 0;
  for (float v : logits) sum += std::exp(v - top);
  double log_z = top + std::log(sum);
  std::vector<double> out(logits.size());
  for (std::size_t i = 0; i < logits.size(); ++i) out[i] = logits[i] - log_z;
  return out;
}

// The indices of the k largest values, largest first (ties: lower index first).
std::vector<std::int32_t> top_indices(const std::vector<double>& v, std::size_t k) {
  std::vector<std::int32_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, idx.size());
  std::partial_sort(
      idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
      [&](std::int32_t a, std::int32_t b) { return v[a] > v[b] || (v[a] == v[b] && a < b); });
  idx.resize(k);
  return idx;
}

Status check_logits(const Result<std::vector<float>>& logits) {
  if (!logits.ok()) return Status::error(logits.message());
  if (logits->empty()) return Status::error("tfm: decode: the model returned no logits");
  return Status();
}

Status check_prefix(const std::vector<std::int32_t>& prefix) {
  if (prefix.empty())
    return Status::error("tfm: decode: empty prefix ---> HINT: start with the <start> token");
  return Status();
}

}  // namespace

Result<std::vector<std::int32_t>> greedy(const NextLogits& next, std::vector<std::int32_t> prefix,
                                         const Stop& stop) {
  return no_throw("tfm: decode: ", [&]() -> Result<std::vector<std::int32_t>> {
    if (Status s = check_prefix(prefix); !s.ok()) return s;
    for (std::size_t n = 0; n < stop.max_tokens; ++n) {
      auto logits = next(prefix);
      if (Status s = check_logits(logits); !s.ok()) return s;
      auto best = std::max_element(logits->begin(), logits->end());
      prefix.push_back(static_cast<std::int32_t>(best - logits->begin()));
      if (prefix.back() == stop.end_id) break;
    }
    return prefix;
  });
}

Result<std::vector<Hypothesis>> beam_search(const NextLogits& next,
                                            std::vector<std::int32_t> prefix, const Stop& stop,
                                            const BeamOptions& options) {
  return no_throw("tfm: decode: ", [&]() -> Result<std::vector<Hypothesis>> {
    if (Status s = check_prefix(prefix); !s.ok()) return s;
    if (options.width == 0)
      return Status::error("tfm: decode: beam width 0 ---> HINT: use 1 or more (1 is greedy)");
    const std::size_t start = prefix.size();
    auto score = [&](const Hypothesis& h) {
      double n = static_cast<double>(h.tokens.size() - start);
      return options.length_penalty == 0 || n == 0
                 ? h.log_prob
                 : h.log_prob / std::pow(n, options.length_penalty);
    };
    // Ties go to the lexicographically smaller tokens, so the order is total.
    auto better = [](const Hypothesis& a, const Hypothesis& b) {
      return a.score != b.score ? a.score > b.score : a.tokens < b.tokens;
    };

    std::vector<Hypothesis> live = {{std::move(prefix), 0.0, 0.0}}, finished;
    for (std::size_t n = 0; n < stop.max_tokens && !live.empty(); ++n) {
      std::vector<Hypothesis> candidates;
      for (const Hypothesis& h : live) {
        auto logits = next(h.tokens);
        if (Status s = check_logits(logits); !s.ok()) return s;
        std::vector<double> lp = log_softmax(*logits);
        for (std::int32_t t : top_indices(lp, options.width)) {
          Hypothesis c{h.tokens, h.log_prob + lp[static_cast<std::size_t>(t)], 0.0};
          c.tokens.push_back(t);
          c.score = score(c);
          candidates.push_back(std::move(c));
        }
      }
      std::sort(candidates.begin(), candidates.end(), better);
      live.clear();
      for (Hypothesis& c : candidates) {
        if (live.size() == options.width) break;
        if (c.tokens.back() == stop.end_id || n + 1 == stop.max_tokens)
          finished.push_back(std::move(c));
        else
          live.push_back(std::move(c));
      }
      std::sort(finished.begin(), finished.end(), better);
      if (finished.size() > options.width) finished.resize(options.width);
      // Done when `width` hypotheses have finished and the best live one
      // already scores below the worst of them (log-probabilities only fall
      // as tokens are added).
      if (finished.size() == options.width && !live.empty() &&
          live.front().score < finished.back().score)
        live.clear();
    }
    std::sort(finished.begin(), finished.end(), better);
    if (finished.size() > options.width) finished.resize(options.width);
    return finished;
  });
}

Result<std::vector<std::int32_t>> sample(const NextLogits& next, std::vector<std::int32_t> prefix,
                                         const Stop& stop, const SampleOptions& options) {
  return no_throw("tfm: decode: ", [&]() -> Result<std::vector<std::int32_t>> {
    if (Status s = check_prefix(prefix); !s.ok()) return s;
    if (!(options.temperature > 0.0f))
      return Status::error("tfm: decode: temperature " + std::to_string(options.temperature) +
                           " ---> HINT: use a positive temperature; greedy() is the limit at 0");
    std::mt19937_64 rng(options.seed);
    for (std::size_t n = 0; n < stop.max_tokens; ++n) {
      auto logits = next(prefix);
      if (Status s = check_logits(logits); !s.ok()) return s;
      std::vector<double> scaled(logits->size());
      for (std::size_t i = 0; i < scaled.size(); ++i)
        scaled[i] = (*logits)[i] / options.temperature;
      std::size_t k = options.top_k == 0 ? scaled.size() : options.top_k;
      std::vector<std::int32_t> keep = top_indices(scaled, k);
      std::vector<double> weights;
      for (std::int32_t t : keep) weights.push_back(std::exp(scaled[t] - scaled[keep.front()]));
      std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
      prefix.push_back(keep[pick(rng)]);
      if (prefix.back() == stop.end_id) break;
    }
    return prefix;
  });
}

NextLogits forward_logits(Run run, std::vector<TensorView> others, std::size_t tokens_index,
                          std::int64_t length, std::int32_t pad_id) {
  auto tokens = std::make_shared<Tensor>(Tensor::of<std::int32_t>({1, length}));
  if (tokens_index < others.size()) others[tokens_index] = tokens->view();
  return [run = std::move(run), others = std::move(others), tokens, length,
          pad_id](std::span<const std::int32_t> prefix) -> Result<std::vector<float>> {
    return no_throw("tfm: decode: ", [&]() -> Result<std::vector<float>> {
      if (prefix.empty()) return Status::error("tfm: decode: empty prefix");
      std::size_t n = std::min(prefix.size(), static_cast<std::size_t>(length));
      std::span<const std::int32_t> window = prefix.subspan(prefix.size() - n);
      std::int32_t* ids = tokens->data<std::int32_t>();
      std::fill(ids, ids + length, pad_id);
      std::copy(window.begin(), window.end(), ids);
      auto outputs = run(others);
      if (!outputs.ok()) return Status::error(outputs.message());
      if (outputs->empty() || outputs->front().dtype() != DType::f32 ||
          outputs->front().shape().size() != 3 || outputs->front().shape()[1] != length)
        return Status::error("tfm: decode: the first output must be f32 logits [1, " +
                             std::to_string(length) + ", vocab]");
      const Tensor& logits = outputs->front();
      std::int64_t vocab = logits.shape()[2];
      const float* row = logits.data<float>() + static_cast<std::int64_t>(n - 1) * vocab;
      return std::vector<float>(row, row + vocab);
    });
  };
}

}  // namespace tfm::decode
