# tfm_compile_fail_test(<case> EXPECT <regex>): one line per source in this folder.

# matmul
tfm_compile_fail_test(matmul_inner_dims EXPECT [=[tfm::dsl::matmul\(a, b\): a\.shape\[-1\] must equal b\.shape\[-2\] \[TFM_SHAPE_MISMATCH\].*MatmulCheck<tfm::dsl::Shape<2, 6, 4>, tfm::dsl::Shape<2, 6, 4>,]=])
tfm_compile_fail_test(matmul_batch_broadcast EXPECT [=[tfm::dsl::matmul\(a, b\): batch dimensions a\.shape\[:-2\] and b\.shape\[:-2\] must broadcast \[TFM_SHAPE_MISMATCH\].*MatmulCheck<tfm::dsl::Shape<2, 6, 4>, tfm::dsl::Shape<3, 4, 5>,]=])
tfm_compile_fail_test(matmul_rank1 EXPECT [=[tfm::dsl::matmul\(a, b\): a and b must have rank >= 2 \[TFM_RANK_MISMATCH\].*MatmulCheck<tfm::dsl::Shape<6, 4>, tfm::dsl::Shape<4>,]=])
tfm_compile_fail_test(matmul_mixed_dtype EXPECT [=[tfm::dsl::matmul\(a, b\): a and b must have one element type \[TFM_DTYPE_MISMATCH\].*MatmulCheck<tfm::dsl::Shape<6, 4>, tfm::dsl::Shape<4, 5>, tfm::dsl::f32, tfm::dsl::f64>]=])
tfm_compile_fail_test(matmul_int EXPECT [=[tfm::dsl::matmul\(a, b\): operands must be floating point \[TFM_DTYPE_MISMATCH\].*MatmulCheck<tfm::dsl::Shape<6, 4>, tfm::dsl::Shape<4, 5>, tfm::dsl::i32, tfm::dsl::i32>]=])
tfm_compile_fail_test(linear_bias_width EXPECT [=[tfm::dsl::linear\(x, w, b\): b must have shape \[out\] = \[w\.shape\[1\]\] \[TFM_SHAPE_MISMATCH\].*LinearCheck<tfm::dsl::Shape<8, 16>, tfm::dsl::Shape<8>>]=])
tfm_compile_fail_test(linear_weight_rank EXPECT [=[tfm::dsl::linear\(x, w\): w must have shape \[in, out\] \[TFM_RANK_MISMATCH\].*linear<tfm::dsl::Tensor<tfm::dsl::Shape<2, 6, 8>>, tfm::dsl::Tensor<tfm::dsl::Shape<1, 8, 4>>>]=])
tfm_compile_fail_test(attention_qk_width EXPECT [=[tfm::dsl::attention<H>\(q, k, v\): q and k must have one width \[TFM_SHAPE_MISMATCH\].*AttentionCheck<tfm::dsl::Shape<2, 6, 8>, tfm::dsl::Shape<2, 5, 4>, tfm::dsl::Shape<2, 5, 8>, 2>]=])
tfm_compile_fail_test(attention_kv_seq EXPECT [=[tfm::dsl::attention<H>\(q, k, v\): k and v must have one sequence length \[TFM_SHAPE_MISMATCH\].*AttentionCheck<tfm::dsl::Shape<2, 6, 8>, tfm::dsl::Shape<2, 5, 8>, tfm::dsl::Shape<2, 4, 8>, 2>]=])

