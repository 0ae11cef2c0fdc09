// Plain-loop reference of tfm's Transformer families (dsl/transformer.hpp),
// written from the architecture's definition, not from the DSL: attention is
// loops over heads, queries and keys, with grouped key/value heads indexed
// directly. Records intermediates under the DSL's tap names so tests can
// compare block by block.
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "reference.hpp"

namespace tfm::ref {

struct TransformerConfig {
  std::int64_t vocab = 0, d_model = 0, heads = 1, kv_heads = 1, layers = 1, d_ff = 0, max_len = 0;
  bool pre_norm = false;  // x + f(norm(x)) instead of norm(x + f(x))
  bool rms_norm = false;  // RMS norm instead of layer norm
  enum { relu, gelu, gelu_tanh, swiglu, geglu, geglu_tanh } activation = relu;
  enum { sinusoidal, learned, rope, none } positions = sinusoidal;
  bool bias = true;
  bool tie_embeddings = true;
  float eps = 1e-5f;
  double rope_theta = 10000.0;
  bool rope_interleaved = false;    // pairs (2i, 2i + 1) instead of (i, i + Dh/2)
  std::int64_t sliding_window = 0;  // causal attention sees each query's last W keys; 0: all
  std::int64_t token_types = 0;     // BERT's segment table rows; 0: none
  bool embedding_norm = false;      // a layer norm after the embedding sum (BERT)
};

using Params = std::map<std::string, Array>;
using Taps = std::map<std::string, Array>;

class TransformerReference {
 public:
  TransformerReference(TransformerConfig c, const Params& p) : c_(c), p_(p) {}

  Taps taps;  // intermediates by the DSL's tap names

  // logits [B, Tt, vocab]
  Array encoder_decoder(const std::vector<std::int64_t>& src,
                        const std::vector<std::int64_t>& src_len,
                        const std::vector<std::int64_t>& tgt, std::int64_t b, std::int64_t ts,
                        std::int64_t tt) {
    Array x = embed(src, b, ts, "encoder.embed");
    for (std::int64_t i = 0; i < c_.layers; ++i)
      x = encoder_layer(x, src_len, "encoder.layers." + std::to_string(i));
    if (c_.pre_norm) x = norm(x, "encoder.norm");
    taps["encoder.out"] = x;
    Array y = embed(tgt, b, tt, "decoder.embed");
    for (std::int64_t i = 0; i < c_.layers; ++i)
      y = decoder_layer(y, "decoder.layers." + std::to_string(i), &x, &src_len);
    if (c_.pre_norm) y = norm(y, "decoder.norm");
    taps["decoder.out"] = y;
    return head(y);
  }

  // logits [B, T, vocab]
  Array decoder_only(const std::vector<std::int64_t>& ids, std::int64_t b, std::int64_t t) {
    Array x = embed(ids, b, t, "embed");
    for (std::int64_t i = 0; i < c_.layers; ++i)
      x = decoder_layer(x, "layers." + std::to_string(i), nullptr, nullptr);
    if (c_.pre_norm) x = norm(x, "norm");
    return head(x);
  }

  // hidden [B, T, D]
  Array encoder_only(const std::vector<std::int64_t>& ids, const std::vector<std::int64_t>& lengths,
                     std::int64_t b, std::int64_t t,
                     const std::vector<std::int64_t>& token_types = {}) {
    Array x = embed(ids, b, t, "embed", token_types);
    for (std::int64_t i = 0; i < c_.layers; ++i)
      x = encoder_layer(x, lengths, "layers." + std::to_string(i));
    if (c_.pre_norm) x = norm(x, "norm");
    return x;
  }

 private:
  const Array& param(const std::string& name) const { return p_.at(name); }

  Array linear(const Array& x, const std::string& name) const {
    Array y = matmul(x, param(name + ".w"));
    return c_.bias ? add(y, param(name + ".b")) : y;
  }

  Array norm(const Array& x, const std::string& name) const {
    return c_.rms_norm ? ref::rms_norm(x, param(name + ".gamma"), c_.eps)
                       : layer_norm(x, param(name + ".gamma"), param(name + ".beta"), c_.eps);
  }

