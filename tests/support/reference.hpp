// Plain-loop reference implementations of tfm's ops, written independently of
// the compiler: the numbers every compiled kernel is checked against. Row-major
// float vectors with explicit shapes; clarity over speed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tfm::ref {

using Shape = std::vector<std::int64_t>;

struct Array {
  Shape shape;
  std::vector<float> data;

  Array() = default;
  explicit Array(Shape s) : shape(std::move(s)), data(count(shape), 0.0f) {}
  Array(Shape s, std::vector<float> d) : shape(std::move(s)), data(std::move(d)) {}

  static std::size_t count(const Shape& s) {
    std::size_t n = 1;
    for (auto d : s) n *= static_cast<std::size_t>(d);
    return n;
  }
  std::size_t size() const { return data.size(); }
};

// Uniform values in [lo, hi) from a fixed seed.
inline std::vector<float> random_values(std::size_t n, std::uint32_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline Array random_array(Shape s, std::uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::size_t n = Array::count(s);
  return Array(std::move(s), random_values(n, seed, lo, hi));
}

// The multi-index of flat index i in shape s.
inline std::vector<std::int64_t> unflatten(std::size_t i, const Shape& s) {
  std::vector<std::int64_t> idx(s.size());
  for (std::size_t d = s.size(); d-- > 0;) {
    idx[d] = static_cast<std::int64_t>(i % static_cast<std::size_t>(s[d]));
    i /= static_cast<std::size_t>(s[d]);
  }
  return idx;
}

// Flat index in shape s of the trailing-aligned multi-index idx, with size-1
// dimensions of s broadcast (read at 0).
inline std::size_t broadcast_offset(const std::vector<std::int64_t>& idx, const Shape& s) {
  std::size_t off = 0, lead = idx.size() - s.size();
  for (std::size_t d = 0; d < s.size(); ++d)
    off = off * static_cast<std::size_t>(s[d]) +
          static_cast<std::size_t>(s[d] == 1 ? 0 : idx[lead + d]);
  return off;
}

inline Shape broadcast_shape(const Shape& a, const Shape& b) {
  std::size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) {
    std::int64_t x = i < r - a.size() ? 1 : a[i - (r - a.size())];
    std::int64_t y = i < r - b.size() ? 1 : b[i - (r - b.size())];
    out[i] = x == 1 ? y : x;
  }
  return out;
}

template <class F>
Array elementwise(const Array& a, const Array& b, F f) {
  Array out(broadcast_shape(a.shape, b.shape));
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto idx = unflatten(i, out.shape);
    out.data[i] = f(a.data[broadcast_offset(idx, a.shape)], b.data[broadcast_offset(idx, b.shape)]);
  }
  return out;
}

inline Array add(const Array& a, const Array& b) {
  return elementwise(a, b, [](float x, float y) { return x + y; });
}
inline Array mul(const Array& a, const Array& b) {
  return elementwise(a, b, [](float x, float y) { return x * y; });
}
inline Array scale(Array a, float f) {
  for (float& x : a.data) x *= f;
  return a;
}
inline Array relu(Array a) {
  for (float& x : a.data) x = x > 0.0f ? x : 0.0f;
  return a;
}

