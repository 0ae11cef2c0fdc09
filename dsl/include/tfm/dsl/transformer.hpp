// Transformer blocks and model families built from a TransformerConfig: the
// paper's encoder-decoder, decoder-only (GPT) and encoder-only (BERT). A
// config is a value; its sizes become the shapes of every tensor, so a bad
// config is a compile error. Blocks trace unfused attention: fusing it is the
// compiler's job.
#pragma once

#include <cmath>
#include <string>
#include <tfm/dsl/attention.hpp>
#include <tfm/dsl/embedding.hpp>
#include <tfm/dsl/layers.hpp>
#include <tfm/dsl/layout.hpp>
#include <tfm/dsl/matmul.hpp>
#include <tfm/dsl/normalization.hpp>
#include <tfm/dsl/params.hpp>
#include <type_traits>

namespace tfm::dsl {

enum class NormPlacement {
  post,
  pre
};  // post: norm(x + f(x)) (the paper); pre: x + f(norm(x)) (GPT-2)
enum class NormKind { layer_norm, rms_norm };
// The feed-forward's activation. The gated ones (SwiGLU: Llama, Mistral,
// Qwen; GeGLU) have a third projection "gate": down(act(gate(x)) * up(x)).
enum class Activation { relu, gelu, gelu_tanh, swiglu, geglu, geglu_tanh };

constexpr bool gated(Activation a) {
  return a == Activation::swiglu || a == Activation::geglu || a == Activation::geglu_tanh;
}
enum class Positions { sinusoidal, learned, rope, none };

// The architecture. Sizes of a batch and its sequences are not part of it:
// the model families take them as template arguments.
struct TransformerConfig {
  dim_t vocab = 0;
  dim_t d_model = 0;
  dim_t heads = 1;
  dim_t kv_heads = 0;  // 0: as many as heads; 1: multi-query; between: grouped-query
  dim_t layers = 1;
  dim_t d_ff = 0;
  dim_t max_len = 0;  // the longest sequence; learned position tables have this many rows
  NormPlacement norm_placement = NormPlacement::post;
  NormKind norm = NormKind::layer_norm;
  Activation activation = Activation::relu;
  Positions positions = Positions::sinusoidal;
  bool bias = true;            // linear layers have biases
  bool tie_embeddings = true;  // the vocabulary projection is the embedding table, transposed
  // (Booleans stay together here: clang 19 reads the wrong fields of a config
  // passed as a template argument whose last member is a bool after floats.)
  bool embedding_norm = false;
  float norm_eps = 1e-5f;
  float rope_theta = 10000.0f;  // rotary positions: pair i turns by t * theta^(-2i/Dh)
  // Dropout in training (GPT-2's resid_pdrop and embd_pdrop, BERT's hidden
  // dropout): of each sublayer's output before its residual, and of the
  // embeddings; none in the model itself (inference).
  float dropout = 0.0f;
  RopePairs rope_pairs = RopePairs::half;  // (i, i + Dh/2) as Llama, or (2i, 2i + 1) as GPT-J
  // Causal self-attention of a decoder sees only each token's last
  // sliding_window tokens (Mistral); 0: all of them.
  dim_t sliding_window = 0;
  // BERT's embeddings: a table of token_types segment embeddings added to the
  // tokens' (encoder_only then takes "token_types" [B, T]), and a norm of the
  // sum (embedding_norm, above: "embed_norm").
  dim_t token_types = 0;