  Array embed(const std::vector<std::int64_t>& ids, std::int64_t b, std::int64_t t,
              const std::string& tap, const std::vector<std::int64_t>& token_types = {}) {
    Array x = embedding(param("embedding"), ids, {b, t});
    taps[tap + ".tokens"] = x;
    Array pe;
    if (c_.positions == TransformerConfig::sinusoidal) pe = sinusoidal_positions(t, c_.d_model);
    if (c_.positions == TransformerConfig::learned)
      pe = slice(param("positions"), {0, 0}, {t, c_.d_model});
    if (!pe.data.empty()) {
      taps[tap + ".positions"] = pe;
      x = add(x, pe);
    }
    if (c_.token_types > 0) {
      Array tt = embedding(param("token_type_embedding"), token_types, {b, t});
      taps[tap + ".token_types"] = tt;
      x = add(x, tt);
    }
    taps[tap + ".sum"] = x;
    if (c_.embedding_norm) {
      x = norm(x, "embed_norm");
      taps[tap + ".norm"] = x;
    }
    return x;
  }

  Array head(const Array& h) {
    Array logits = c_.tie_embeddings ? matmul(h, param("embedding"), false, true)
                                     : matmul(h, param("lm_head.w"));
    taps["probs"] = softmax(logits);
    taps["log_probs"] = log_softmax(logits);
    return logits;
  }

  // [B, T, H * Dh] -> [B, H, T, Dh]
  static Array heads_first(const Array& x, std::int64_t h) {
    std::int64_t b = x.shape[0], t = x.shape[1], dh = x.shape[2] / h;
    return permute(reshape(x, {b, t, h, dh}), {0, 2, 1, 3});
  }

  Array attention(const Array& xq, const Array& xkv, const std::string& name, bool causal,
                  const std::vector<std::int64_t>* lengths) {
    const std::int64_t b = xq.shape[0], tq = xq.shape[1], tk = xkv.shape[1];
    const std::int64_t h = c_.heads, hkv = c_.kv_heads, dh = c_.d_model / c_.heads, g = h / hkv;
    Array q = heads_first(linear(xq, name + ".q"), h);     // [B, H, Tq, Dh]
    Array k = heads_first(linear(xkv, name + ".k"), hkv);  // [B, Hkv, Tk, Dh]
    Array v = heads_first(linear(xkv, name + ".v"), hkv);
    if (c_.positions == TransformerConfig::rope) {
      q = ref::rope(q, c_.rope_theta, 0, c_.rope_interleaved);
      k = ref::rope(k, c_.rope_theta, 0, c_.rope_interleaved);
    }
    taps[name + ".q"] = q;
    taps[name + ".k"] = k;
    taps[name + ".v"] = v;
    Array scores({b, h, tq, tk}), scaled({b, h, tq, tk}), masked({b, h, tq, tk}),
        probs({b, h, tq, tk}), context({b, h, tq, dh});
    const double inv_sqrt = 1.0 / std::sqrt(static_cast<double>(dh));
    auto at4 = [](const Array& a, std::int64_t i0, std::int64_t i1, std::int64_t i2,
                  std::int64_t i3) {
      return static_cast<std::size_t>(((i0 * a.shape[1] + i1) * a.shape[2] + i2) * a.shape[3] + i3);
    };
    for (std::int64_t bi = 0; bi < b; ++bi)
      for (std::int64_t hi = 0; hi < h; ++hi) {
        std::int64_t kvh = hi / g;  // the key/value head of this query head
        for (std::int64_t i = 0; i < tq; ++i) {
          for (std::int64_t j = 0; j < tk; ++j) {
            double s = 0.0;
            for (std::int64_t d = 0; d < dh; ++d)
              s +=
                  static_cast<double>(q.data[at4(q, bi, hi, i, d)]) * k.data[at4(k, bi, kvh, j, d)];
            scores.data[at4(scores, bi, hi, i, j)] = static_cast<float>(s);
            float sc = static_cast<float>(static_cast<float>(s) * static_cast<float>(inv_sqrt));
            scaled.data[at4(scores, bi, hi, i, j)] = sc;
            std::int64_t last = i + (tk - tq), w = c_.sliding_window;
            bool allowed = (!causal || (j <= last && (w == 0 || j > last - w))) &&
                           (lengths == nullptr || j < (*lengths)[static_cast<std::size_t>(bi)]);
            masked.data[at4(scores, bi, hi, i, j)] =
                allowed ? sc : -std::numeric_limits<float>::infinity();
          }
          double mx = -std::numeric_limits<double>::infinity(), sum = 0.0;
          for (std::int64_t j = 0; j < tk; ++j)
            mx = std::max(mx, double(masked.data[at4(masked, bi, hi, i, j)]));
          for (std::int64_t j = 0; j < tk; ++j)
            sum += std::exp(masked.data[at4(masked, bi, hi, i, j)] - mx);
          for (std::int64_t j = 0; j < tk; ++j)
            probs.data[at4(probs, bi, hi, i, j)] =
                static_cast<float>(std::exp(masked.data[at4(masked, bi, hi, i, j)] - mx) / sum);
          for (std::int64_t d = 0; d < dh; ++d) {
            double acc = 0.0;
            for (std::int64_t j = 0; j < tk; ++j)
              acc += static_cast<double>(probs.data[at4(probs, bi, hi, i, j)]) *
                     v.data[at4(v, bi, kvh, j, d)];
            context.data[at4(context, bi, hi, i, d)] = static_cast<float>(acc);
          }
        }
      }
    taps[name + ".scores"] = scores;
    taps[name + ".scaled"] = scaled;
    taps[name + ".masked"] = masked;
    taps[name + ".probs"] = probs;
    taps[name + ".context"] = context;
    Array concat = reshape(permute(context, {0, 2, 1, 3}), {b, tq, c_.d_model});
    taps[name + ".concat"] = concat;
    Array out = linear(concat, name + ".o");
    taps[name + ".out"] = out;
    return out;
  }