// [..., M, K] x [..., K, N] with broadcast batch dims; ta/tb read a/b
// transposed in their last two dims. Accumulates in double.
inline Array matmul(const Array& a, const Array& b, bool ta = false, bool tb = false) {
  std::size_t ra = a.shape.size(), rb = b.shape.size();
  std::int64_t m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  std::int64_t k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  std::int64_t n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  Shape abatch(a.shape.begin(), a.shape.end() - 2), bbatch(b.shape.begin(), b.shape.end() - 2);
  Shape batch = broadcast_shape(abatch, bbatch);
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  Array out(out_shape);
  std::size_t nb = Array::count(batch);
  std::size_t a_mat = static_cast<std::size_t>(a.shape[ra - 2] * a.shape[ra - 1]);
  std::size_t b_mat = static_cast<std::size_t>(b.shape[rb - 2] * b.shape[rb - 1]);
  for (std::size_t bi = 0; bi < nb; ++bi) {
    auto idx = unflatten(bi, batch);
    const float* pa = a.data.data() + broadcast_offset(idx, abatch) * a_mat;
    const float* pb = b.data.data() + broadcast_offset(idx, bbatch) * b_mat;
    float* po = out.data.data() + bi * static_cast<std::size_t>(m * n);
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        double acc = 0.0;
        for (std::int64_t p = 0; p < k; ++p) {
          float x = ta ? pa[p * m + i] : pa[i * k + p];
          float y = tb ? pb[j * k + p] : pb[p * n + j];
          acc += static_cast<double>(x) * y;
        }
        po[i * n + j] = static_cast<float>(acc);
      }
  }
  return out;
}

// Softmax along `axis` (negative: from the end), in double.
inline Array softmax(const Array& x, std::int64_t axis = -1) {
  std::size_t r = x.shape.size();
  std::size_t ax = static_cast<std::size_t>(axis < 0 ? axis + static_cast<std::int64_t>(r) : axis);
  std::size_t n = static_cast<std::size_t>(x.shape[ax]);
  std::size_t inner = 1, outer = 1;
  for (std::size_t d = ax + 1; d < r; ++d) inner *= static_cast<std::size_t>(x.shape[d]);
  for (std::size_t d = 0; d < ax; ++d) outer *= static_cast<std::size_t>(x.shape[d]);
  Array out(x.shape);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t in = 0; in < inner; ++in) {
      auto at = [&](std::size_t j) { return (o * n + j) * inner + in; };
      double mx = -std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < n; ++j) mx = std::max(mx, static_cast<double>(x.data[at(j)]));
      double sum = 0.0;
      for (std::size_t j = 0; j < n; ++j) sum += std::exp(x.data[at(j)] - mx);
      for (std::size_t j = 0; j < n; ++j)
        out.data[at(j)] = static_cast<float>(std::exp(x.data[at(j)] - mx) / sum);
    }
  return out;
}

// Layer norm over the last axis with the biased variance, in double.
inline Array layer_norm(const Array& x, const Array& gamma, const Array& beta, float eps) {
  std::size_t d = static_cast<std::size_t>(x.shape.back());
  Array out(x.shape);
  for (std::size_t row = 0; row < x.size() / d; ++row) {
    const float* p = x.data.data() + row * d;
    double mean = 0.0, var = 0.0;
    for (std::size_t i = 0; i < d; ++i) mean += p[i];
    mean /= static_cast<double>(d);
    for (std::size_t i = 0; i < d; ++i) var += (p[i] - mean) * (p[i] - mean);
    var /= static_cast<double>(d);
    double inv = 1.0 / std::sqrt(var + eps);
    for (std::size_t i = 0; i < d; ++i)
      out.data[row * d + i] =
          static_cast<float>((p[i] - mean) * inv * gamma.data[i] + beta.data[i]);
  }
  return out;
}

// Rows of a [V, D] table by id, ids clamped into [0, V).
inline Array embedding(const Array& table, const std::vector<std::int64_t>& ids, Shape ids_shape) {
  std::int64_t v = table.shape[0], d = table.shape[1];
  Shape out_shape = ids_shape;
  out_shape.push_back(d);
  Array out(out_shape);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::int64_t row = std::clamp<std::int64_t>(ids[i], 0, v - 1);
    for (std::int64_t j = 0; j < d; ++j)
      out.data[i * static_cast<std::size_t>(d) + static_cast<std::size_t>(j)] =
          table.data[static_cast<std::size_t>(row * d + j)];
  }
  return out;
}

