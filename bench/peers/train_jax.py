"""JAX peer of the training benchmark (bench/train/train_bench.cpp): one
training step -- forward, cross-entropy, backward, AdamW -- of the same two
models as bench/peers/train_torch.py, layer for layer, as one jax.jit
function (XLA on the CPU). Attention is jax.nn.dot_product_attention with
is_causal; AdamW is written out (PyTorch's rule: decoupled weight decay
lr * wd * p, bias-corrected moments).

    taskset -c 0[,1] train_jax.py THREADS

XLA sizes its thread pool to the CPUs the process may run on, so the
caller pins it with taskset. Prints JSON: {jax, threads, results: [{peer,
model, ms, tokens_per_s, loss}]}, ms the median step time.
"""
import json
import statistics
import sys
import time

import jax
import jax.numpy as jnp

from train_models import MODELS


def init(key, seq, vocab, d, layers, d_ff):
    keys = iter(jax.random.split(key, 2 + 6 * layers))
    normal = lambda *shape: 0.02 * jax.random.normal(next(keys), shape, jnp.float32)
    linear = lambda n_in, n_out: {"w": normal(n_in, n_out), "b": jnp.zeros(n_out)}
    norm = lambda: {"gamma": jnp.ones(d), "beta": jnp.zeros(d)}
    return {
        "embedding": normal(vocab, d),
        "positions": normal(seq, d),
        "layers": [{"norm1": norm(), "q": linear(d, d), "k": linear(d, d), "v": linear(d, d),
                    "o": linear(d, d), "norm3": norm(), "up": linear(d, d_ff), "down": linear(d_ff, d)}
                   for _ in range(layers)],
        "norm": norm(),
    }


def layer_norm(x, p):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + 1e-5) * p["gamma"] + p["beta"]


def loss_fn(params, ids, labels, heads):
    lin = lambda x, p: x @ p["w"] + p["b"]
    b, t = ids.shape
    x = params["embedding"][ids] + params["positions"][:t]
    d = x.shape[-1]
    for p in params["layers"]:
        a = layer_norm(x, p["norm1"])
        split = lambda y: y.reshape(b, t, heads, d // heads)  # [B, T, N, H] as jax wants
        ctx = jax.nn.dot_product_attention(split(lin(a, p["q"])), split(lin(a, p["k"])),
                                           split(lin(a, p["v"])), is_causal=True)
        x = x + lin(ctx.reshape(b, t, d), p["o"])
        x = x + lin(jax.nn.gelu(lin(layer_norm(x, p["norm3"]), p["up"]), approximate=True), p["down"])
    logits = layer_norm(x, params["norm"]) @ params["embedding"].T
    logp = jax.nn.log_softmax(logits)
    return -jnp.take_along_axis(logp, labels[..., None], axis=-1).mean()


def make_step(heads, lr=3e-4, b1=0.9, b2=0.999, eps=1e-8, wd=0.01):
    @jax.jit
    def step(params, m, v, count, ids, labels):
        loss, grads = jax.value_and_grad(loss_fn)(params, ids, labels, heads)
        count = count + 1
        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
        c1, c2 = 1 - b1 ** count, 1 - b2 ** count

        def update(p, m, v):
            return p * (1 - lr * wd) - lr * (m / c1) / (jnp.sqrt(v / c2) + eps)

        return jax.tree.map(update, params, m, v), m, v, count, loss

    return step


def main():
    threads = int(sys.argv[1])
    results = []
    for name, (batch, seq, vocab, d, heads, layers, d_ff) in MODELS.items():
        key = jax.random.PRNGKey(0)
        params = init(key, seq, vocab, d, layers, d_ff)
        m = jax.tree.map(jnp.zeros_like, params)
        v = jax.tree.map(jnp.zeros_like, params)
        count = jnp.zeros((), jnp.float32)
        ids = jax.random.randint(jax.random.PRNGKey(1), (batch, seq), 0, vocab)
        labels = jax.random.randint(jax.random.PRNGKey(2), (batch, seq), 0, vocab)
        step = make_step(heads)
        t0 = time.perf_counter()
        params, m, v, count, loss = jax.block_until_ready(step(params, m, v, count, ids, labels))
        first_s = time.perf_counter() - t0
        for _ in range(2):
            params, m, v, count, loss = jax.block_until_ready(step(params, m, v, count, ids, labels))
        times = []
        deadline = time.perf_counter() + 10.0
        while len(times) < 5 or time.perf_counter() < deadline:
            t0 = time.perf_counter()
            params, m, v, count, loss = jax.block_until_ready(step(params, m, v, count, ids, labels))
            times.append(time.perf_counter() - t0)
        ms = statistics.median(times) * 1e3
        results.append({"peer": "jax_jit", "model": name, "threads": threads, "ms": ms,
                        "tokens_per_s": batch * seq / ms * 1e3, "loss": float(loss), "steps": len(times),
                        "first_step_s": first_s})
        print(json.dumps(results[-1]), file=sys.stderr)
    json.dump({"jax": jax.__version__, "threads": threads, "results": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