# elementwise
tfm_compile_fail_test(add_not_broadcastable EXPECT [=[tfm::dsl::add/mul\(a, b\): shapes must broadcast: aligned at the last dimension, each pair equal or 1 \[TFM_SHAPE_MISMATCH\].*BroadcastCheck<tfm::dsl::Shape<2, 6, 4>, tfm::dsl::Shape<6, 3>,]=])
tfm_compile_fail_test(mul_not_broadcastable EXPECT [=[tfm::dsl::add/mul\(a, b\): shapes must broadcast: aligned at the last dimension, each pair equal or 1 \[TFM_SHAPE_MISMATCH\].*BroadcastCheck<tfm::dsl::Shape<2, 6, 4>, tfm::dsl::Shape<3, 1, 4>,]=])
tfm_compile_fail_test(add_mixed_dtype EXPECT [=[tfm::dsl::add/mul\(a, b\): a and b must have one element type \[TFM_DTYPE_MISMATCH\].*BroadcastCheck<tfm::dsl::Shape<2, 4>, tfm::dsl::Shape<2, 4>, tfm::dsl::f32, tfm::dsl::f64>]=])
tfm_compile_fail_test(relu_int EXPECT [=[tfm::dsl: this op takes a floating-point tensor \[TFM_DTYPE_MISMATCH\].*FloatCheck<tfm::dsl::i32>.*relu<tfm::dsl::Tensor<tfm::dsl::Shape<2, 6>, tfm::dsl::i32>>]=])
tfm_compile_fail_test(scale_int EXPECT [=[tfm::dsl: this op takes a floating-point tensor \[TFM_DTYPE_MISMATCH\].*FloatCheck<tfm::dsl::i32>.*scale<tfm::dsl::Tensor<tfm::dsl::Shape<2, 6>, tfm::dsl::i32>>]=])

# normalization
tfm_compile_fail_test(softmax_int EXPECT [=[tfm::dsl: this op takes a floating-point tensor \[TFM_DTYPE_MISMATCH\].*FloatCheck<tfm::dsl::i64>.*softmax<-1L?, tfm::dsl::Tensor<tfm::dsl::Shape<2, 6>, tfm::dsl::i64>>]=])
tfm_compile_fail_test(softmax_axis EXPECT [=[tfm::dsl::softmax<Axis>\(x\): Axis must be in \[-rank, rank\) \[TFM_BAD_AXIS\].*AxisCheck<tfm::dsl::Shape<2, 6, 4>, 3>]=])
tfm_compile_fail_test(layer_norm_gamma_width EXPECT [=[tfm::dsl::layer_norm\(x, gamma, beta\): gamma must have shape \[x\.shape\[-1\]\] \[TFM_SHAPE_MISMATCH\].*LayerNormCheck<tfm::dsl::Shape<2, 6, 8>, tfm::dsl::Shape<6>, tfm::dsl::Shape<8>,]=])
tfm_compile_fail_test(layer_norm_beta_rank EXPECT [=[tfm::dsl::layer_norm\(x, gamma, beta\): beta must have shape \[x\.shape\[-1\]\] \[TFM_SHAPE_MISMATCH\].*LayerNormCheck<tfm::dsl::Shape<2, 6, 8>, tfm::dsl::Shape<8>, tfm::dsl::Shape<1, 8>,]=])
tfm_compile_fail_test(layer_norm_dtype EXPECT [=[tfm::dsl::layer_norm\(x, gamma, beta\): x, gamma and beta must be floating point of one element type \[TFM_DTYPE_MISMATCH\].*LayerNormCheck<tfm::dsl::Shape<2, 8>, tfm::dsl::Shape<8>, tfm::dsl::Shape<8>, tfm::dsl::f32, tfm::dsl::f64, tfm::dsl::f32>]=])

# embedding
tfm_compile_fail_test(embedding_table_rank EXPECT [=[tfm::dsl::embedding\(table, ids\): table must have shape \[vocab, width\] \[TFM_RANK_MISMATCH\].*EmbeddingCheck<tfm::dsl::Shape<2, 10, 6>,]=])
tfm_compile_fail_test(embedding_table_int EXPECT [=[tfm::dsl::embedding\(table, ids\): table must be floating point \[TFM_DTYPE_MISMATCH\].*EmbeddingCheck<tfm::dsl::Shape<10, 6>, tfm::dsl::i32, tfm::dsl::i32>]=])
tfm_compile_fail_test(embedding_float_ids EXPECT [=[tfm::dsl::embedding\(table, ids\): ids must be integers \(i32 or i64\) \[TFM_DTYPE_MISMATCH\].*EmbeddingCheck<tfm::dsl::Shape<10, 6>, tfm::dsl::f32, tfm::dsl::f32>]=])