// result.shape[i] = x.shape[perm[i]].
inline Array permute(const Array& x, const std::vector<std::int64_t>& perm) {
  Shape out_shape(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i)
    out_shape[i] = x.shape[static_cast<std::size_t>(perm[i])];
  Array out(out_shape);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto oidx = unflatten(i, out_shape);
    std::vector<std::int64_t> iidx(perm.size());
    for (std::size_t d = 0; d < perm.size(); ++d) iidx[static_cast<std::size_t>(perm[d])] = oidx[d];
    std::size_t off = 0;
    for (std::size_t d = 0; d < x.shape.size(); ++d)
      off = off * static_cast<std::size_t>(x.shape[d]) + static_cast<std::size_t>(iidx[d]);
    out.data[i] = x.data[off];
  }
  return out;
}

inline Array reshape(Array x, Shape s) {
  x.shape = std::move(s);
  return x;
}

inline Array gelu(Array a) {
  for (float& x : a.data) x = static_cast<float>(0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))));
  return a;
}

inline Array gelu_tanh(Array a) {
  const double k = std::sqrt(2.0 / 3.14159265358979323846);
  for (float& x : a.data) {
    double v = x;
    x = static_cast<float>(0.5 * v * (1.0 + std::tanh(k * (v + 0.044715 * v * v * v))));
  }
  return a;
}

inline Array sigmoid(Array a) {
  for (float& x : a.data) x = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x))));
  return a;
}

inline Array silu(Array a) {
  for (float& x : a.data) {
    double v = x;
    x = static_cast<float>(v / (1.0 + std::exp(-v)));
  }
  return a;
}

// log(softmax(x)) along `axis`, in double.
inline Array log_softmax(const Array& x, std::int64_t axis = -1) {
  Array p = softmax(x, axis);
  // Recompute in double from x to avoid log of a rounded probability.
  std::size_t r = x.shape.size();
  std::size_t ax = static_cast<std::size_t>(axis < 0 ? axis + static_cast<std::int64_t>(r) : axis);
  std::size_t n = static_cast<std::size_t>(x.shape[ax]), inner = 1, outer = 1;
  for (std::size_t d = ax + 1; d < r; ++d) inner *= static_cast<std::size_t>(x.shape[d]);
  for (std::size_t d = 0; d < ax; ++d) outer *= static_cast<std::size_t>(x.shape[d]);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t in = 0; in < inner; ++in) {
      auto at = [&](std::size_t j) { return (o * n + j) * inner + in; };
      double mx = -std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < n; ++j) mx = std::max(mx, static_cast<double>(x.data[at(j)]));
      double sum = 0.0;
      for (std::size_t j = 0; j < n; ++j) sum += std::exp(x.data[at(j)] - mx);
      for (std::size_t j = 0; j < n; ++j)
        p.data[at(j)] = static_cast<float>(x.data[at(j)] - mx - std::log(sum));
    }
  return p;
}

// x / sqrt(mean(x^2) + eps) * gamma over the last axis, in double.
inline Array rms_norm(const Array& x, const Array& gamma, float eps) {
  std::size_t d = static_cast<std::size_t>(x.shape.back());
  Array out(x.shape);
  for (std::size_t row = 0; row < x.size() / d; ++row) {
    const float* p = x.data.data() + row * d;
    double ms = 0.0;
    for (std::size_t i = 0; i < d; ++i) ms += static_cast<double>(p[i]) * p[i];
    double inv = 1.0 / std::sqrt(ms / static_cast<double>(d) + eps);
    for (std::size_t i = 0; i < d; ++i)
      out.data[row * d + i] = static_cast<float>(p[i] * inv * gamma.data[i]);
  }
  return out;
}

