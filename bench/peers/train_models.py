"""The training benchmark's two models as the Python peers and the report
see them, the same sizes as bench/train/models.hpp: name -> (batch, seq,
vocab, d_model, heads, layers, d_ff)."""
MODELS = {
    "small": (8, 256, 256, 256, 4, 4, 1024),
    "gpt2_block": (4, 512, 256, 768, 12, 1, 3072),
}
