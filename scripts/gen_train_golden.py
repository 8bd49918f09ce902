#!/usr/bin/env python3
"""Golden end-to-end runs from PyTorch for internal/train's tests.

Trains full-batch linear regression (MSE) and softmax regression (cross-entropy)
from zero initialization on two small csv files, with every optimizer and every
learning-rate schedule, and records the per-epoch learning rate and full
training loss, as `optimbench train` writes them to metrics.csv. Also records
optimizer paths on Rosenbrock (trajectory.csv). The Go test replays each case
through train.Setup/Execute and compares to 1e-9 relative, without PyTorch.

Regenerate (from the repository root):

    apt-get install -y python3-torch        # Debian's PyTorch 1.13
    /usr/bin/python3 scripts/gen_train_golden.py

PyTorch 1.13's NAdam has the mu-product bug fixed in 2.0, so nadam is computed by
the small NAdam class below, written from SPEC.md §4 (PyTorch 2.0 semantics).
"""
import csv
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "internal", "train", "testdata")


class NAdam(torch.optim.Optimizer):
    """NAdam as in PyTorch >= 2.0 (SPEC §4), single tensor, float64."""

    def __init__(self, params, lr=0.002, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=0.004):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            b1, b2 = g["betas"]
            for p in g["params"]:
                grad = p.grad
                if g["weight_decay"] != 0:
                    grad = grad.add(p, alpha=g["weight_decay"])
                st = self.state[p]
                if not st:
                    st["step"] = 0
                    st["mu_product"] = 1.0
                    st["m"] = torch.zeros_like(p)
                    st["v"] = torch.zeros_like(p)
                st["step"] += 1
                t = st["step"]
                bc2 = 1 - b2 ** t
                mu = b1 * (1.0 - 0.5 * (0.96 ** (t * g["momentum_decay"])))
                mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * g["momentum_decay"])))
                st["mu_product"] *= mu
                mp = st["mu_product"]
                st["m"].mul_(b1).add_(grad, alpha=1 - b1)
                st["v"].mul_(b2).addcmul_(grad, grad, value=1 - b2)
                denom = st["v"].div(bc2).sqrt().add_(g["eps"])
                p.addcdiv_(grad, denom, value=-g["lr"] * (1 - mu) / (1 - mp))
                p.addcdiv_(st["m"], denom, value=-g["lr"] * mu_next / (1 - mp * mu_next))


def make_optimizer(name, params, h):
    h = dict(h)
    lr = h.pop("lr")
    wd = h.pop("weight_decay", 0.0)
    b = (h.pop("beta1", 0.9), h.pop("beta2", 0.999))
    if name == "sgd":
        o = torch.optim.SGD(params, lr=lr, weight_decay=wd)
    elif name == "momentum":
        o = torch.optim.SGD(params, lr=lr, momentum=h.pop("momentum", 0.9), weight_decay=wd)
    elif name == "nesterov":
        o = torch.optim.SGD(params, lr=lr, momentum=h.pop("momentum", 0.9), nesterov=True, weight_decay=wd)
    elif name == "adagrad":
        o = torch.optim.Adagrad(params, lr=lr, lr_decay=h.pop("lr_decay", 0.0), weight_decay=wd,
                                initial_accumulator_value=h.pop("initial_accumulator", 0.0),
                                eps=h.pop("eps", 1e-10), foreach=False)
    elif name == "rmsprop":
        o = torch.optim.RMSprop(params, lr=lr, alpha=h.pop("rho", 0.99), eps=h.pop("eps", 1e-8),
                                weight_decay=wd, momentum=h.pop("momentum", 0.0),
                                centered=h.pop("centered", False), foreach=False)
    elif name == "adadelta":
        o = torch.optim.Adadelta(params, lr=lr, rho=h.pop("rho", 0.9), eps=h.pop("eps", 1e-6),
                                 weight_decay=wd, foreach=False)
    elif name in ("adam", "amsgrad"):
        o = torch.optim.Adam(params, lr=lr, betas=b, eps=h.pop("eps", 1e-8), weight_decay=wd,
                             amsgrad=(name == "amsgrad"), foreach=False)
    elif name == "adamw":
        o = torch.optim.AdamW(params, lr=lr, betas=b, eps=h.pop("eps", 1e-8), weight_decay=wd, foreach=False)
    elif name == "adamax":
        o = torch.optim.Adamax(params, lr=lr, betas=b, eps=h.pop("eps", 1e-8), weight_decay=wd, foreach=False)
    elif name == "nadam":
        o = NAdam(params, lr=lr, betas=b, eps=h.pop("eps", 1e-8), weight_decay=wd,
                  momentum_decay=h.pop("momentum_decay", 0.004))
    else:
        raise ValueError(name)
    assert not h, (name, h)
    return o