// Scores [b, ..., i, j] with disallowed keys at -inf: causal allows
// j <= i + (Tk - Tq), and a window W > 0 only j > i + (Tk - Tq) - W; lengths
// (empty: none) allow j < lengths[b].
inline Array mask(Array s, bool causal, const std::vector<std::int64_t>& lengths = {},
                  std::int64_t window = 0) {
  std::size_t r = s.shape.size();
  std::int64_t tq = s.shape[r - 2], tk = s.shape[r - 1];
  for (std::size_t n = 0; n < s.size(); ++n) {
    auto idx = unflatten(n, s.shape);
    std::int64_t i = idx[r - 2], j = idx[r - 1], last = i + (tk - tq);
    bool allowed = (!causal || (j <= last && (window == 0 || j > last - window))) &&
                   (lengths.empty() || j < lengths[static_cast<std::size_t>(idx[0])]);
    if (!allowed) s.data[n] = -std::numeric_limits<float>::infinity();
  }
  return s;
}

// Dropout of a training step by its definition (tfm.dropout): element n
// (row-major) kept, scaled by 1 / (1 - rate), when the top 24 bits of
// SplitMix64's finalizer of seed + step * 0x9E3779B97F4A7C15 +
// n * 0xD1B54A32D192ED03 reach round(rate * 2^24); else 0.
inline Array dropout(const Array& x, double rate, std::int64_t seed, std::int64_t step) {
  Array out(x.shape);
  auto threshold = static_cast<std::uint64_t>(std::llround(rate * 16777216.0));
  float scale = static_cast<float>(1.0 / (1.0 - rate));
  for (std::size_t n = 0; n < x.size(); ++n) {
    std::uint64_t z = static_cast<std::uint64_t>(seed) +
                      static_cast<std::uint64_t>(step) * 0x9E3779B97F4A7C15ull +
                      static_cast<std::uint64_t>(n) * 0xD1B54A32D192ED03ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    out.data[n] = (z >> 40) >= threshold ? x.data[n] * scale : 0.0f;
  }
  return out;
}

// Rotary embedding of [..., T, D]: (i, i + D/2), or (2i, 2i + 1) when
// interleaved, rotated by (t + offset) * base^(-2i/D), in double.
inline Array rope(const Array& x, double base = 10000.0, std::int64_t offset = 0,
                  bool interleaved = false) {
  std::size_t r = x.shape.size();
  std::int64_t t = x.shape[r - 2], d = x.shape[r - 1], h = d / 2;
  Array out(x.shape);
  for (std::size_t row = 0; row < x.size() / static_cast<std::size_t>(d); ++row) {
    std::int64_t pos = static_cast<std::int64_t>(row) % t + offset;
    const float* p = x.data.data() + row * static_cast<std::size_t>(d);
    float* o = out.data.data() + row * static_cast<std::size_t>(d);
    for (std::int64_t i = 0; i < h; ++i) {
      double a = pos * std::pow(base, -2.0 * i / d), c = std::cos(a), sn = std::sin(a);
      std::int64_t lo = interleaved ? 2 * i : i, hi = interleaved ? 2 * i + 1 : i + h;
      o[lo] = static_cast<float>(p[lo] * c - p[hi] * sn);
      o[hi] = static_cast<float>(p[hi] * c + p[lo] * sn);
    }
  }
  return out;
}

// PE(pos, 2i) = sin(pos / 10000^(2i/D)), PE(pos, 2i+1) = cos(...): [T, D].
inline Array sinusoidal_positions(std::int64_t t, std::int64_t d, std::int64_t offset = 0) {
  Array out({t, d});
  for (std::int64_t p = 0; p < t; ++p)
    for (std::int64_t i = 0; i < d; i += 2) {
      double a = (p + offset) / std::pow(10000.0, static_cast<double>(i) / static_cast<double>(d));
      out.data[static_cast<std::size_t>(p * d + i)] = static_cast<float>(std::sin(a));
      if (i + 1 < d)
        out.data[static_cast<std::size_t>(p * d + i + 1)] = static_cast<float>(std::cos(a));
    }
  return out;
}

