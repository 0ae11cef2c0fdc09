"""PyTorch peers of the training benchmark (bench/train/train_bench.cpp): one
training step -- forward, cross-entropy, backward, AdamW -- of the same two
models, layer for layer, in eager mode and under torch.compile (Inductor,
the model's forward and backward and the optimizer step both compiled).

The model (bench/train/models.hpp): token embedding plus learned positions;
per layer, pre-norm layer norm, separate q, k, v linear layers with biases,
causal scaled_dot_product_attention (PyTorch's CPU flash-attention kernel,
forward and backward), output linear, residual; layer norm, linear, tanh
GELU, linear, residual; a final layer norm and the head tied to the
embedding table. AdamW(lr 3e-4, betas (0.9, 0.999), eps 1e-8, weight decay
0.01) on every parameter. Weights N(0, 0.02), biases 0, norm gains 1.

    train_torch.py THREADS [eager|compile ...]

Prints JSON: {torch, threads, results: [{peer, model, ms, tokens_per_s,
loss, split?}]}, ms the median step time. For eager, "split" is the share of
the profiled operator time in matmuls (aten::mm, addmm, bmm), in attention
(the scaled_dot_product flash kernels, forward and backward) and the rest.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from train_models import MODELS


class Layer(nn.Module):
    def __init__(self, d, heads, d_ff):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm3 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.up, self.down = nn.Linear(d, d_ff), nn.Linear(d_ff, d)

    def forward(self, x):
        b, t, d = x.shape
        a = self.norm1(x)
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        ctx = F.scaled_dot_product_attention(split(self.q(a)), split(self.k(a)), split(self.v(a)),
                                             is_causal=True)
        x = x + self.o(ctx.transpose(1, 2).reshape(b, t, d))
        return x + self.down(F.gelu(self.up(self.norm3(x)), approximate="tanh"))


class DecoderOnly(nn.Module):
    def __init__(self, seq, vocab, d, heads, layers, d_ff):
        super().__init__()
        self.embedding = nn.Parameter(torch.randn(vocab, d) * 0.02)
        self.positions = nn.Parameter(torch.randn(seq, d) * 0.02)
        self.layers = nn.ModuleList(Layer(d, heads, d_ff) for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, ids, labels):
        x = self.embedding[ids] + self.positions[: ids.shape[1]]
        for layer in self.layers:
            x = layer(x)
        logits = self.norm(x) @ self.embedding.t()
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1))


def build(name, compiled):
    batch, seq, vocab, d, heads, layers, d_ff = MODELS[name]
    torch.manual_seed(0)
    model = DecoderOnly(seq, vocab, d, heads, layers, d_ff)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    ids = torch.randint(0, vocab, (batch, seq))
    labels = torch.randint(0, vocab, (batch, seq))
    loss_fn = torch.compile(model) if compiled else model
    opt_step = torch.compile(opt.step) if compiled else opt.step

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(ids, labels)
        loss.backward()
        opt_step()
        return loss

    return step, batch * seq


def split_of(step):
    """Shares of profiled operator self time: matmuls, attention, rest."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(3):
            step()
    buckets = {"matmuls": 0.0, "attention": 0.0, "rest": 0.0}
    for e in prof.key_averages():
        name = e.key
        if name in ("aten::mm", "aten::addmm", "aten::bmm"):
            buckets["matmuls"] += e.self_cpu_time_total
        elif "scaled_dot_product" in name or "flash_attention" in name:
            buckets["attention"] += e.self_cpu_time_total
        elif name.startswith("aten::") or name.startswith("Optimizer"):
            buckets["rest"] += e.self_cpu_time_total
    total = sum(buckets.values())
    return {k: v / total for k, v in buckets.items()}


def main():
    threads = int(sys.argv[1])
    peers = sys.argv[2:] or ["eager", "compile"]
    torch.set_num_threads(threads)
    results = []
    for peer in peers:
        for name in MODELS:
            step, tokens = build(name, peer == "compile")
            t0 = time.perf_counter()
            step()  # compiles under torch.compile
            first_s = time.perf_counter() - t0
            for _ in range(2):
                step()
            times = []
            deadline = time.perf_counter() + 10.0
            while len(times) < 5 or time.perf_counter() < deadline:
                t0 = time.perf_counter()
                loss = step()
                times.append(time.perf_counter() - t0)
            ms = statistics.median(times) * 1e3
            r = {"peer": "pytorch_" + peer, "model": name, "threads": threads, "ms": ms,
                 "tokens_per_s": tokens / ms * 1e3, "loss": loss.item(), "steps": len(times),
                 "first_step_s": first_s}
            if peer == "eager":
                r["split"] = split_of(step)
            results.append(r)
            print(json.dumps(r), file=sys.stderr)
    json.dump({"torch": torch.__version__, "threads": threads, "results": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
