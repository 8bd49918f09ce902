#!/usr/bin/python3
"""Held-out whole runs of the optimizer zoo's schedules, from PyTorch, for internal/train.

Regenerate (Debian's python3-torch, 1.13), from the repository root:

    /usr/bin/python3 scripts/gen_train_golden_sched.py

which writes internal/train/testdata/golden_train_sched.json. The Go test
(internal/train/golden_test.go) replays each run through train.Setup/Execute from the schedule
mapping recorded with it and compares metrics.csv to the file's "tolerance" (1e-6: these are
held-out checks, with hyperparameters other than those of the 1e-9 goldens of
scripts/gen_sched_golden_zoo.py), without PyTorch.

The runs are scripts/gen_train_golden.py's: full-batch linear regression (MSE) and softmax
regression (cross-entropy) from zero initialization on internal/train/testdata/regression.csv
and classification.csv (read here, not rewritten), the optimizer from that script's
make_optimizer, the scheduler from scripts/gen_sched_golden_zoo.py's (PyTorch 1.13's LinearLR,
ConstantLR, PolynomialLR, OneCycleLR, CyclicLR, ReduceLROnPlateau, SequentialLR; the authors'
wsd_schedule through LambdaLR) stepped once per epoch. Per epoch it records the full training
loss, the rate of the epoch's update and, for the schedules that drive it, the momentum
(group["momentum"], or group["betas"][0] for Adam): the lr, momentum and train_loss columns of
metrics.csv, whose row 0 is before the first update. ReduceLROnPlateau is stepped with the
training loss evaluated after each update (these runs have no test split, so the monitor
defaults to train_loss, as optimbench evaluates after every epoch).
"""
import csv
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_sched_golden_zoo as zoo  # noqa: E402  (scheduler, defaults)
from gen_train_golden import make_optimizer  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "internal", "train", "testdata")


def read_csv(name):
    with open(os.path.join(DATA, name)) as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def datasets():
    _, rows = read_csv("regression.csv")  # a, b, c, d, y
    Xr = torch.tensor([[float(v) for v in r[:4]] for r in rows])
    yr = torch.tensor([float(r[4]) for r in rows])
    _, rows = read_csv("classification.csv")  # label, u, v, w; classes in sorted order
    names = sorted({r[0] for r in rows})
    Xc = torch.tensor([[float(v) for v in r[1:]] for r in rows])
    yc = torch.tensor([names.index(r[0]) for r in rows])
    return (Xr, yr), (Xc, yc)


def scheduler(opt, s, lr0, epochs):
    """The PyTorch scheduler of schedule mapping s for a run of epochs epochs."""
    s = dict(s)
    name = s.pop("name")
    if name == "sequential":
        ms = s["milestones"]
        bounds = [0] + ms + [epochs]
        inner = []
        for i, sc in enumerate(s["schedules"]):
            sc = dict(sc)
            nm = sc.pop("name")
            c = zoo.defaults(nm, lr0, "epoch", bounds[i + 1] - bounds[i])
            c.update(sc)
            inner.append(zoo.scheduler(nm, opt, lr0, c, bounds[i + 1] - bounds[i]))
        return torch.optim.lr_scheduler.SequentialLR(opt, inner, ms)
    c = zoo.defaults(name, lr0, "epoch", epochs)
    c.update(s)
    return zoo.scheduler(name, opt, lr0, c, epochs)


def train(X, y, kind, opt_name, hyper, sched, epochs, momentum):
    out = 1 if kind == "regression" else 3
    lin = torch.nn.Linear(X.shape[1], out)
    torch.nn.init.zeros_(lin.weight)
    torch.nn.init.zeros_(lin.bias)
    opt = make_optimizer(opt_name, lin.parameters(), hyper)
    sch = scheduler(opt, sched, hyper["lr"], epochs)
    plateau = sched["name"] == "plateau"

    def loss_fn():
        z = lin(X)
        if kind == "regression":
            return torch.nn.functional.mse_loss(z.squeeze(1), y)
        return torch.nn.functional.cross_entropy(z, y)

    def mom():
        g = opt.param_groups[0]
        return float(g["betas"][0]) if "betas" in g else float(g["momentum"])

    with torch.no_grad():
        losses = [loss_fn().item()]
    lrs, moms = [opt.param_groups[0]["lr"]], [mom()]
    for e in range(epochs):
        lr, m = opt.param_groups[0]["lr"], mom()
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        with torch.no_grad():
            after = loss_fn().item()
        if e < epochs - 1:  # (OneCycleLR refuses a step past its total)
            if plateau:
                sch.step(after)
            else:
                sch.step()
        losses.append(after)
        lrs.append(lr)
        moms.append(m)
    return losses, lrs, (moms if momentum else None)