  constexpr dim_t kv() const { return kv_heads == 0 ? heads : kv_heads; }
  constexpr dim_t head_width() const { return heads > 0 ? d_model / heads : 0; }
};

namespace detail {

template <TransformerConfig C>
inline constexpr bool config_ok =
    C.vocab > 0 && C.d_model > 0 && C.heads > 0 && C.layers > 0 && C.d_ff > 0 && C.max_len > 0 &&
    C.kv_heads >= 0 && C.d_model % C.heads == 0 && C.heads % C.kv() == 0 &&
    (C.positions != Positions::rope || C.head_width() % 2 == 0) && C.rope_theta > 1.0f &&
    C.sliding_window >= 0 && C.sliding_window <= C.max_len&& C.token_types >= 0 &&
    C.dropout >= 0.0f && C.dropout < 1.0f;

// The failing instantiation prints the config's values in the compiler's note.
template <TransformerConfig C>
struct ConfigCheck {
  static_assert(C.vocab > 0 && C.d_model > 0 && C.heads > 0 && C.layers > 0 && C.d_ff > 0 &&
                    C.max_len > 0 && C.kv_heads >= 0,
                "tfm::dsl::TransformerConfig: vocab, d_model, heads, layers, d_ff and max_len must "
                "be positive [TFM_BAD_CONFIG]");
  static_assert(C.heads <= 0 || C.d_model % C.heads == 0,
                "tfm::dsl::TransformerConfig: heads must divide d_model [TFM_NOT_DIVISIBLE]");
  static_assert(C.heads <= 0 || C.kv_heads < 0 || C.heads % C.kv() == 0,
                "tfm::dsl::TransformerConfig: kv_heads must divide heads [TFM_NOT_DIVISIBLE]");
  static_assert(C.positions != Positions::rope || C.head_width() % 2 == 0,
                "tfm::dsl::TransformerConfig: rotary positions need an even head width "
                "d_model / heads [TFM_NOT_DIVISIBLE]");
  static_assert(C.rope_theta > 1.0f,
                "tfm::dsl::TransformerConfig: rope_theta must be > 1 [TFM_BAD_CONFIG]");
  static_assert(C.sliding_window >= 0 && C.sliding_window <= C.max_len,
                "tfm::dsl::TransformerConfig: sliding_window must be 0 (none) to max_len "
                "[TFM_BAD_CONFIG]");
  static_assert(C.dropout >= 0.0f && C.dropout < 1.0f,
                "tfm::dsl::TransformerConfig: dropout must be in [0, 1) [TFM_BAD_CONFIG]");
  static_assert(C.token_types >= 0,
                "tfm::dsl::TransformerConfig: token_types must be 0 (none) or the number of "
                "segment embeddings [TFM_BAD_CONFIG]");
};

// A decoder's self-attention mask for sequences of Tk keys: causal, within the
// sliding window when it leaves keys out.
template <TransformerConfig C, dim_t Tk>
using CausalMask = std::conditional_t<(C.sliding_window > 0 && C.sliding_window < Tk),
                                      sliding_window<C.sliding_window>, causal>;

template <TransformerConfig C, dim_t T>
struct LengthCheck {
  static_assert(T >= 1 && T <= C.max_len,
                "tfm::dsl: a sequence must hold 1 to max_len tokens [TFM_SHAPE_MISMATCH]");
};

// Segment embeddings are an encoder's (BERT's): the decoder families refuse
// them rather than declare a table nothing reads.
template <TransformerConfig C>
struct NoTokenTypesCheck {
  static_assert(C.token_types == 0,
                "tfm::dsl: token_types (segment embeddings) are for encoder_only [TFM_BAD_CONFIG]");
};

template <class Memory, TransformerConfig C>
struct CrossAttentionCheck {
  static_assert(Memory::rank == 3 && Memory::dims[2] == C.d_model,
                "tfm::dsl::DecoderLayer: cross-attention reads a memory [batch, source length, "
                "d_model] of the decoder's width [TFM_SHAPE_MISMATCH]");
};

}  // namespace detail

// The blocks below are parameter trees (params.hpp): declare<Attention<C>>(f,
// "layers.0.self_attn") declares its params under their dotted names, in
// member order, which is the checkpoint's layout; param_count and
// param_signature of a whole model's tree (DecoderOnlyParams<C>, ...) give its
// size and the names and shapes a weights file must hold.

// x @ w (+ b): [..., In] -> [..., Out]; "<name>.w" [In, Out], "<name>.b" [Out].
template <dim_t In, dim_t Out, bool Bias = true>
struct Linear {
  BOOST_HANA_DEFINE_STRUCT(Linear, (Tensor<Shape<In, Out>>, w), (If<Bias, Tensor<Shape<Out>>>, b));

