//===- TfmOps.td - tfm dialect ops -------------------------*- tablegen -*-===//
//
// The unfused primitives the DSL traces. Shapes are static and checked by each
// op's verifier; builders infer result types so passes need not spell them.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DIALECT_TFMOPS_TD
#define TFM_DIALECT_TFMOPS_TD

include "TfmDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Tfm_MatmulOp : Tfm_Op<"matmul", [Pure]> {
  let summary = "batched matrix product, with optional transposes";
  let description = [{
    Multiplies the two innermost dimensions: `[..., M, K] x [..., K, N] ->
    [..., M, N]`. With `transpose_a` the lhs is read as `[..., K, M]`, with
    `transpose_b` the rhs as `[..., N, K]` (so `QK^T` needs no transpose op).
    Leading (batch) dimensions broadcast as in NumPy: a missing or size-1 batch
    dimension is repeated, so a `[K, N]` weight applies to every row of a
    `[B, T, K]` activation.

    ```mlir
    // scores[b, h, i, j] = sum_d q[b, h, i, d] * k[b, h, j, d]
    %s = tfm.matmul %q, %k {transpose_b}
        : (tensor<1x2x6x3xf32>, tensor<1x2x6x3xf32>) -> tensor<1x2x6x6xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$lhs, Tfm_FloatTensor:$rhs,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs,
                   CArg<"bool", "false">:$transposeA,
                   CArg<"bool", "false">:$transposeB)>
  ];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Tfm_BroadcastBinaryOp<string mnemonic, string what, string example>
    : Tfm_Op<mnemonic, [Pure]> {
  let summary = "elementwise " # what # " with broadcasting";
  let description = [{
    Applies the operation elementwise after NumPy broadcasting: shapes are
    aligned at their trailing dimensions, and a missing or size-1 dimension is
    repeated to match the other operand. A rank-0 operand is a scalar.

    ```mlir
  }] # example # [{
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$lhs, Tfm_FloatTensor:$rhs);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>
  ];
  let hasVerifier = 1;
}

