#!/usr/bin/env python3
"""PyTorch side of `optimbench bench`: times the same training steps as optimbench.

Trains the anchor models of internal/bench (same names, shapes, batch sizes, dtype float64,
one thread, optimizers and learning rates) and prints one JSON object per line:

    {"kind": "info", "torch": "1.13.0", "blas_core": "SkylakeX", "import_s": 1.4, ...}
    {"kind": "result", "model": "mlp256", "optimizer": "adam", "batch": 128, "steps": 400,
     "seconds": 1.2, "samples_per_s": 42000.0, "step_us": 3000.0, "loss": 2.3}
    {"kind": "end", "maxrss_kb": 250000}

A timed step is a full training step: the next minibatch of a shuffled permutation (a new
permutation each epoch, last batch smaller as with drop_last=False), its rows gathered with
index_select, zero_grad, forward, loss, backward and the optimizer's step.

With --serve it reads the cases as JSON lines on stdin instead, {"model": "mlp256",
"optimizer": "adam", "steps": 400}, and answers each with its result line: `optimbench bench`
runs it that way, timing each case in Go and then in PyTorch, side by side.

Run by `optimbench bench`, which sets OPENBLAS_CORETYPE (Debian's OpenBLAS 0.3.21 falls back to
slow kernels on CPUs it does not know) and the thread variables. By hand, from the repository
root:

    OPENBLAS_CORETYPE=SkylakeX OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
        /usr/bin/python3 scripts/bench_torch.py --models mlp256 --steps 400

Exit status 3 when torch cannot be imported.
"""
import argparse
import ctypes
import gzip
import json
import os
import resource
import struct
import sys
import time

T0 = time.perf_counter()
try:
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover
    print(json.dumps({"kind": "error", "error": "cannot import torch: %s" % e}), flush=True)
    sys.exit(3)
IMPORT_S = time.perf_counter() - T0

# name: (input features, hidden widths, classes (0 = mse with 1 output), activation, batch, steps)
MODELS = {
    "softmax": (784, [], 10, "relu", 128, 3000),
    "mlp256": (784, [256], 10, "relu", 128, 400),
    "mlp1000": (784, [1000, 1000], 10, "relu", 128, 40),
    "tiny": (2, [16], 0, "tanh", 32, 3200),
    "2c2d": (784, "2c2d", 10, "relu", 128, 20),  # DeepOBS's fmnist_2c2d (internal/bench/net.go)
}
DTYPE = torch.float64  # --dtype
LR = {"momentum": 0.01, "adam": 0.001}


def blas_core():
    """The OpenBLAS core torch's BLAS runs, when that BLAS is OpenBLAS."""
    for name in ("libblas.so.3", "libopenblas.so.0"):
        try:
            lib = ctypes.CDLL(name)
            f = lib.openblas_get_corename
        except (OSError, AttributeError):
            continue
        f.restype = ctypes.c_char_p
        return f().decode()
    return ""


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, kind, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or kind != 0x08:
        raise ValueError("%s: not an IDX file of unsigned bytes" % path)
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    t = torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8)
    return t.reshape(dims)


def find(folder, stem):
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(os.path.join(folder, stem))


def mnist(folder):
    x = read_idx(find(folder, "train-images-idx3-ubyte"))
    y = read_idx(find(folder, "train-labels-idx1-ubyte"))
    return x.reshape(x.shape[0], -1).to(DTYPE) / 255.0, y.to(torch.int64)


def dataset(name, rows, mnist_dir, gen):
    d, _, classes, _, _, _ = MODELS[name]
    if classes == 0:
        x = torch.randn(rows, d, generator=gen, dtype=DTYPE)
        return x, torch.sin(x[:, 0]) * x[:, 1]
    if mnist_dir:
        return mnist(mnist_dir)
    x = torch.rand(rows, d, generator=gen, dtype=DTYPE)
    return x, torch.randint(0, classes, (rows,), generator=gen)


def network(name):
    d, hidden, classes, act, _, _ = MODELS[name]
    if hidden == "2c2d":
        nn = torch.nn
        return nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(64 * 7 * 7, 1024), nn.ReLU(), nn.Linear(1024, classes))
    layers, w = [], d
    for h in hidden:
        layers += [torch.nn.Linear(w, h), torch.nn.ReLU() if act == "relu" else torch.nn.Tanh()]
        w = h
    layers.append(torch.nn.Linear(w, classes or 1))
    return torch.nn.Sequential(*layers)


