// Fused attention (tfm-fuse-attention + the tiled online-softmax lowering)
// against unfused tfm and against attention by its definition
// (reference.hpp), on shapes that stress the tiling: lengths that are not
// multiples of the tiles, one query, Tq != Tk, head widths 32/64/128,
// logits near 1e4, grouped-query heads, sliding windows (whose key tiles
// before the window are skipped), and rows whose keys are all masked (zeros,
// not NaN). Tolerance: maxdiff <= 1e-5 (relative above 1, absolute
// below).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <tfm/dsl.hpp>
#include <tfm/jit.hpp>

#include "reference.hpp"

namespace {

using namespace tfm::dsl;
namespace ref = tfm::ref;

constexpr double kTolerance = 1e-5;

struct Case {
  const char* what;
  bool causal = false;
  std::vector<std::int32_t> lengths;  // empty: no padding mask
  float lo = -1.0f, hi = 1.0f;        // input range
  float scale = 0.0f;                 // 0: 1/sqrt(D)
  bool integers = false;              // q and k rounded to integers: exact scores
};

// q [B, H, Tq, D], k and v [B, H/G, Tk, D]: the chain the DSL traces,
// written with grouped heads as [B, Hkv, G, T, D] x [B, Hkv, 1, T, D]. W > 0:
// causal within a sliding window of W keys.
template <dim_t B, dim_t H, dim_t G, dim_t Tq, dim_t Tk, dim_t D, dim_t W = 0>
void check(const Case& c) {
  constexpr dim_t Hkv = H / G;
  ref::Array q = ref::random_array({B, H, Tq, D}, 1, c.lo, c.hi);
  ref::Array k = ref::random_array({B, Hkv, Tk, D}, 2, c.lo, c.hi);
  ref::Array v = ref::random_array({B, Hkv, Tk, D}, 3);
  if (c.integers)
    for (ref::Array* a : {&q, &k})
      for (float& x : a->data) x = std::round(x);
  float factor = c.scale != 0.0f ? c.scale : 1.0f / std::sqrt(float(D));
  bool padded = !c.lengths.empty();
  bool causal_mask = c.causal;

  auto model = [&](Function& f) {
    auto qi = f.input<Shape<B, H, Tq, D>>("q");
    auto ki = f.input<Shape<B, Hkv, Tk, D>>("k");
    auto vi = f.input<Shape<B, Hkv, Tk, D>>("v");
    auto len = f.input<Shape<B>, i32>("lengths");
    auto qg = reshape<Shape<B, Hkv, G, Tq, D>>(qi);
    auto kg = reshape<Shape<B, Hkv, 1, Tk, D>>(ki);
    auto vg = reshape<Shape<B, Hkv, 1, Tk, D>>(vi);
    auto s = scale(matmul(qg, transpose(kg)), factor);
    auto m = [&] {
      if constexpr (W > 0)
        return padded ? mask<sliding_window<W>, padding>(s, len) : mask<sliding_window<W>>(s);
      else
        return padded && causal_mask ? mask<causal, padding>(s, len)
               : padded              ? mask<padding>(s, len)
               : causal_mask         ? mask<causal>(s)
                                     : s;
    }();
    f.output("o", reshape<Shape<B, H, Tq, D>>(matmul(softmax(m), vg)));
  };
  TraceResult traced = trace("attention", model);
  ASSERT_TRUE(traced.ok()) << traced.error;

  std::vector<std::int32_t> lengths = padded ? c.lengths : std::vector<std::int32_t>(B, Tk);
  const tfm::TensorView in[] = {
      tfm::TensorView(q.data.data(), q.shape), tfm::TensorView(k.data.data(), k.shape),
      tfm::TensorView(v.data.data(), v.shape), tfm::TensorView(lengths.data(), {B})};
  auto run = [&](bool fuse) {
    tfm::jit::Options o;
    o.fuse_attention = fuse;
    auto m = tfm::jit::Module::compile(traced.mlir, o, "attention");
    EXPECT_TRUE(m.ok()) << m.message();
    auto out = m->run("attention", in);
    EXPECT_TRUE(out.ok()) << out.message();
    auto vals = (*out)[0].values<float>();
    return std::vector<float>(vals.begin(), vals.end());
  };
  std::vector<float> fused = run(true), unfused = run(false);
  std::vector<std::int64_t> len64(c.lengths.begin(), c.lengths.end());
  ref::Array want = ref::attention(q, k, v, factor, c.causal || W > 0, len64, G, W);
  double f_ref = ref::maxdiff(fused, want.data), u_ref = ref::maxdiff(unfused, want.data),
         f_u = ref::maxdiff(fused, unfused);
  bool finite = std::all_of(fused.begin(), fused.end(), [](float x) { return std::isfinite(x); });
  std::printf("  %-52s maxdiff fused vs ref %.3g, unfused vs ref %.3g, fused vs unfused %.3g\n",
              c.what, f_ref, u_ref, f_u);
  EXPECT_TRUE(finite) << c.what;
  EXPECT_LE(f_ref, kTolerance) << c.what;
  EXPECT_LE(u_ref, kTolerance) << c.what;
  EXPECT_LE(f_u, kTolerance) << c.what;
}

TEST(FusedAttention, Shapes) {
  check<1, 2, 1, 100, 100, 64>({"T 100 (not a multiple of the 32x64 tiles)"});
  check<2, 2, 1, 1, 1, 32>({"T = 1, d 32"});
  check<1, 2, 1, 1, 50, 64>({"one query over 50 keys (decoding)", .causal = true});
  check<1, 2, 1, 20, 77, 64>({"cross: Tq 20, Tk 77"});
  check<1, 1, 1, 37, 37, 128>({"causal, T 37, d 128", .causal = true});
  check<1, 2, 1, 130, 130, 64>({"causal, T 130 (tiles straddle the diagonal)", .causal = true});
}

TEST(FusedAttention, MasksAndEdges) {
  check<1, 2, 1, 20, 70, 64>({"causal, Tq 20 < Tk 70 (bottom-right aligned)", .causal = true});
  check<1, 2, 1, 40, 30, 64>(
      {"causal, Tq 40 > Tk 30: the first 10 rows see no key", .causal = true});
  check<2, 2, 1, 64, 64, 32>({"padding lengths {64, 0}: batch 1 has no key", .lengths = {64, 0}});
  check<2, 2, 1, 70, 70, 64>(
      {"causal + padding lengths {50, 70}", .causal = true, .lengths = {50, 70}});
  // Integer q and k in [9, 13]: scores of 5000 to 11000, exact in f32, so
  // the comparison measures the softmax, not the rounding of the logits.
  check<1, 2, 1, 96, 96, 64>(
      {"logits 5e3..1.1e4", .lo = 9.0f, .hi = 13.0f, .scale = 1.0f, .integers = true});
}

// Tiles 32 x 64 (the forward's default): at T 300 a window of 40 leaves whole
// key tiles before every query tile's window out, and straddles tiles at
// both ends.
TEST(FusedAttention, SlidingWindow) {
  check<1, 2, 1, 300, 300, 64, 40>({"sliding window 40, T 300"});
  check<1, 2, 1, 130, 130, 32, 1>({"window 1: each query sees only itself"});
  check<1, 2, 1, 100, 100, 64, 64>({"window 64 = one key tile, T 100"});
  check<1, 2, 1, 20, 200, 64, 50>({"window 50, Tq 20 < Tk 200 (bottom-right aligned)"});
  check<2, 2, 1, 200, 200, 64, 33>(
      {"window 33 + padding lengths {150, 200}", .lengths = {150, 200}});
  check<1, 6, 3, 150, 150, 64, 70>({"window 70, 6 query heads on 2 key/value heads"});
}

TEST(FusedAttention, GroupedQueryHeads) {
  check<1, 6, 3, 50, 50, 64>({"6 query heads on 2 key/value heads, causal", .causal = true});
  check<2, 4, 4, 33, 33, 32>(
      {"multi-query: 4 heads, 1 key/value head, padding", .lengths = {33, 10}});
}

}  // namespace