  template <AnyTensor X>
  auto operator()(const X& x, std::source_location loc = std::source_location::current()) const {
    auto y = matmul(x, w, loc);
    if constexpr (Bias)
      return add(y, *b, loc);
    else
      return y;
  }
};

// Layer norm ("<name>.gamma", "<name>.beta") or RMS norm ("<name>.gamma").
template <TransformerConfig C>
struct Norm {
  BOOST_HANA_DEFINE_STRUCT(Norm, (Tensor<Shape<C.d_model>>, gamma),
                           (If < C.norm == NormKind::layer_norm, Tensor < Shape < C.d_model >>>,
                            beta));

  template <AnyTensor X>
  X operator()(const X& x, std::source_location loc = std::source_location::current()) const {
    if constexpr (C.norm == NormKind::layer_norm)
      return layer_norm(x, gamma, *beta, C.norm_eps, loc);
    else
      return rms_norm(x, gamma, C.norm_eps, loc);
  }
};

// Multi-head attention with C.kv() key/value heads shared by groups of query
// heads: q, k, v projections, split heads, optional rotary positions,
// q k^T / sqrt(d_k), masks, softmax, x V, concat heads, output projection.
template <TransformerConfig C>
struct Attention {
  static constexpr dim_t D = C.d_model, H = C.heads, Hkv = C.kv(), Dh = C.head_width(), G = H / Hkv;
  BOOST_HANA_DEFINE_STRUCT(Attention, (Linear<D, D, C.bias>, q), (Linear<D, Hkv * Dh, C.bias>, k),
                           (Linear<D, Hkv * Dh, C.bias>, v), (Linear<D, D, C.bias>, o));

  // xq: [B, Tq, D] queries; xkv: [B, Tk, D] keys and values (the same tensor
  // for self-attention). MaskKinds: none, causal and/or padding (then
  // `lengths...` is the [B] token counts). Taps "<tap>.q", ".k", ".v",
  // ".scores", ".scaled", ".masked", ".probs", ".context", ".concat", ".out".
  template <class... MaskKinds, AnyTensor Xq, AnyTensor Xkv, class... Lengths>
  auto operator()(const Xq& xq, const Xkv& xkv, const std::string& tap_name,
                  const Lengths&... lengths) const {
    constexpr dim_t B = Xq::shape::dims[0], Tq = Xq::shape::dims[1], Tk = Xkv::shape::dims[1];
    auto qh = split_heads<H>(q(xq));     // [B, H, Tq, Dh]
    auto kh = split_heads<Hkv>(k(xkv));  // [B, Hkv, Tk, Dh]
    auto vh = split_heads<Hkv>(v(xkv));  // [B, Hkv, Tk, Dh]
    if constexpr (C.positions == Positions::rope) {
      qh = rope(qh, C.rope_theta, 0, C.rope_pairs);
      kh = rope(kh, C.rope_theta, 0, C.rope_pairs);
    }
    tap(tap_name + ".q", qh);
    tap(tap_name + ".k", kh);
    tap(tap_name + ".v", vh);
    // Grouped-query: [B, Hkv, G, Tq, Dh] x [B, Hkv, 1, Dh, Tk]; the matmul's
    // batch broadcasting shares each key/value head with its G query heads.
    auto grouped = [](const auto& t, auto groups_c, auto len_c) {
      if constexpr (G == 1)
        return t;
      else
        return reshape<Shape<B, Hkv, decltype(groups_c)::value, decltype(len_c)::value, Dh>>(t);
    };
    auto qg = grouped(qh, boost::hana::llong_c<G>, boost::hana::llong_c<Tq>);
    auto kg = grouped(kh, boost::hana::llong_c<1>, boost::hana::llong_c<Tk>);
    auto vg = grouped(vh, boost::hana::llong_c<1>, boost::hana::llong_c<Tk>);
    auto scores = matmul(qg, transpose(kg));  // [B, Hkv, (G,) Tq, Tk]
    auto scaled = scale(scores, 1.0f / std::sqrt(static_cast<float>(Dh)));
    tap(tap_name + ".scores", scores);
    tap(tap_name + ".scaled", scaled);
    auto masked = [&] {
      if constexpr (sizeof...(MaskKinds) == 0)
        return scaled;
      else
        return mask<MaskKinds...>(scaled, lengths...);
    }();
    tap(tap_name + ".masked", masked);
    auto probs = softmax(masked);
    tap(tap_name + ".probs", probs);
    auto context = reshape<Shape<B, H, Tq, Dh>>(matmul(probs, vg));  // [B, H, Tq, Dh]
    tap(tap_name + ".context", context);
    auto concat = merge_heads(context);  // [B, Tq, D]
    tap(tap_name + ".concat", concat);
    auto out = o(concat);
    tap(tap_name + ".out", out);
    return out;
  }
};

// linear -> activation -> linear: [..., D] -> [..., D]; with a gated
// activation, down(act(gate(x)) * up(x)) ("<name>.gate", ".up", ".down").
template <TransformerConfig C>
struct FeedForward {
  BOOST_HANA_DEFINE_STRUCT(FeedForward,
                           (If<gated(C.activation), Linear<C.d_model, C.d_ff, C.bias>>, gate),
                           (Linear<C.d_model, C.d_ff, C.bias>, up),
                           (Linear<C.d_ff, C.d_model, C.bias>, down));