# layout
tfm_compile_fail_test(reshape_size EXPECT [=[tfm::dsl::reshape<S>\(x\): S must have as many elements as x \[TFM_SHAPE_MISMATCH\].*ReshapeCheck<tfm::dsl::Shape<2, 6, 4>, tfm::dsl::Shape<2, 25>>]=])
tfm_compile_fail_test(permute_wrong_length EXPECT [=[tfm::dsl::permute<P\.\.\.>\(x\): P must have one entry per dimension of x \[TFM_BAD_PERMUTATION\].*PermuteCheck<tfm::dsl::Shape<2, 6, 4>, 1, 0>]=])
tfm_compile_fail_test(permute_not_permutation EXPECT [=[tfm::dsl::permute<P\.\.\.>\(x\): P must be a permutation of 0\.\.rank-1 \[TFM_BAD_PERMUTATION\].*PermuteCheck<tfm::dsl::Shape<2, 6, 4>, 0, 2, 2>]=])
tfm_compile_fail_test(transpose_rank1 EXPECT [=[tfm::dsl::transpose\(x\): x must have rank >= 2 \[TFM_RANK_MISMATCH\].*transpose<tfm::dsl::Tensor<tfm::dsl::Shape<6>>>]=])
tfm_compile_fail_test(split_heads_not_divisible EXPECT [=[tfm::dsl::split_heads<H>\(x\): H must divide the width x\.shape\[-1\] \[TFM_NOT_DIVISIBLE\].*SplitHeadsCheck<tfm::dsl::Shape<2, 6, 8>, 3>]=])
tfm_compile_fail_test(merge_heads_rank3 EXPECT [=[tfm::dsl::merge_heads\(x\): x must have shape \[batch, heads, seq, head_width\] \[TFM_RANK_MISMATCH\].*MergeHeadsCheck<tfm::dsl::Shape<2, 6, 8>>]=])

