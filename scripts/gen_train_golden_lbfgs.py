#!/usr/bin/env python3
"""Held-out whole L-BFGS runs from PyTorch for internal/train's tests.

Writes internal/train/testdata/golden_train_lbfgs.json in the schema of golden_train.json
(scripts/gen_train_golden.py; read by internal/train/golden_test.go): full-batch linear
regression (MSE) and softmax regression (cross-entropy) from zero initialization on the csv
files beside it, one torch.optim.LBFGS step(closure) per epoch, recording the per-epoch full
training loss and learning rate as `optimbench train` writes them to metrics.csv; and L-BFGS
paths on Rosenbrock from (-1.5, 2) (trajectory.csv). The hyperparameters are held out: none of
them is a setting of scripts/gen_lbfgs_golden.py, whose 1e-9 goldens check the optimizer alone.
The Go test replays each run through train.Setup/Execute, so the whole loop (the closure over
the minibatch, the schedule's rate, the evaluations) is checked, to the file's "tolerance" of
1e-6 relative: L-BFGS carries the last-bit differences between PyTorch's and optimbench's loss
and gradient further than the first-order methods do.

Regenerate (from the repository root):

    apt-get install -y python3-torch        # Debian's PyTorch 1.13
    /usr/bin/python3 scripts/gen_train_golden_lbfgs.py

Reference: torch.optim.LBFGS of PyTorch 1.13 (torch/optim/lbfgs.py, tag v1.13.1 of
github.com/pytorch/pytorch), float64, one thread, OpenBLAS on one thread. The csv files are read,
not written (scripts/gen_train_golden.py writes them).
"""
import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"

import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_train_golden import make_scheduler  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "internal", "train", "testdata")
EPOCHS = 8

# optimbench's keys; line_search "none" is line_search_fn None, and an absent max_eval is
# PyTorch's None (max_iter * 5 // 4).
RUNS = [
    {"lr": 0.8, "history_size": 5, "max_iter": 8},
    {"lr": 1.0, "line_search": "strong_wolfe", "history_size": 10, "max_iter": 12},
    {"lr": 0.5, "line_search": "strong_wolfe", "tolerance_change": 1e-6, "max_eval": 15,
     "max_iter": 16},
]
SCHEDULED = ({"lr": 0.9, "history_size": 4, "max_iter": 6}, {"name": "exponential", "k": 0.2})
ROSENBROCK = [
    ({"lr": 1.0, "line_search": "strong_wolfe", "history_size": 7}, 8),
    ({"lr": 0.15, "max_iter": 5, "history_size": 4}, 12),
]


def make_lbfgs(params, h):
    ls = h.get("line_search", "none")
    return torch.optim.LBFGS(params, lr=h["lr"], max_iter=h.get("max_iter", 20),
                             max_eval=h.get("max_eval"),
                             tolerance_grad=h.get("tolerance_grad", 1e-7),
                             tolerance_change=h.get("tolerance_change", 1e-9),
                             history_size=h.get("history_size", 100),
                             line_search_fn=None if ls == "none" else ls)


def read_csv(name, target):
    with open(os.path.join(DATA, name)) as f:
        rows = list(csv.DictReader(f))
    features = [k for k in rows[0] if k != target]
    x = torch.tensor([[float(r[k]) for k in features] for r in rows])
    if target == "y":
        return x, torch.tensor([float(r[target]) for r in rows])
    classes = sorted({r[target] for r in rows})  # string labels: classes in sorted order
    return x, torch.tensor([classes.index(r[target]) for r in rows])


def train_linear(X, y, kind, hyper, sched, epochs):
    out = 1 if kind == "regression" else 3
    lin = torch.nn.Linear(X.shape[1], out)
    torch.nn.init.zeros_(lin.weight)
    torch.nn.init.zeros_(lin.bias)
    opt = make_lbfgs(lin.parameters(), hyper)
    sch = make_scheduler(opt, sched, hyper["lr"])

    def loss_fn():
        z = lin(X)
        if kind == "regression":
            return torch.nn.functional.mse_loss(z.squeeze(1), y)
        return torch.nn.functional.cross_entropy(z, y)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    with torch.no_grad():
        losses = [loss_fn().item()]
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        lr = opt.param_groups[0]["lr"]
        opt.step(closure)
        if sch is not None:
            sch.step()
        with torch.no_grad():
            losses.append(loss_fn().item())
        lrs.append(lr)
    assert all(math.isfinite(v) for v in losses), (kind, hyper)
    return losses, lrs


def rosenbrock_path(hyper, steps):
    x = torch.tensor([-1.5, 2.0], requires_grad=True)
    opt = make_lbfgs([x], hyper)

    def closure():
        opt.zero_grad()
        f = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        f.backward()
        return f

    path = [x.detach().tolist()]
    for _ in range(steps):
        opt.step(closure)
        path.append(x.detach().tolist())
    return path


def main():
    data = {"regression": read_csv("regression.csv", "y"),
            "classification": read_csv("classification.csv", "label")}
    cases = []
    runs = [(h, {"name": "constant"}) for h in RUNS] + [SCHEDULED]
    for i, (h, sched) in enumerate(runs):
        for kind, (X, y) in data.items():
            losses, lrs = train_linear(X, y, kind, h, sched, EPOCHS)
            cases.append({"name": f"lbfgs-{i}-{kind}", "data": kind, "optimizer": "lbfgs",
                          "hyper": h, "schedule": sched, "epochs": EPOCHS,
                          "train_loss": losses, "lr": lrs})
            print(f"{cases[-1]['name']:28s} loss {losses[0]:.4g} -> {losses[-1]:.4g}",
                  file=sys.stderr)
    paths = []
    for i, (h, steps) in enumerate(ROSENBROCK):
        path = rosenbrock_path(h, steps)
        paths.append({"name": f"rosenbrock-lbfgs-{i}", "optimizer": "lbfgs", "hyper": h,
                      "steps": steps, "path": path})
        print(f"{paths[-1]['name']:28s} -> {path[-1]}", file=sys.stderr)
    out = os.path.join(DATA, "golden_train_lbfgs.json")
    with open(out, "w") as f:
        json.dump({"generator": "scripts/gen_train_golden_lbfgs.py", "torch": torch.__version__,
                   "tolerance": 1e-6, "runs": cases, "rosenbrock": paths}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} runs and {len(paths)} Rosenbrock paths to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