  template <AnyTensor X>
  X operator()(const X& x) const {
    if constexpr (C.activation == Activation::relu)
      return down(relu(up(x)));
    else if constexpr (C.activation == Activation::gelu)
      return down(gelu(up(x)));
    else if constexpr (C.activation == Activation::gelu_tanh)
      return down(gelu_tanh(up(x)));
    else if constexpr (C.activation == Activation::swiglu)
      return down(silu((*gate)(x)) * up(x));
    else if constexpr (C.activation == Activation::geglu)
      return down(gelu((*gate)(x)) * up(x));
    else
      return down(gelu_tanh((*gate)(x)) * up(x));
  }
};

// The config's dropout of x (none at rate 0).
template <TransformerConfig C, AnyTensor X>
X config_dropout(const X& x) {
  if constexpr (C.dropout > 0.0f)
    return dropout(x, C.dropout);
  else
    return x;
}

// A sublayer with its residual connection and norm, post- or pre-norm (and
// the config's dropout of the sublayer's output).
template <TransformerConfig C, AnyTensor X, class F>
X add_and_norm(const X& x, const Norm<C>& norm, F sublayer, const std::string& tap_name) {
  if constexpr (C.norm_placement == NormPlacement::post) {
    auto y = norm(residual(x, config_dropout<C>(sublayer(x))));
    tap(tap_name, y);
    return y;
  } else {
    auto y = residual(x, config_dropout<C>(sublayer(norm(x))));
    tap(tap_name, y);
    return y;
  }
}

// Self-attention (padding mask) and feed-forward.
template <TransformerConfig C>
struct EncoderLayer {
  BOOST_HANA_DEFINE_STRUCT(EncoderLayer, (Attention<C>, self_attn), (Norm<C>, norm1),
                           (FeedForward<C>, ffn), (Norm<C>, norm2));

