#!/usr/bin/python3
"""The PyTorch twin of configs/mnist-mlp.yaml (and, with --hidden 0, of mnist-softmax.yaml).

Used to compare peak memory and speed with optimbench on the same run:

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/time -v /usr/bin/python3 scripts/mnist_torch.py
    /usr/bin/time -v optimbench train --config configs/mnist-mlp.yaml

Same run as the config: float64 (or --dtype float32, as `--set train.dtype=float32`), one thread, 784-256-10 ReLU network (He-normal weights, zero
biases, as optimbench's `init: auto`), softmax cross-entropy, Nesterov momentum (lr 0.1, μ 0.9), batch 128 reshuffled each
epoch, an evaluation over the whole training and test sets before training and after each
epoch (in chunks of 1024 rows). The images stay uint8 in memory and are converted to the dtype
/ 255 per batch, as torchvision's MNIST does per sample. Reads the four IDX files (gzip or raw)
that `optimbench data get mnist` writes; needs only torch and numpy (Debian python3-torch).
"""

import argparse
import gzip
import os
import resource
import struct
import sys
import time

import numpy as np
import torch


def read_idx(path):
    """Reads an IDX file of unsigned bytes (gzip detected from its content)."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    zero, dtype, ndims = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(">" + "I" * ndims, raw[4:4 + 4 * ndims])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndims)
    if data.size != int(np.prod(dims)):
        sys.exit(f"{path}: header declares {dims}, got {data.size} bytes")
    return data.reshape(dims)


def find(folder, name):
    for p in (os.path.join(folder, name + ".gz"), os.path.join(folder, name)):
        if os.path.exists(p):
            return p
    sys.exit(f"{folder}: no {name}[.gz]; fetch it with: optimbench data get mnist")


def load(folder):
    def pair(prefix):
        x = read_idx(find(folder, prefix + "-images-idx3-ubyte"))
        y = read_idx(find(folder, prefix + "-labels-idx1-ubyte"))
        return torch.from_numpy(x.reshape(len(x), -1).copy()), torch.from_numpy(y.astype(np.int64))
    return pair("train"), pair("t10k")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(os.environ.get("OPTIMBENCH_DATA", "data"), "mnist"))
    ap.add_argument("--hidden", type=int, default=256, help="hidden width; 0 = softmax regression")
    ap.add_argument("--optimizer", default="nesterov", choices=["adam", "nesterov"])
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dtype = getattr(torch, a.dtype)
    torch.set_default_dtype(dtype)
    (xtr, ytr), (xte, yte) = load(a.data)

    if a.hidden > 0:
        model = torch.nn.Sequential(torch.nn.Linear(784, a.hidden), torch.nn.ReLU(), torch.nn.Linear(a.hidden, 10))
        for m in model:
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                torch.nn.init.zeros_(m.bias)
    else:
        model = torch.nn.Linear(784, 10)
        torch.nn.init.zeros_(model.weight)
        torch.nn.init.zeros_(model.bias)
    if a.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, nesterov=True)
    loss_fn = torch.nn.CrossEntropyLoss()

    def floats(x):
        return x.to(dtype) / 255

    @torch.no_grad()
    def evaluate(x, y):
        total, correct = 0.0, 0
        for i in range(0, len(x), 1024):
            out = model(floats(x[i:i + 1024]))
            total += torch.nn.functional.cross_entropy(out, y[i:i + 1024], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + 1024]).sum().item()
        return total / len(x), correct / len(x)

    start = time.time()

    def report(epoch):
        trl, tra = evaluate(xtr, ytr)
        tel, tea = evaluate(xte, yte)
        print(f"epoch {epoch}/{a.epochs}  train_loss {trl:.5g}  train_acc {tra:.4f}  "
              f"test_loss {tel:.5g}  test_acc {tea:.4f}  seconds {time.time() - start:.2f}", flush=True)

    report(0)
    n = len(xtr)
    for epoch in range(1, a.epochs + 1):
        perm = torch.randperm(n)
        for i in range(0, n, a.batch):
            idx = perm[i:i + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(floats(xtr[idx])), ytr[idx])
            loss.backward()
            opt.step()
        report(epoch)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS {rss / 1024:.1f} MB, wall {time.time() - start:.2f} s of training and evaluation")


if __name__ == "__main__":
    main()
