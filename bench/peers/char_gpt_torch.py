"""The PyTorch peer of examples/char_gpt, end to end: the same model (the
decoder-only model of train_torch.py at char_gpt's sizes: vocabulary 128,
context 64, d_model 64, 4 heads, 2 layers, d_ff 256), the same data (random
64-character windows of the corpus, batch 16), the same schedule (AdamW,
betas (0.9, 0.99), weight decay 0.01, lr 3e-3 warmed up over 10% of the
steps then decayed by a cosine to a tenth, 600 steps), then 200 characters
sampled with temperature 0.8 and top-k 10 from "This License", in eager
mode. What bench/run_compile.sh times is the whole process, from Python's
start (importing torch included) to its exit, as it times char_gpt's.

    char_gpt_torch.py THREADS [--steps N] [--corpus FILE]

Prints the loss every tenth of the steps and the final loss (the mean of
the last 20 steps), as char_gpt does.
"""
import argparse
import math
import random

import torch
import torch.nn.functional as F

from train_torch import DecoderOnly

VOCAB, CONTEXT, BATCH = 128, 64, 16
D_MODEL, HEADS, LAYERS, D_FF = 64, 4, 2, 256


class Logits(DecoderOnly):
    def logits(self, ids):
        x = self.embedding[ids] + self.positions[: ids.shape[1]]
        for layer in self.layers:
            x = layer(x)
        return self.norm(x) @ self.embedding.t()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("threads", type=int)
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--corpus", default="/usr/share/common-licenses/GPL-3")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    text = open(a.corpus, "rb").read()
    data = torch.tensor([c if c < VOCAB else ord("?") for c in text], dtype=torch.long)

    torch.manual_seed(1)
    random.seed(1)
    model = Logits(CONTEXT, VOCAB, D_MODEL, HEADS, LAYERS, D_FF)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, betas=(0.9, 0.99), eps=1e-8,
                            weight_decay=0.01)
    warm = max(1.0, 0.1 * a.steps)
    losses = []
    for s in range(1, a.steps + 1):
        starts = [random.randrange(0, len(data) - CONTEXT - 1) for _ in range(BATCH)]
        ids = torch.stack([data[i:i + CONTEXT] for i in starts])
        nxt = torch.stack([data[i + 1:i + CONTEXT + 1] for i in starts])
        lr = 3e-3 * (s / warm if s < warm else
                     0.1 + 0.45 * (1 + math.cos(math.pi * (s - warm) / (a.steps - warm + 1))))
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss = model(ids, nxt)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if s % max(1, a.steps // 10) == 0 or s == a.steps:
            print(f"  step {s:4d}/{a.steps}  loss {losses[-1]:.4f}  lr {lr:.2e}")
    tail = losses[-20:]
    print(f"final loss (mean of the last {len(tail)} steps) {sum(tail) / len(tail):.4f} nats")

    # 200 characters, each from the logits of the last 64.
    tokens = list(b"This License")
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _ in range(200):
            window = torch.tensor([tokens[-CONTEXT:]])
            logits = model.logits(window)[0, -1] / 0.8
            top = torch.topk(logits, 10)
            pick = torch.multinomial(F.softmax(top.values, -1), 1, generator=g)
            tokens.append(int(top.indices[pick]))
    print(bytes(tokens).decode("ascii", "replace"))


if __name__ == "__main__":
    main()