  // x: [B, T, D]; lengths: [B] tokens per sequence, the rest is padding.
  template <AnyTensor X, AnyTensor L>
  X operator()(const X& x, const L& lengths, const std::string& tap_name) const {
    X h = add_and_norm<C>(
        x, norm1,
        [&](const X& a) {
          return self_attn.template operator()<padding>(a, a, tap_name + ".self_attn", lengths);
        },
        tap_name + ".add_norm1");
    return add_and_norm<C>(
        h, norm2,
        [&](const X& a) {
          X y = ffn(a);
          tap(tap_name + ".ffn", y);
          return y;
        },
        tap_name + ".add_norm2");
  }
};

// Masked self-attention, with Cross cross-attention over the encoder's
// memory, and feed-forward.
template <TransformerConfig C, bool Cross = false>
struct DecoderLayer {
  BOOST_HANA_DEFINE_STRUCT(DecoderLayer, (Attention<C>, self_attn), (Norm<C>, norm1),
                           (If<Cross, Attention<C>>, cross_attn), (If<Cross, Norm<C>>, norm2),
                           (FeedForward<C>, ffn), (Norm<C>, norm3));

  // y: [B, Tt, D]. With Cross, also a memory [B, Ts, D] and its lengths [B]:
  // the decoder of an encoder-decoder; without, a decoder-only block.
  template <AnyTensor Y, class... Memory>
  Y operator()(const Y& y, const std::string& tap_name, const Memory&... memory) const {
    static_assert((sizeof...(Memory) == 2) == Cross,
                  "tfm::dsl::DecoderLayer<C, Cross>: a layer with cross-attention takes the "
                  "encoder's memory and its lengths, and only such a layer does "
                  "[TFM_SHAPE_MISMATCH]");
    Y h = add_and_norm<C>(
        y, norm1,
        [&](const Y& a) {
          return self_attn.template operator()<detail::CausalMask<C, Y::shape::dims[1]>>(
              a, a, tap_name + ".self_attn");
        },
        tap_name + ".add_norm1");
    if constexpr (sizeof...(Memory) == 2) {
      auto cross = [&](const Y& a, const auto& mem, const auto& lengths) -> Y {
        using M = typename std::decay_t<decltype(mem)>::shape;
        (void)detail::CrossAttentionCheck<M, C>{};
        if constexpr (M::rank != 3 || M::dim(-1) != C.d_model)
          return a;  // after the failed check, no further errors
        else
          return cross_attn->template operator()<padding>(a, mem, tap_name + ".cross_attn",
                                                          lengths);
      };
      h = add_and_norm<C>(
          h, *norm2, [&](const Y& a) { return cross(a, memory...); }, tap_name + ".add_norm2");
    }
    return add_and_norm<C>(
        h, norm3,
        [&](const Y& a) {
          Y z = ffn(a);
          tap(tap_name + ".ffn", z);
          return z;
        },
        tap_name + ".add_norm3");
  }
};

// Token embeddings plus positions: [B, T] ids -> [B, T, D]. Its params are
// named at the model's top level: "embedding" [vocab, D], "positions"
// [max_len, D] (learned positions), "token_type_embedding" [token_types, D]
// and "embed_norm" (BERT's).
template <TransformerConfig C>
struct Embeddings {
  static constexpr bool inline_names = true;
  BOOST_HANA_DEFINE_STRUCT(
      Embeddings, (Tensor<Shape<C.vocab, C.d_model>>, embedding),
      (If < C.positions == Positions::learned, Tensor < Shape < C.max_len, C.d_model >>>,
       positions),
      (If<(C.token_types > 0), Tensor<Shape<(C.token_types > 0 ? C.token_types : 1), C.d_model>>>,
       token_type_embedding),
      (If<C.embedding_norm, Norm<C>>, embed_norm));