def make_scheduler(opt, s, lr0):
    name = s["name"]
    L = torch.optim.lr_scheduler
    if name == "constant":
        return None
    if name == "time":
        return L.LambdaLR(opt, lambda t: 1.0 / (1.0 + s["k"] * t))
    if name == "exponential":
        return L.ExponentialLR(opt, gamma=math.exp(-s["k"]))
    if name == "step":
        return L.StepLR(opt, step_size=s["every"], gamma=s["factor"])
    if name == "multistep":
        return L.MultiStepLR(opt, milestones=s["milestones"], gamma=s["factor"])
    if name == "cosine":
        return L.CosineAnnealingLR(opt, T_max=s["period"], eta_min=s.get("min_lr", 0.0))
    if name == "sgdr":
        return L.CosineAnnealingWarmRestarts(opt, T_0=s["period"], T_mult=s.get("mult", 1),
                                             eta_min=s.get("min_lr", 0.0))
    if name in ("triangular", "triangular2", "exp_range"):
        return L.CyclicLR(opt, base_lr=s.get("min_lr", lr0 / 10), max_lr=lr0,
                          step_size_up=s["half_cycle"], mode=name, gamma=s.get("gamma", 1.0),
                          cycle_momentum=False)
    raise ValueError(name)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(v)) if isinstance(v, float) else v for v in r])


def datasets():
    g = torch.Generator().manual_seed(20261128)
    # Regression: 48 samples, 4 features with different scales, a noisy linear target.
    Xr = torch.randn(48, 4, generator=g) * torch.tensor([1.0, 2.0, 0.5, 1.5])
    yr = Xr @ torch.tensor([0.7, -1.2, 2.0, 0.3]) + 0.5 + 0.1 * torch.randn(48, generator=g)
    # Classification: 60 samples, 3 features, 3 classes around different centres.
    yc = torch.arange(60) % 3
    centres = torch.tensor([[1.0, 0.0, -1.0], [-1.0, 1.0, 0.5], [0.0, -1.5, 1.0]])
    Xc = centres[yc] + 0.8 * torch.randn(60, 3, generator=g)
    write_csv(os.path.join(OUT, "regression.csv"), ["a", "b", "c", "d", "y"],
              [[*map(float, Xr[i].tolist()), float(yr[i])] for i in range(48)])
    names = ["setosa", "versicolor", "virginica"]  # string labels: classes in sorted order
    write_csv(os.path.join(OUT, "classification.csv"), ["label", "u", "v", "w"],
              [[names[int(yc[i])], *map(float, Xc[i].tolist())] for i in range(60)])
    return (Xr, yr), (Xc, yc)


def train_linear(X, y, kind, opt_name, hyper, sched, epochs):
    out = 1 if kind == "regression" else 3
    lin = torch.nn.Linear(X.shape[1], out)
    torch.nn.init.zeros_(lin.weight)
    torch.nn.init.zeros_(lin.bias)
    opt = make_optimizer(opt_name, lin.parameters(), hyper)
    sch = make_scheduler(opt, sched, hyper["lr"])

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
        loss = loss_fn()
        loss.backward()
        opt.step()
        if sch is not None:
            sch.step()
        with torch.no_grad():
            losses.append(loss_fn().item())
        lrs.append(lr)
    return losses, lrs


def rosenbrock_path(opt_name, hyper, steps):
    x = torch.tensor([-1.5, 2.0], requires_grad=True)
    opt = make_optimizer(opt_name, [x], hyper)
    path = [x.detach().tolist()]
    for _ in range(steps):
        opt.zero_grad()
        f = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        f.backward()
        opt.step()
        path.append(x.detach().tolist())
    return path