  // up, activation, down; a gated activation multiplies act(gate(x)) by
  // up(x) elementwise.
  Array ffn(const Array& x, const std::string& name) {
    Array h = linear(x, name + ".up");
    switch (c_.activation) {
      case TransformerConfig::relu:
        h = relu(h);
        break;
      case TransformerConfig::gelu:
        h = gelu(h);
        break;
      case TransformerConfig::gelu_tanh:
        h = gelu_tanh(h);
        break;
      case TransformerConfig::swiglu:
        h = mul(silu(linear(x, name + ".gate")), h);
        break;
      case TransformerConfig::geglu:
        h = mul(gelu(linear(x, name + ".gate")), h);
        break;
      case TransformerConfig::geglu_tanh:
        h = mul(gelu_tanh(linear(x, name + ".gate")), h);
        break;
    }
    return linear(h, name + ".down");
  }

  template <class F>
  Array add_and_norm(const Array& x, const std::string& norm_name, F sublayer,
                     const std::string& tap) {
    Array y =
        c_.pre_norm ? add(x, sublayer(norm(x, norm_name))) : norm(add(x, sublayer(x)), norm_name);
    taps[tap] = y;
    return y;
  }

  Array encoder_layer(const Array& x, const std::vector<std::int64_t>& lengths,
                      const std::string& name) {
    Array h = add_and_norm(
        x, name + ".norm1",
        [&](const Array& a) { return attention(a, a, name + ".self_attn", false, &lengths); },
        name + ".add_norm1");
    return add_and_norm(
        h, name + ".norm2",
        [&](const Array& a) {
          Array y = ffn(a, name + ".ffn");
          taps[name + ".ffn"] = y;
          return y;
        },
        name + ".add_norm2");
  }

  Array decoder_layer(const Array& y, const std::string& name, const Array* memory,
                      const std::vector<std::int64_t>* src_len) {
    Array h = add_and_norm(
        y, name + ".norm1",
        [&](const Array& a) { return attention(a, a, name + ".self_attn", true, nullptr); },
        name + ".add_norm1");
    if (memory)
      h = add_and_norm(
          h, name + ".norm2",
          [&](const Array& a) {
            return attention(a, *memory, name + ".cross_attn", false, src_len);
          },
          name + ".add_norm2");
    return add_and_norm(
        h, name + ".norm3",
        [&](const Array& a) {
          Array z = ffn(a, name + ".ffn");
          taps[name + ".ffn"] = z;
          return z;
        },
        name + ".add_norm3");
  }

  TransformerConfig c_;
  const Params& p_;
};

}  // namespace tfm::ref
