#!/usr/bin/env python3
"""Golden float32 runs from PyTorch for internal/train's TestGoldenFloat32
(internal/train/testdata/golden_f32.json, compared to 1e-5 relative, absolute below 1).

Everything is torch.float32, as a PyTorch user trains: the data (the csv values read as
Python floats and rounded once to float32, as optimbench rounds its float64 reading), the
parameters, the gradients, the activations and the optimizers' state. The recorded losses are
float32 losses (.item() of a float32 tensor); optimbench sums its row losses in float64 from
float32 logits, which agrees to about 1e-7 relative.

- linear: full-batch linear regression (MSE) and softmax regression (cross-entropy) from zero
  initialization on regression.csv and classification.csv, as scripts/gen_train_golden.py
  trains them in float64, 12 epochs, with the optimizers of OPTIMIZERS;
- mlp: the 4-8-8-3 MLPs of scripts/gen_mlp_golden.py on mlp.csv, minibatches of 16 in the
  file's order, 8 epochs, from the same init files (the F64 one rounded to float32 on
  loading, the F32 one as it is), with their final parameters;
- rosenbrock: paths from (−1.5, 2) as gen_train_golden.py's, in float32.

Regenerate (from the repository root), after gen_train_golden.py and gen_mlp_golden.py:

    /usr/bin/python3 scripts/gen_train_golden_f32.py
"""
import csv
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_train_golden as g64  # noqa: E402  (make_optimizer, ROSENBROCK)
from gen_mlp_golden import MLP, WIDTHS, BATCH, EPOCHS  # noqa: E402

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)
OUT = g64.OUT
F32 = torch.float32

OPTIMIZERS = {
    "sgd": [{"lr": 0.05}],
    "momentum": [{"lr": 0.02}, {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.05}],
    "nesterov": [{"lr": 0.02}],
    "adagrad": [{"lr": 0.1}],
    "rmsprop": [{"lr": 0.01}, {"lr": 0.005, "rho": 0.9, "momentum": 0.5, "centered": True}],
    "adadelta": [{"lr": 1.0}],
    "adam": [{"lr": 0.05}, {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.01}],
    "amsgrad": [{"lr": 0.05}],
    "adamw": [{"lr": 0.05, "weight_decay": 0.01}],
    "adamax": [{"lr": 0.05}],
}


def read_csv(name, target):
    with open(os.path.join(OUT, name)) as f:
        rows = list(csv.DictReader(f))
    feats = [k for k in rows[0] if k != target]
    X = torch.tensor([[float(r[k]) for k in feats] for r in rows], dtype=F32)
    labels = [r[target] for r in rows]
    try:
        y = torch.tensor([float(v) for v in labels], dtype=F32)
    except ValueError:  # class names: classes in sorted order
        names = sorted(set(labels))
        y = torch.tensor([names.index(v) for v in labels])
    return X, y


def train_linear(X, y, kind, name, hyper, epochs=12):
    out = 1 if kind == "regression" else 3
    lin = torch.nn.Linear(X.shape[1], out)
    torch.nn.init.zeros_(lin.weight)
    torch.nn.init.zeros_(lin.bias)
    opt = g64.make_optimizer(name, lin.parameters(), hyper)

    def loss_fn():
        z = lin(X)
        if kind == "regression":
            return F.mse_loss(z.squeeze(1), y)
        return F.cross_entropy(z, y)

    with torch.no_grad():
        losses = [loss_fn().item()]
    for _ in range(epochs):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        with torch.no_grad():
            losses.append(loss_fn().item())
    return losses


def read_safetensors(path):
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    data = b[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        lo, hi = e["data_offsets"]
        fmt = {"F64": "d", "F32": "f"}[e["dtype"]]
        vals = struct.unpack("<%d%s" % ((hi - lo) // struct.calcsize(fmt), fmt), data[lo:hi])
        out[name] = torch.tensor(vals, dtype=F32).reshape(e["shape"])  # rounded once to float32
    return out


def train_mlp(X, y, activation, init, name, hyper):
    net = MLP(WIDTHS, activation)
    net.load_state_dict(read_safetensors(os.path.join(OUT, init)))
    opt = g64.make_optimizer(name, net.parameters(), hyper)

    def full_loss():
        with torch.no_grad():
            return F.cross_entropy(net(X), y).item()

    losses = [full_loss()]
    for _ in range(EPOCHS):
        for lo in range(0, len(X), BATCH):
            opt.zero_grad()
            F.cross_entropy(net(X[lo:lo + BATCH]), y[lo:lo + BATCH]).backward()
            opt.step()
        losses.append(full_loss())
    params = {k: {"shape": list(v.shape), "data": [float(x) for x in v.flatten().tolist()]}
              for k, v in net.state_dict().items()}
    return losses, params


MLP_RUNS = [
    ("tanh-momentum", "golden_mlp_init_f64.safetensors", "tanh", "momentum", {"lr": 0.1, "momentum": 0.9}),
    ("tanh-adam", "golden_mlp_init_f64.safetensors", "tanh", "adam", {"lr": 0.01}),
    ("relu-adam", "golden_mlp_init_f32.safetensors", "relu", "adam", {"lr": 0.02, "beta2": 0.99, "weight_decay": 0.01}),
    ("relu-rmsprop", "golden_mlp_init_f32.safetensors", "relu", "rmsprop", {"lr": 0.005}),
    ("relu-momentum", "golden_mlp_init_f32.safetensors", "relu", "momentum", {"lr": 0.05, "momentum": 0.9}),
]

PATHS = ("adam", "momentum", "rmsprop", "adagrad")


def rosenbrock_path(name, hyper, steps=60):
    x = torch.tensor([-1.5, 2.0], dtype=F32, requires_grad=True)
    opt = g64.make_optimizer(name, [x], hyper)
    path = [x.detach().tolist()]
    for _ in range(steps):
        opt.zero_grad()
        f = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        f.backward()
        opt.step()
        path.append(x.detach().tolist())
    return path


def main():
    reg = read_csv("regression.csv", "y")
    cls = read_csv("classification.csv", "label")
    linear = []
    for name, variants in OPTIMIZERS.items():
        for i, h in enumerate(variants):
            for kind, (X, y) in (("regression", reg), ("classification", cls)):
                linear.append({"name": f"{name}-{i}-{kind}", "data": kind, "optimizer": name, "hyper": h,
                               "epochs": 12, "train_loss": train_linear(X, y, kind, name, h)})
    Xm, ym = read_csv("mlp.csv", "label")
    ym = ym.long()
    mlps = []
    for run, init, act, name, h in MLP_RUNS:
        losses, params = train_mlp(Xm, ym, act, init, name, h)
        mlps.append({"name": run, "init": init, "hidden": WIDTHS[1:-1], "activation": act, "optimizer": name,
                     "hyper": h, "epochs": EPOCHS, "batch_size": BATCH, "train_loss": losses, "params": params})
    paths = [{"name": f"rosenbrock-{n}", "optimizer": n, "hyper": g64.ROSENBROCK[n], "steps": 60,
              "path": rosenbrock_path(n, g64.ROSENBROCK[n])} for n in PATHS]
    with open(os.path.join(OUT, "golden_f32.json"), "w") as f:
        json.dump({"generator": "scripts/gen_train_golden_f32.py", "torch": torch.__version__, "dtype": "float32",
                   "tolerance": 1e-5, "linear": linear, "mlp": mlps, "rosenbrock": paths}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(linear)} linear runs, {len(mlps)} MLP runs and {len(paths)} paths to {OUT}")


if __name__ == "__main__":
    main()