def Tfm_AddOp : Tfm_BroadcastBinaryOp<"add", "addition", [{
    // A bias [D] added to every row of [B, T, D].
    %y = tfm.add %x, %bias : (tensor<1x6x8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
}]>;

def Tfm_MulOp : Tfm_BroadcastBinaryOp<"mul", "multiplication", [{
    // A product by a runtime scalar.
    %y = tfm.mul %x, %s : (tensor<1x6x8xf32>, tensor<f32>) -> tensor<1x6x8xf32>
}]>;

def Tfm_ScaleOp : Tfm_Op<"scale", [Pure, SameOperandsAndResultType]> {
  let summary = "product by a compile-time constant";
  let description = [{
    Multiplies every element by `factor`, e.g. the `1/sqrt(d_k)` of attention.
    Kept apart from `tfm.mul` so that passes can see the constant.

    ```mlir
    %y = tfm.scale %scores {factor = 0.577350259 : f32} : tensor<1x2x6x6xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, F32Attr:$factor);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Tfm_ReluOp : Tfm_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "rectified linear unit, max(x, 0)";
  let description = [{
    ```mlir
    %y = tfm.relu %x : tensor<1x6x24xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}


def Tfm_GeluOp : Tfm_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `x * Phi(x)`, with `approximate = "none"` computing the normal CDF
    through erf, `0.5 x (1 + erf(x / sqrt(2)))`, and `approximate = "tanh"`
    the approximation of BERT and GPT-2,
    `0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))`.

    ```mlir
    %y = tfm.gelu %x {approximate = "tanh"} : tensor<1x6x24xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input,
                       DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Tfm_SigmoidOp : Tfm_Op<"sigmoid", [Pure, SameOperandsAndResultType]> {
  let summary = "logistic sigmoid, 1 / (1 + exp(-x))";
  let description = [{
    ```mlir
    %y = tfm.sigmoid %x : tensor<1x6x24xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Tfm_SiluOp : Tfm_Op<"silu", [Pure, SameOperandsAndResultType]> {
  let summary = "sigmoid linear unit (swish), x * sigmoid(x)";
  let description = [{
    The activation of the gated feed-forward of Llama, Mistral and Qwen
    (SwiGLU: `down(silu(gate(x)) * up(x))`).

    ```mlir
    %y = tfm.silu %x : tensor<1x6x24xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Tfm_DropoutOp : Tfm_Op<"dropout", [Pure]> {
  let summary = "seeded dropout, applied in training steps only";
  let description = [{
    With a `step` (a scalar: the training step), zeroes each element with
    probability `rate` and scales the others by `1 / (1 - rate)`; without one,
    the identity (lowered to nothing), which is what a model's own function
    (its inference) is: `tfm-autodiff` gives the dropouts of `@f_grad` and
    `@f_train_step` their `step` input. Element `n` (row-major) is kept when
    `h(seed, step, n) >> 40 >= round(rate * 2^24)`, `h` the SplitMix64
    finalizer of `seed + step * 0x9E3779B97F4A7C15 + n * 0xD1B54A32D192ED03`
    (in 64-bit arithmetic): no state, so a step's masks are the same on every
    run, in the forward and in the gradient (which is this op again), and a
    resumed run draws what an uninterrupted one would. Each dropout of a
    model has its own `seed`.

    ```mlir
    %y = tfm.dropout %x step %step {rate = 1.000000e-01 : f32, seed = 3 : i64}
        : (tensor<2x6x8xf32>, tensor<f32>) -> tensor<2x6x8xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Optional<Tfm_FloatTensor>:$step,
                       F32Attr:$rate, DefaultValuedAttr<I64Attr, "0">:$seed);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`step` $step^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

def Tfm_SoftmaxOp : Tfm_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis";
  let description = [{
    `y = exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (negative
    values count from the end). The maximum is subtracted first, so large
    logits do not overflow. A row of only `-inf` (every key masked) gives
    zeros, as `tfm.flash_attention` does, not NaN.

    ```mlir
    %p = tfm.softmax %scores {axis = -1 : i64} : tensor<1x2x6x6xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The axis as a non-negative dimension index.
    int64_t getNormalizedAxis();
  }];
}


def Tfm_LogSoftmaxOp : Tfm_Op<"log_softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "logarithm of softmax along one axis";
  let description = [{
    `y = x - max(x) - log(sum(exp(x - max(x))))` along `axis`: the log
    probabilities, without the cancellation of `log(softmax(x))`. A row of
    only `-inf` gives `-inf`.

    ```mlir
    %lp = tfm.log_softmax %logits {axis = -1 : i64} : tensor<1x6x41xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The axis as a non-negative dimension index.
    int64_t getNormalizedAxis();
  }];
}

def Tfm_RmsNormOp : Tfm_Op<"rms_norm", [Pure]> {
  let summary = "root-mean-square normalization over the last axis";
  let description = [{
    `y = x / sqrt(mean(x^2) + epsilon) * gamma`, over the last axis; `gamma`
    has that axis' size. No mean is subtracted and there is no shift.

    ```mlir
    %y = tfm.rms_norm %x, %gamma {epsilon = 9.99999997e-07 : f32}
        : (tensor<1x6x8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Tfm_FloatTensor:$gamma,
                       F32Attr:$epsilon);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_LayerNormOp : Tfm_Op<"layer_norm", [Pure]> {
  let summary = "layer normalization over the last axis";
  let description = [{
    `y = (x - mean) / sqrt(var + epsilon) * gamma + beta`, with the mean and
    the biased variance taken over the last axis; `gamma` and `beta` have that
    axis' size.

    ```mlir
    %y = tfm.layer_norm %x, %gamma, %beta {epsilon = 9.99999974e-06 : f32}
        : (tensor<1x6x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Tfm_FloatTensor:$gamma,
                       Tfm_FloatTensor:$beta, F32Attr:$epsilon);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention pieces
//===----------------------------------------------------------------------===//

def Tfm_MaskOp : Tfm_Op<"mask", [Pure]> {
  let summary = "set disallowed attention scores to -inf";
  let description = [{
    Masks attention scores `[..., Tq, Tk]` (query `i`, key `j`) before a
    softmax: a disallowed score becomes `-inf`, an allowed one is kept.
    With `causal`, key `j` is allowed for query `i` when
    `j <= i + (Tk - Tq)` (the queries are the last `Tq` positions: with
    `Tq = Tk`, no key after the query); a `window` W > 0 (sliding-window or
    local attention, as Mistral's) allows only the last W of those,
    `i + (Tk - Tq) - W < j`. With `lengths` (`[B]` token counts of the batch,
    `B` the leading dimension), key `j` of batch `b` is allowed when
    `j < lengths[b]` (padding). Both may be given; at least one must be.

    ```mlir
    %m = tfm.mask %scores {causal} : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
    %w = tfm.mask %scores {causal, window = 3 : i64}
        : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
    %p = tfm.mask %scores, %lengths
        : (tensor<2x4x6x6xf32>, tensor<2xi32>) -> tensor<2x4x6x6xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input,
                       Optional<Tfm_IndexTensor>:$lengths, UnitAttr:$causal,
                       DefaultValuedAttr<I64Attr, "0">:$window);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`,` $lengths^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_FlashAttentionOp : Tfm_Op<"flash_attention",
                                  [Pure, AttrSizedOperandSegments]> {
  let summary = "fused scaled dot-product attention";
  let description = [{
    `result = softmax(mask(scale * query key^T + bias)) value` and
    `lse = log(sum(exp(mask(scale * query key^T + bias))))` along the keys,
    computed tile by tile with an online softmax so that no `[Tq, Tk]`
    matrix is ever stored. `tfm-fuse-attention` forms it from the unfused
    chain; the backward pass recomputes the probabilities from `lse`.

    `query: [..., Tq, D]`, `key: [..., Tk, D]`, `value: [..., Tk, Dv]`; the
    leading dimensions of key and value equal the query's or are 1 (a key
    and value head shared by several query heads: grouped-query attention).
    Masks as in `tfm.mask`: `causal` allows key `j` for query `i` when
    `j <= i + (Tk - Tq)`, and a `window` W > 0 only when also
    `j > i + (Tk - Tq) - W`; `lengths` (`[B]`, `B` the leading dimension)
    allows `j < lengths[b]`. Key tiles outside every row's allowed keys are
    skipped. `bias` broadcasts to `[..., Tq, Tk]` and is
    added to the scaled scores (`-inf` entries mask). A query row with no
    allowed key gets zeros and `lse = -inf`.

    ```mlir
    %o, %lse = tfm.flash_attention %q, %k, %v lengths %len {causal, scale = 0.125 : f32}
        : (tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>,
           tensor<2xi32>) -> (tensor<2x8x128x64xf32>, tensor<2x8x128xf32>)
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$query, Tfm_FloatTensor:$key,
                       Tfm_FloatTensor:$value, Optional<Tfm_IndexTensor>:$lengths,
                       Optional<Tfm_FloatTensor>:$bias, F32Attr:$scale,
                       UnitAttr:$causal,
                       DefaultValuedAttr<I64Attr, "0">:$window);
  let results = (outs Tfm_FloatTensor:$result, Tfm_FloatTensor:$lse);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`lengths` $lengths^)? (`bias` $bias^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_SelectOp : Tfm_Op<"select", [Pure]> {
  let summary = "elementwise choice by a boolean tensor, with broadcasting";
  let description = [{
    `result = condition ? on_true : on_false` elementwise, the three operands
    broadcast as in NumPy. How other front ends write attention masks:
    `select(allowed, scores, -inf)`.

    ```mlir
    %m = tfm.select %allowed, %scores, %neg_inf
        : (tensor<6x6xi1>, tensor<1x2x6x6xf32>, tensor<f32>) -> tensor<1x2x6x6xf32>
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[I1]>:$condition,
                       Tfm_FloatTensor:$on_true, Tfm_FloatTensor:$on_false);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_RopeOp : Tfm_Op<"rope", [Pure, SameOperandsAndResultType]> {
  let summary = "rotary position embedding of queries or keys";
  let description = [{
    Rotates `x: [..., T, D]` (D even) by position, in pairs `(a_i, b_i)`,
    `i < h = D/2`: by default `(i, i + h)` ("rotate half", as GPT-NeoX and
    Llama), with `interleaved = true` `(2i, 2i + 1)` (as GPT-J and the RoPE
    paper). With `t` the position (index along dimension -2, plus `offset`)
    and `theta_i = base^(-2i / D)` (`base` is a checkpoint's `rope_theta`),
    `y[t, a_i] = x[t, a_i] cos(t theta_i) - x[t, b_i] sin(t theta_i)` and
    `y[t, b_i] = x[t, b_i] cos(t theta_i) + x[t, a_i] sin(t theta_i)`.
    The angles are tabulated at compile time in double precision.

    ```mlir
    %q = tfm.rope %x {base = 1.000000e+04 : f32} : tensor<1x8x6x16xf32>
    %k = tfm.rope %x {interleaved = true} : tensor<1x8x6x16xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input,
                       DefaultValuedAttr<F32Attr, "10000.0f">:$base,
                       DefaultValuedAttr<I64Attr, "0">:$offset,
                       DefaultValuedAttr<BoolAttr, "false">:$interleaved);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Tfm_SinusoidalPositionsOp : Tfm_Op<"sinusoidal_positions", [Pure]> {
  let summary = "the sinusoidal positional encoding table";
  let description = [{
    A `[T, D]` table: `PE(pos, 2i) = sin(pos / 10000^(2i/D))`,
    `PE(pos, 2i+1) = cos(pos / 10000^(2i/D))`, for `pos = offset .. offset+T-1`.
    Computed at compile time in double precision.

    ```mlir
    %pe = tfm.sinusoidal_positions : tensor<6x512xf32>
    ```
  }];
  let arguments = (ins DefaultValuedAttr<I64Attr, "0">:$offset);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Lookup and data movement
//===----------------------------------------------------------------------===//

def Tfm_EmbeddingOp : Tfm_Op<"embedding", [Pure]> {
  let summary = "row gather from an embedding table by token ids";
  let description = [{
    `result[i..., d] = table[ids[i...], d]` for a `[V, D]` table. An id
    outside `[0, V)` is clamped into range rather than read out of bounds.

    ```mlir
    %e = tfm.embedding %table, %ids
        : (tensor<32x8xf32>, tensor<1x6xi32>) -> tensor<1x6x8xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$table, Tfm_IndexTensor:$ids);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $table `,` $ids attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$table, "::mlir::Value":$ids)>
  ];
  let hasVerifier = 1;
}

def Tfm_TransposeOp : Tfm_Op<"transpose", [Pure]> {
  let summary = "permutation of dimensions";
  let description = [{
    `result.shape[i] = input.shape[permutation[i]]`.

    ```mlir
    // [B, T, H, Dh] -> [B, H, T, Dh]
    %t = tfm.transpose %x, [0, 2, 1, 3] : tensor<1x6x2x4xf32> -> tensor<1x2x6x4xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input,
                   "::llvm::ArrayRef<int64_t>":$permutation)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Tfm_SliceOp : Tfm_Op<"slice", [Pure]> {
  let summary = "a static box of a tensor";
  let description = [{
    `result[i...] = input[offsets[k] + i...]`, of shape `sizes`, strides 1:
    e.g. the first T rows of a learned position table.

    ```mlir
    %p = tfm.slice %table [0, 0] : tensor<16x8xf32> -> tensor<6x8xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, DenseI64ArrayAttr:$offsets);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input $offsets attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Tfm_ReshapeOp : Tfm_Op<"reshape", [Pure]> {
  let summary = "row-major reshape to a static shape";
  let description = [{
    Reinterprets the elements, in row-major order, with another shape of the
    same element count.

    ```mlir
    // [B, T, D] -> [B, T, H, Dh]
    %r = tfm.reshape %x : tensor<1x6x8xf32> -> tensor<1x6x2x4xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

include "TfmGradientOps.td"

#endif // TFM_DIALECT_TFMOPS_TD