  // ids [B, T] (and with token_types, their segments [B, T]) -> [B, T, D].
  template <AnyTensor Ids, class... Types>
  auto operator()(const Ids& ids, const std::string& tap_name, const Types&... token_types) const {
    constexpr dim_t T = Ids::shape::dims[1];
    (void)detail::LengthCheck<C, T>{};
    auto x = dsl::embedding(embedding, ids);
    if constexpr (T < 1 || T > C.max_len) {
      return x;  // after the failed check, no further errors
    } else {
      tap(tap_name + ".tokens", x);
      if constexpr (C.positions == Positions::sinusoidal) {
        auto pe = sinusoidal_positions<T, C.d_model>();
        tap(tap_name + ".positions", pe);
        x = x + pe;
      } else if constexpr (C.positions == Positions::learned) {
        auto pe = slice<Shape<T, C.d_model>>(*positions);
        tap(tap_name + ".positions", pe);
        x = x + pe;
      }
      if constexpr (sizeof...(Types) == 1) {
        auto tt = dsl::embedding(*token_type_embedding, token_types...);
        tap(tap_name + ".token_types", tt);
        x = x + tt;
      }
      tap(tap_name + ".sum", x);
      if constexpr (C.embedding_norm) {
        x = (*embed_norm)(x);
        tap(tap_name + ".norm", x);
      }
      return config_dropout<C>(x);
    }
  }
};

// The vocabulary projection [B, T, D] -> [B, T, vocab]: the embedding table,
// transposed, or an untied "lm_head" (no bias).
template <TransformerConfig C, AnyTensor X>
auto vocabulary_logits(const X& h, const Embeddings<C>& embed,
                       const If<!C.tie_embeddings, Linear<C.d_model, C.vocab, false>>& lm_head) {
  if constexpr (C.tie_embeddings)
    return matmul(h, transpose(embed.embedding));
  else
    return (*lm_head)(h);
}

// The encoders' and decoders' layers and, pre-norm, the norm after the last:
// "layers.N...", "norm" below the stack's name, or at the top (InlineNames,
// the single stack of decoder_only and encoder_only).
template <class Layer, TransformerConfig C, bool InlineNames = false>
struct Stack {
  static constexpr bool inline_names = InlineNames;
  BOOST_HANA_DEFINE_STRUCT(Stack, (std::array<Layer, C.layers>, layers),
                           (If < C.norm_placement == NormPlacement::pre, Norm < C >>, norm));