# name, data, optimizer, hyperparameters, schedule, epochs, momentum column
RUNS = [
    ("onecycle-momentum", "classification", "momentum", {"lr": 0.2},
     {"name": "onecycle", "pct_start": 0.35, "div_factor": 10, "final_div_factor": 50,
      "base_momentum": 0.8, "max_momentum": 0.92}, 16, True),
    ("onecycle-momentum-regression", "regression", "momentum", {"lr": 0.02, "momentum": 0.5},
     {"name": "onecycle", "anneal": "linear", "pct_start": 0.4}, 14, True),
    ("onecycle-adam", "classification", "adam", {"lr": 0.05},
     {"name": "onecycle", "three_phase": True, "anneal": "linear", "pct_start": 0.2}, 18, True),
    ("onecycle-adam-regression", "regression", "adam", {"lr": 0.1, "beta2": 0.99},
     {"name": "onecycle", "pct_start": 0.25, "base_momentum": 0.7, "max_momentum": 0.9}, 16, True),
    ("onecycle-nesterov-no-momentum-cycle", "classification", "nesterov", {"lr": 0.1},
     {"name": "onecycle", "cycle_momentum": False, "pct_start": 0.5}, 12, False),
    ("triangular-momentum", "classification", "momentum", {"lr": 0.1},
     {"name": "triangular", "half_cycle": 3, "half_cycle_down": 2, "min_lr": 0.02, "cycle_momentum": True,
      "base_momentum": 0.75, "max_momentum": 0.95}, 16, True),
    ("plateau-sgd", "classification", "sgd", {"lr": 1.0},
     {"name": "plateau", "patience": 1, "factor": 0.5, "threshold": 0.06}, 24, False),
    ("plateau-adam-abs", "regression", "adam", {"lr": 0.3},
     {"name": "plateau", "patience": 2, "factor": 0.3, "threshold": 0.01, "threshold_mode": "abs",
      "cooldown": 1, "min_lr": 0.01}, 30, False),
    ("sequential-linear-cosine", "classification", "sgd", {"lr": 0.5},
     {"name": "sequential", "schedules": [{"name": "linear", "start_factor": 0.2, "iters": 4},
                                          {"name": "cosine", "min_lr": 0.01}], "milestones": [4]}, 16, False),
    ("sequential-constant-exponential", "regression", "adam", {"lr": 0.1},
     {"name": "sequential", "schedules": [{"name": "constant_factor", "factor": 0.2, "iters": 3},
                                          {"name": "exponential", "k": 0.15}], "milestones": [3]}, 14, False),
    ("linear-sgd", "regression", "sgd", {"lr": 0.05},
     {"name": "linear", "start_factor": 0.25, "end_factor": 0.8, "iters": 6}, 12, False),
    ("constant-factor-adam", "classification", "adam", {"lr": 0.08},
     {"name": "constant_factor", "factor": 0.4, "iters": 4}, 12, False),
    ("polynomial-momentum", "classification", "momentum", {"lr": 0.1},
     {"name": "polynomial", "iters": 12, "power": 1.5}, 14, False),
    ("wsd-adam", "classification", "adam", {"lr": 0.05},
     {"name": "wsd", "decay_fraction": 0.4, "decay_shape": "sqrt", "min_lr": 0.005}, 15, False),
]


def main():
    (Xr, yr), (Xc, yc) = datasets()
    runs = []
    for name, kind, opt, hyper, sched, epochs, momentum in RUNS:
        X, y = (Xr, yr) if kind == "regression" else (Xc, yc)
        losses, lrs, moms = train(X, y, kind, opt, hyper, sched, epochs, momentum)
        run = {"name": name, "data": kind, "optimizer": opt, "hyper": hyper, "schedule": sched,
               "epochs": epochs, "train_loss": losses, "lr": lrs}
        if moms is not None:
            run["momentum"] = moms
        runs.append(run)
    path = os.path.join(DATA, "golden_train_sched.json")
    with open(path, "w") as f:
        json.dump({"generator": "scripts/gen_train_golden_sched.py", "torch": torch.__version__,
                   "tolerance": 1e-6, "runs": runs}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(runs)} runs to {path}")
    for r in runs:
        lrs = sorted(set(round(v, 6) for v in r["lr"]))
        print(r["name"], "lr values:", len(lrs), "final loss", round(r["train_loss"][-1], 6))


if __name__ == "__main__":
    main()
