#!/usr/bin/env python3
"""Held-out end-to-end runs of the PyTorch-1.13 zoo for internal/train's tests:
internal/train/testdata/golden_train_torchzoo.json, compared to 1e-6 ("tolerance").

Full-batch linear regression (MSE) and softmax regression (cross-entropy) from zero
initialization on the csv files of internal/train/testdata (read here, not rewritten), and
paths on Rosenbrock from (-1.5, 2), with radam, rprop, asgd and momentum with dampening (and
adamw's amsgrad, nadam's decoupled weight decay), at hyperparameters that the 1e-9 optimizer
goldens (scripts/gen_optim_golden_torchzoo.py) do not use, some under a schedule. The Go test
replays each case through train.Setup/Execute (metrics.csv, trajectory.csv) without PyTorch.

Regenerate (from the repository root):

    apt-get install -y python3-torch        # Debian's PyTorch 1.13
    /usr/bin/python3 scripts/gen_train_golden_torchzoo.py

References: the optimizers of scripts/gen_optim_golden_torchzoo.py (imported): torch.optim.RAdam,
Rprop, ASGD, SGD(dampening) and AdamW(amsgrad) of the installed PyTorch 1.13, and transcriptions
of PyTorch 2.x's _single_tensor_radam and _single_tensor_nadam for decoupled_weight_decay, which
1.13 lacks. The schedules are torch.optim.lr_scheduler's, through scripts/gen_train_golden.py's
make_scheduler. Rprop runs at a constant rate only (PyTorch's Rprop ignores a schedule; optimbench
scales its moves by lr/lr0).

Rprop has no softmax-regression run: from zero weights with balanced classes the bias gradient
is zero in exact arithmetic, and each implementation's rounding leaves it at +-3e-17 or 0, whose
sign Rprop turns into a move of a whole step size and a choice of eta_plus, eta_minus or 1 at
the next step. Such a run is not reproducible across implementations at any tolerance; Rprop's
runs are regression (no zero gradient) and Rosenbrock.
"""
import csv
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_optim_golden_torchzoo as zoo  # noqa: E402  (make_optimizer, and torch in float64)
import gen_train_golden as train_base  # noqa: E402  (make_scheduler)

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "internal", "train", "testdata")
OUT = os.path.join(DATA, "golden_train_torchzoo.json")

# Each optimizer's keys at their defaults, so that a case names every hyperparameter.
DEFAULTS = {**zoo.DEFAULTS,
            "momentum": {"lr": 0.001, "momentum": 0.9, "weight_decay": 0.0, "dampening": 0.0}}

# Held out: none of these settings appears in the 1e-9 goldens.
RUNS = {
    "radam": [{"lr": 0.03, "beta1": 0.85, "beta2": 0.98},
              {"lr": 0.02, "eps": 1e-7, "weight_decay": 0.05, "decoupled_weight_decay": True}],
    "rprop": [{"lr": 0.03},
              {"lr": 0.02, "eta_minus": 0.4, "eta_plus": 1.3, "step_min": 1e-4, "step_max": 0.5}],
    "asgd": [{"lr": 0.03, "lambd": 0.05, "alpha": 0.9, "t0": 3.0},
             {"lr": 0.04, "lambd": 0.2, "weight_decay": 0.02}],
    "momentum": [{"lr": 0.02, "dampening": 0.4},
                 {"lr": 0.015, "momentum": 0.8, "dampening": 0.9, "weight_decay": 0.02}],
    "adamw": [{"lr": 0.04, "beta2": 0.7, "weight_decay": 0.05, "amsgrad": True}],
    "nadam": [{"lr": 0.03, "weight_decay": 0.2, "decoupled_weight_decay": True}],
}

SCHEDULED = [
    ("asgd", {"lr": 0.05, "lambd": 0.1}, {"name": "exponential", "k": 0.15}),
    ("radam", {"lr": 0.05, "beta2": 0.95}, {"name": "cosine", "period": 16, "min_lr": 0.002}),
    ("momentum", {"lr": 0.03, "dampening": 0.6}, {"name": "step", "factor": 0.5, "every": 4}),
]