def time_case(name, opt_name, steps, x, y, gen):
    _, _, classes, _, batch, _ = MODELS[name]
    net = network(name)
    if opt_name == "momentum":
        opt = torch.optim.SGD(net.parameters(), lr=LR[opt_name], momentum=0.9)
    elif opt_name == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=LR[opt_name])
    else:
        raise ValueError("unknown optimizer %r" % opt_name)
    n = x.shape[0]
    batch = min(batch, n)
    state = {"perm": torch.randperm(n, generator=gen), "pos": 0}

    def step():
        if state["pos"] >= n:
            state["perm"], state["pos"] = torch.randperm(n, generator=gen), 0
        idx = state["perm"][state["pos"]:state["pos"] + batch]
        state["pos"] += batch
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        opt.zero_grad(set_to_none=True)
        out = net(xb)
        loss = F.cross_entropy(out, yb) if classes else F.mse_loss(out.squeeze(1), yb)
        loss.backward()
        opt.step()
        return loss

    for _ in range(max(2, steps // 10)):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        loss = step()
    sec = time.perf_counter() - t
    return {"kind": "result", "model": name, "optimizer": opt_name, "batch": batch, "steps": steps,
            "seconds": sec, "samples_per_s": steps * batch / sec, "step_us": sec / steps * 1e6,
            "loss": float(loss)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--optimizers", default="momentum,adam")
    ap.add_argument("--steps", default="", help="one count for all models, or one per model (comma list)")
    ap.add_argument("--rows", type=int, default=10000, help="rows of random MNIST-shaped data")
    ap.add_argument("--tiny-rows", type=int, default=320)
    ap.add_argument("--mnist", default="", help="folder with the MNIST IDX files (default: random data)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--serve", action="store_true", help="read cases as JSON lines from stdin")
    a = ap.parse_args()

    global DTYPE
    DTYPE = getattr(torch, a.dtype)
    torch.set_default_dtype(DTYPE)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    names = [m for m in a.models.split(",") if m]
    for m in names:
        if m not in MODELS:
            ap.error("unknown model %r (want %s)" % (m, ", ".join(MODELS)))
    steps = [int(s) for s in a.steps.split(",") if s]
    if len(steps) == 1:
        steps = steps * len(names)
    elif not steps:
        steps = [MODELS[m][5] for m in names]
    elif len(steps) != len(names):
        ap.error("--steps: %d counts for %d models" % (len(steps), len(names)))

    print(json.dumps({"kind": "info", "torch": torch.__version__, "dtype": a.dtype, "blas_core": blas_core(),
                      "threads": torch.get_num_threads(),
                      "blas_threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0") or 0),
                      "import_s": IMPORT_S,
                      "data": "mnist" if a.mnist else "random",
                      "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "")}), flush=True)
    cache = {}

    def run(m, o, s):
        key = "tiny" if MODELS[m][2] == 0 else "mnist"
        if key not in cache:
            rows = a.tiny_rows if key == "tiny" else a.rows
            cache[key] = dataset(m, rows, "" if key == "tiny" else a.mnist, gen)
        x, y = cache[key]
        print(json.dumps(time_case(m, o, s, x, y, gen)), flush=True)

    if a.serve:
        # One request per line, {"model": ..., "optimizer": ..., "steps": ...}, until end of input:
        # optimbench times each case right before asking for it, so that both run in the same
        # moment of a shared, noisy machine.
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                if req["model"] not in MODELS:
                    raise ValueError("unknown model %r" % req["model"])
                run(req["model"], req["optimizer"], int(req["steps"]))
            except (ValueError, KeyError, TypeError) as e:
                print(json.dumps({"kind": "error", "error": "request %s: %s" % (line.strip(), e)}), flush=True)
    else:
        for m, s in zip(names, steps):
            for o in a.optimizers.split(","):
                if o:
                    run(m, o, s)
    print(json.dumps({"kind": "end", "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), flush=True)


if __name__ == "__main__":
    main()