# Hyperparameters per optimizer: PyTorch's defaults except a learning rate that
# makes visible progress in a few full-batch steps, plus one non-default variant.
OPTIMIZERS = {
    "sgd": [{"lr": 0.05}, {"lr": 0.02, "weight_decay": 0.1}],
    "momentum": [{"lr": 0.02}, {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.05}],
    "nesterov": [{"lr": 0.02}, {"lr": 0.01, "momentum": 0.7}],
    "adagrad": [{"lr": 0.1}, {"lr": 0.2, "lr_decay": 0.05, "initial_accumulator": 0.1, "eps": 1e-6}],
    "rmsprop": [{"lr": 0.01}, {"lr": 0.005, "rho": 0.9, "momentum": 0.5, "centered": True}],
    "adadelta": [{"lr": 1.0}, {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.01}],
    "adam": [{"lr": 0.05}, {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.01}],
    "amsgrad": [{"lr": 0.05}, {"lr": 0.1, "beta1": 0.5, "beta2": 0.9}],
    "adamw": [{"lr": 0.05, "weight_decay": 0.01}, {"lr": 0.05, "weight_decay": 0.3}],
    "adamax": [{"lr": 0.05}, {"lr": 0.1, "beta1": 0.8, "beta2": 0.95}],
    "nadam": [{"lr": 0.05}, {"lr": 0.02, "momentum_decay": 0.01, "beta2": 0.99}],
}

SCHEDULES = [
    {"name": "time", "k": 0.3},
    {"name": "exponential", "k": 0.1},
    {"name": "step", "factor": 0.5, "every": 4},
    {"name": "multistep", "factor": 0.3, "milestones": [3, 7, 12]},
    {"name": "cosine", "period": 16, "min_lr": 0.001},
    {"name": "sgdr", "period": 3, "mult": 2, "min_lr": 0.0},
    {"name": "triangular", "half_cycle": 3, "min_lr": 0.005},
    {"name": "triangular2", "half_cycle": 2, "min_lr": 0.01},
    {"name": "exp_range", "half_cycle": 3, "min_lr": 0.002, "gamma": 0.9},
]

# Rosenbrock: learning rates small enough for 60 stable steps.
ROSENBROCK = {
    "sgd": {"lr": 0.0005}, "momentum": {"lr": 0.0002}, "nesterov": {"lr": 0.0002},
    "adagrad": {"lr": 0.1}, "rmsprop": {"lr": 0.01, "momentum": 0.3, "centered": True},
    "adadelta": {"lr": 2.0}, "adam": {"lr": 0.05}, "amsgrad": {"lr": 0.05},
    "adamw": {"lr": 0.05, "weight_decay": 0.1}, "adamax": {"lr": 0.05}, "nadam": {"lr": 0.05},
}


def main():
    os.makedirs(OUT, exist_ok=True)
    (Xr, yr), (Xc, yc) = datasets()
    cases = []
    for name, variants in OPTIMIZERS.items():
        for i, h in enumerate(variants):
            for kind, X, y in (("regression", Xr, yr), ("classification", Xc, yc)):
                losses, lrs = train_linear(X, y, kind, name, h, {"name": "constant"}, 12)
                cases.append({"name": f"{name}-{i}-{kind}", "data": kind, "optimizer": name,
                              "hyper": h, "schedule": {"name": "constant"}, "epochs": 12,
                              "train_loss": losses, "lr": lrs})
    for s in SCHEDULES:
        for name, h in (("sgd", {"lr": 0.05}), ("adam", {"lr": 0.05})):
            losses, lrs = train_linear(Xc, yc, "classification", name, h, s, 16)
            cases.append({"name": f"{s['name']}-{name}", "data": "classification", "optimizer": name,
                          "hyper": h, "schedule": s, "epochs": 16, "train_loss": losses, "lr": lrs})
    paths = []
    for name, h in ROSENBROCK.items():
        paths.append({"name": f"rosenbrock-{name}", "optimizer": name, "hyper": h, "steps": 60,
                      "path": rosenbrock_path(name, h, 60)})
    with open(os.path.join(OUT, "golden_train.json"), "w") as f:
        json.dump({"generator": "scripts/gen_train_golden.py", "torch": torch.__version__,
                   "runs": cases, "rosenbrock": paths}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} runs and {len(paths)} Rosenbrock paths to {OUT}")


if __name__ == "__main__":
    main()