# shapes, tensors, functions
tfm_compile_fail_test(shape_zero_dim EXPECT [=[tfm::dsl::Shape<\.\.\.>: every dimension must be positive \[TFM_BAD_SHAPE\].*tfm::dsl::Shape<2, 0, 4>]=])
tfm_compile_fail_test(tensor_not_a_shape EXPECT [=[tfm::dsl::Tensor<S, E>: S must be a tfm::dsl::Shape<\.\.\.> \[TFM_BAD_SHAPE\].*Tensor<std::array<]=])
tfm_compile_fail_test(param_int EXPECT [=[tfm::dsl::Function::param<S, E>: parameters are floating point \[TFM_DTYPE_MISMATCH\].*Function::param<tfm::dsl::Shape<2, 4>, tfm::dsl::i32>]=])
tfm_compile_fail_test(output_not_tensor EXPECT [=[tfm::dsl::Function::output\(name, t\): t must be a tfm::dsl::Tensor \[TFM_NOT_A_TENSOR\].*Function::output<tfm::dsl::detail::Value>]=])
tfm_compile_fail_test(attention_heads EXPECT [=[tfm::dsl::attention<H>\(q, k, v\): H must divide the widths of q and v \[TFM_NOT_DIVISIBLE\].*AttentionCheck<tfm::dsl::Shape<2, 6, 8>, tfm::dsl::Shape<2, 5, 8>, tfm::dsl::Shape<2, 5, 8>, 3>]=])
tfm_compile_fail_test(config_heads_divide_width EXPECT [=[tfm::dsl::TransformerConfig: heads must divide d_model \[TFM_NOT_DIVISIBLE\].*ConfigCheck<TransformerConfig\{41, 6, 4,]=])
tfm_compile_fail_test(config_kv_heads EXPECT [=[tfm::dsl::TransformerConfig: kv_heads must divide heads \[TFM_NOT_DIVISIBLE\].*ConfigCheck<TransformerConfig\{64, 16, 4, 3,]=])
tfm_compile_fail_test(config_rope_odd EXPECT [=[tfm::dsl::TransformerConfig: rotary positions need an even head width d_model / heads \[TFM_NOT_DIVISIBLE\]]=])
tfm_compile_fail_test(sequence_too_long EXPECT [=[tfm::dsl: a sequence must hold 1 to max_len tokens \[TFM_SHAPE_MISMATCH\].*LengthCheck<TransformerConfig\{64, 16, 4, 0, 1, 32, 8,.*, 9>]=])
tfm_compile_fail_test(cross_attention_width EXPECT [=[tfm::dsl::DecoderLayer: cross-attention reads a memory \[batch, source length, d_model\] of the decoder.s width \[TFM_SHAPE_MISMATCH\].*CrossAttentionCheck<tfm::dsl::Shape<1, 5, 8>]=])
tfm_compile_fail_test(mask_lengths_shape EXPECT [=[tfm::dsl::mask<padding>\(scores, lengths\): lengths must be integers of shape \[scores.shape\[0\]\] \[TFM_SHAPE_MISMATCH\].*MaskCheck<tfm::dsl::Shape<2, 4, 6, 6>, tfm::dsl::Shape<3>]=])
tfm_compile_fail_test(mask_padding_without_lengths EXPECT [=[tfm::dsl::mask<Kinds...>\(scores\[, lengths\]\): a padding mask takes the lengths \[batch\] of the sequences, and only a padding mask does \[TFM_BAD_MASK\]]=])
tfm_compile_fail_test(mask_kind EXPECT [=[tfm::dsl::mask<Kinds...>\(scores\): Kinds are tfm::dsl::causal and/or tfm::dsl::padding \[TFM_BAD_MASK\]]=])
tfm_compile_fail_test(residual_shapes EXPECT [=[tfm::dsl::residual\(x, f_x\): x and f_x must have one shape and element type: a residual connection does not broadcast \[TFM_SHAPE_MISMATCH\].*ResidualCheck<tfm::dsl::Tensor<tfm::dsl::Shape<1, 6, 8>>, tfm::dsl::Tensor<tfm::dsl::Shape<1, 6, 1>>>]=])
tfm_compile_fail_test(rope_odd_width EXPECT [=[tfm::dsl::rope\(x\): the width x.shape\[-1\] must be even \[TFM_NOT_DIVISIBLE\].*RopeCheck<tfm::dsl::Shape<1, 4, 6, 5>]=])
tfm_compile_fail_test(slice_bounds EXPECT [=[tfm::dsl::slice<S, Offsets...>\(x\): every offset \+ S.s size must stay within x.s dimension \[TFM_SHAPE_MISMATCH\].*SliceCheck<tfm::dsl::Shape<16, 8>, tfm::dsl::Shape<6, 8>, 12, 0>]=])
tfm_compile_fail_test(rms_norm_gamma EXPECT [=[tfm::dsl::rms_norm\(x, gamma\): gamma must have shape \[x.shape\[-1\]\] \[TFM_SHAPE_MISMATCH\].*RmsNormCheck<tfm::dsl::Shape<1, 6, 8>, tfm::dsl::Shape<6>]=])
tfm_compile_fail_test(cross_entropy_targets_shape EXPECT [=[tfm::dsl::cross_entropy\(logits, targets\): targets must have the shape of logits without its last \(vocabulary\) dimension \[TFM_SHAPE_MISMATCH\]]=])
tfm_compile_fail_test(cross_entropy_float_targets EXPECT [=[tfm::dsl::cross_entropy\(logits, targets\): targets must be token ids \(i32 or i64\) \[TFM_DTYPE_MISMATCH\]]=])
tfm_compile_fail_test(cross_entropy_mask_shape EXPECT [=[tfm::dsl::cross_entropy\(logits, targets, mask\): mask must have the shape of targets \[TFM_SHAPE_MISMATCH\]]=])
tfm_compile_fail_test(minimize_not_scalar EXPECT [=[tfm::dsl::Function::minimize\(name, loss, optimizer\): the loss must be a scalar \[TFM_SHAPE_MISMATCH\]]=])