  // Each layer in turn (layer(x, name, args...)), then the norm.
  template <AnyTensor X, class... Args>
  X operator()(X x, const std::string& prefix, const Args&... args) const {
    for (std::size_t i = 0; i < layers.size(); ++i) {
      std::string name = detail::join_name(prefix, "layers." + std::to_string(i));
      if constexpr (std::is_same_v<Layer, EncoderLayer<C>>)
        x = layers[i](x, args..., name);
      else
        x = layers[i](x, name, args...);
    }
    if constexpr (C.norm_placement == NormPlacement::pre) x = (*norm)(x);
    return x;
  }
};

// The families' parameter trees, in the order a checkpoint of each holds
// them: embeddings ("embedding", ...), for the encoder-decoder "lm_head" then
// "encoder.layers.N...", "encoder.norm", "decoder.layers.N...",
// "decoder.norm"; for the others "layers.N...", "norm" (pre-norm) and
// "lm_head" (untied).
template <TransformerConfig C>
struct EncoderDecoderParams {
  BOOST_HANA_DEFINE_STRUCT(EncoderDecoderParams, (Embeddings<C>, embed),
                           (If<!C.tie_embeddings, Linear<C.d_model, C.vocab, false>>, lm_head),
                           (Stack<EncoderLayer<C>, C>, encoder),
                           (Stack<DecoderLayer<C, true>, C>, decoder));
};

template <TransformerConfig C>
struct DecoderOnlyParams {
  BOOST_HANA_DEFINE_STRUCT(DecoderOnlyParams, (Embeddings<C>, embed),
                           (Stack<DecoderLayer<C>, C, true>, stack),
                           (If<!C.tie_embeddings, Linear<C.d_model, C.vocab, false>>, lm_head));
};

template <TransformerConfig C>
struct EncoderOnlyParams {
  BOOST_HANA_DEFINE_STRUCT(EncoderOnlyParams, (Embeddings<C>, embed),
                           (Stack<EncoderLayer<C>, C, true>, stack));
};

// Encoder-decoder, as in the paper. Inputs: "src" [B, Ts] and "src_lengths"
// [B] (tokens before the padding), "tgt" [B, Tt] (the decoder's input, e.g.
// <start> + the target shifted right). Returns the logits [B, Tt, vocab]
// without making them an output, for a model that goes on from them (e.g.
// to a loss); taps "encoder.out" and "decoder.out".
template <TransformerConfig C, dim_t B, dim_t Ts, dim_t Tt>
auto encoder_decoder_logits(Function& f) {
  (void)detail::ConfigCheck<C>{};
  (void)detail::NoTokenTypesCheck<C>{};
  if constexpr (detail::config_ok<C>) {
    auto src = f.input<Shape<B, Ts>, i32>("src");
    auto src_lengths = f.input<Shape<B>, i32>("src_lengths");
    auto tgt = f.input<Shape<B, Tt>, i32>("tgt");
    auto p = declare<EncoderDecoderParams<C>>(f);
    auto x = p.encoder(p.embed(src, "encoder.embed"), "encoder", src_lengths);
    tap("encoder.out", x);
    auto y = p.decoder(p.embed(tgt, "decoder.embed"), "decoder", x, src_lengths);
    tap("decoder.out", y);
    return vocabulary_logits<C>(y, p.embed, p.lm_head);
  }
}

// The encoder-decoder as a model: output "logits" [B, Tt, vocab]; taps add
// "probs" and "log_probs".
template <TransformerConfig C, dim_t B, dim_t Ts, dim_t Tt>
void encoder_decoder(Function& f) {
  (void)detail::ConfigCheck<C>{};
  if constexpr (detail::config_ok<C>) {
    auto logits = encoder_decoder_logits<C, B, Ts, Tt>(f);
    f.output("logits", logits);
    tap("probs", softmax(logits));
    tap("log_probs", log_softmax(logits));
  }
}

// Decoder-only (GPT): causal self-attention blocks. Input "ids" [B, T];
// returns the logits [B, T, vocab] without making them an output.
template <TransformerConfig C, dim_t B, dim_t T>
auto decoder_only_logits(Function& f) {
  (void)detail::ConfigCheck<C>{};
  (void)detail::NoTokenTypesCheck<C>{};
  if constexpr (detail::config_ok<C>) {
    auto ids = f.input<Shape<B, T>, i32>("ids");
    auto p = declare<DecoderOnlyParams<C>>(f);
    auto x = p.stack(p.embed(ids, "embed"), "");
    return vocabulary_logits<C>(x, p.embed, p.lm_head);
  }
}

// The decoder-only model: output "logits" [B, T, vocab]; taps add "probs"
// and "log_probs".
template <TransformerConfig C, dim_t B, dim_t T>
void decoder_only(Function& f) {
  (void)detail::ConfigCheck<C>{};
  if constexpr (detail::config_ok<C>) {
    auto logits = decoder_only_logits<C, B, T>(f);
    f.output("logits", logits);
    tap("probs", softmax(logits));
    tap("log_probs", log_softmax(logits));
  }
}

// Encoder-only (BERT): bidirectional self-attention blocks with a padding
// mask. Inputs "ids" [B, T], "lengths" [B] (and with token_types,
// "token_types" [B, T]); output "hidden" [B, T, D].
template <TransformerConfig C, dim_t B, dim_t T>
void encoder_only(Function& f) {
  (void)detail::ConfigCheck<C>{};
  if constexpr (detail::config_ok<C>) {
    auto ids = f.input<Shape<B, T>, i32>("ids");
    auto lengths = f.input<Shape<B>, i32>("lengths");
    auto x = [&] {
      if constexpr (C.token_types > 0) {
        auto types = f.input<Shape<B, T>, i32>("token_types");
        auto p = declare<EncoderOnlyParams<C>>(f);
        return p.stack(p.embed(ids, "embed", types), "", lengths);
      } else {
        auto p = declare<EncoderOnlyParams<C>>(f);
        return p.stack(p.embed(ids, "embed"), "", lengths);
      }
    }();
    f.output("hidden", x);
  }
}

}  // namespace tfm::dsl