// The box of `sizes` at `offsets` of x.
inline Array slice(const Array& x, const std::vector<std::int64_t>& offsets, Shape sizes) {
  Array out(std::move(sizes));
  for (std::size_t n = 0; n < out.size(); ++n) {
    auto idx = unflatten(n, out.shape);
    std::size_t off = 0;
    for (std::size_t d = 0; d < idx.size(); ++d)
      off = off * static_cast<std::size_t>(x.shape[d]) +
            static_cast<std::size_t>(idx[d] + offsets[d]);
    out.data[n] = x.data[off];
  }
  return out;
}

// Scaled dot-product attention by its definition, in double: q [B, H, Tq, D],
// k and v [B, H / groups, Tk, D|Dv] (query head h reads key head h / groups);
// causal allows j <= i + (Tk - Tq), a window W > 0 only its last W keys;
// lengths (empty: none) allow j < len[b]. A query with no allowed key gets
// zeros.
inline Array attention(const Array& q, const Array& k, const Array& v, double scale, bool causal,
                       const std::vector<std::int64_t>& lengths = {}, std::int64_t groups = 1,
                       std::int64_t window = 0) {
  std::int64_t b = q.shape[0], h = q.shape[1], tq = q.shape[2], d = q.shape[3];
  std::int64_t hk = k.shape[1], tk = k.shape[2], dv = v.shape[3];
  Array out({b, h, tq, dv});
  std::vector<double> s(static_cast<std::size_t>(tk));
  for (std::int64_t bi = 0; bi < b; ++bi)
    for (std::int64_t hi = 0; hi < h; ++hi) {
      std::int64_t kh = hi / groups;
      (void)hk;
      for (std::int64_t i = 0; i < tq; ++i) {
        double mx = -std::numeric_limits<double>::infinity();
        for (std::int64_t j = 0; j < tk; ++j) {
          std::int64_t last = i + (tk - tq);
          bool allowed = (!causal || (j <= last && (window == 0 || j > last - window))) &&
                         (lengths.empty() || j < lengths[static_cast<std::size_t>(bi)]);
          double acc = 0;
          for (std::int64_t x = 0; x < d; ++x)
            acc += static_cast<double>(
                       q.data[static_cast<std::size_t>(((bi * h + hi) * tq + i) * d + x)]) *
                   k.data[static_cast<std::size_t>(((bi * hk + kh) * tk + j) * d + x)];
          s[static_cast<std::size_t>(j)] =
              allowed ? acc * scale : -std::numeric_limits<double>::infinity();
          mx = std::max(mx, s[static_cast<std::size_t>(j)]);
        }
        double sum = 0;
        for (std::int64_t j = 0; j < tk && mx > -std::numeric_limits<double>::infinity(); ++j)
          sum += std::exp(s[static_cast<std::size_t>(j)] - mx);
        for (std::int64_t x = 0; x < dv; ++x) {
          double acc = 0;
          for (std::int64_t j = 0; j < tk && sum > 0; ++j)
            acc += std::exp(s[static_cast<std::size_t>(j)] - mx) / sum *
                   v.data[static_cast<std::size_t>(((bi * hk + kh) * tk + j) * dv + x)];
          out.data[static_cast<std::size_t>(((bi * h + hi) * tq + i) * dv + x)] =
              static_cast<float>(acc);
        }
      }
    }
  return out;
}

// max |a - b| / max(1, |b|): relative error past 1, absolute below; equal
// infinities agree, NaN anywhere is an infinite difference.
inline double maxdiff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (std::isinf(a[i]) && a[i] == b[i]) continue;  // equal infinities (masked scores)
    double d = std::abs(static_cast<double>(a[i]) - b[i]) /
               std::max(1.0, std::abs(static_cast<double>(b[i])));
    if (std::isnan(d)) return std::numeric_limits<double>::infinity();
    m = std::max(m, d);
  }
  return a.size() == b.size() ? m : std::numeric_limits<double>::infinity();
}

}  // namespace tfm::ref