ROSENBROCK = {
    "radam": {"lr": 0.002, "beta2": 0.99},
    "rprop": {"lr": 0.005, "eta_plus": 1.1},
    "asgd": {"lr": 0.0003, "lambd": 0.01},
    "momentum": {"lr": 0.0002, "momentum": 0.8, "dampening": 0.5},
}


def read_csv(name, target):
    with open(os.path.join(DATA, name), newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    j = header.index(target)
    X = torch.tensor([[float(v) for i, v in enumerate(r) if i != j] for r in rows])
    labels = [r[j] for r in rows]
    return X, labels


def datasets():
    Xr, yr = read_csv("regression.csv", "y")
    Xc, labels = read_csv("classification.csv", "label")
    classes = sorted(set(labels))  # string labels: classes in sorted order, as optimbench reads them
    yc = torch.tensor([classes.index(v) for v in labels])
    return (Xr, torch.tensor([float(v) for v in yr])), (Xc, yc)


def full(name, h):
    return {**DEFAULTS[name], **h}


def train_linear(X, y, kind, name, hyper, sched, epochs):
    """scripts/gen_train_golden.py's train_linear with the zoo's optimizers."""
    out = 1 if kind == "regression" else 3
    lin = torch.nn.Linear(X.shape[1], out)
    torch.nn.init.zeros_(lin.weight)
    torch.nn.init.zeros_(lin.bias)
    opt = zoo.make_optimizer(name, full(name, hyper), list(lin.parameters()))
    sch = train_base.make_scheduler(opt, sched, hyper["lr"])

    def loss_fn():
        z = lin(X)
        if kind == "regression":
            return torch.nn.functional.mse_loss(z.squeeze(1), y)
        return torch.nn.functional.cross_entropy(z, y)

    with torch.no_grad():
        losses = [loss_fn().item()]
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        lr = opt.param_groups[0]["lr"]
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        if sch is not None:
            sch.step()
        with torch.no_grad():
            losses.append(loss_fn().item())
        lrs.append(lr)
    return losses, lrs


def rosenbrock_path(name, hyper, steps):
    x = torch.tensor([-1.5, 2.0], requires_grad=True)
    opt = zoo.make_optimizer(name, full(name, hyper), [x])
    path = [x.detach().tolist()]
    for _ in range(steps):
        opt.zero_grad()
        f = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        f.backward()
        opt.step()
        path.append(x.detach().tolist())
    return path


def main():
    (Xr, yr), (Xc, yc) = datasets()
    constant = {"name": "constant"}
    cases = []
    for name, variants in RUNS.items():
        for i, h in enumerate(variants):
            for kind, X, y in (("regression", Xr, yr), ("classification", Xc, yc)):
                if name == "rprop" and kind == "classification":
                    continue
                losses, lrs = train_linear(X, y, kind, name, h, constant, 12)
                cases.append({"name": f"{name}-{i}-{kind}", "data": kind, "optimizer": name,
                              "hyper": h, "schedule": constant, "epochs": 12,
                              "train_loss": losses, "lr": lrs})
    for name, h, s in SCHEDULED:
        for kind, X, y in (("regression", Xr, yr), ("classification", Xc, yc)):
            losses, lrs = train_linear(X, y, kind, name, h, s, 16)
            cases.append({"name": f"{s['name']}-{name}-{kind}", "data": kind, "optimizer": name,
                          "hyper": h, "schedule": s, "epochs": 16, "train_loss": losses, "lr": lrs})
    paths = []
    for name, h in ROSENBROCK.items():
        path = rosenbrock_path(name, h, 60)
        assert all(abs(v) < 10 for p in path for v in p), (name, path[-1])
        paths.append({"name": f"rosenbrock-{name}", "optimizer": name, "hyper": h,
                      "schedule": constant, "steps": 60, "path": path})
    with open(OUT, "w") as f:
        json.dump({"generator": "scripts/gen_train_golden_torchzoo.py", "torch": torch.__version__,
                   "tolerance": 1e-6, "runs": cases, "rosenbrock": paths}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} runs and {len(paths)} Rosenbrock paths to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
