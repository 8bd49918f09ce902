#!/usr/bin/python3
"""Golden learning rates for internal/sched, generated with PyTorch's lr_scheduler.

Regenerate (Debian's python3-torch, 1.13 at the time of writing, is enough):

    /usr/bin/python3 scripts/gen_sched_golden.py > internal/sched/testdata/golden.json

run from the repository root. The Go tests (internal/sched/golden_test.go) read the file, so
they never need PyTorch themselves.

For each case the script builds plain SGD on one float64 parameter with lr = lr0, wraps it in
the PyTorch scheduler that SPEC.md §5 names for the schedule, and records
optimizer.param_groups[0]['lr'] for t = 0 .. n-1, calling scheduler.step() once per unit.

Each case's "config" holds only the YAML keys set explicitly; the Go test starts from
sched.Defaults(name, lr0, unit, n) and applies them, so the defaults are tested as well.
"stride" > 1 keeps only every stride-th value (t = 0, stride, 2·stride, ...) of a long run.

Warm-up is NOT taken from PyTorch: 1.13's LinearLR + SequentialLR use another formula. For cases
with "warmup" w > 0 the values are composed here from the SPEC.md §5 formula
    lr(t) = lr_s(0)·(t+1)/w  for t < w,    lr(t) = lr_s(t − w)  otherwise,
where lr_s is the PyTorch-recorded schedule without warm-up (see with_warmup below).
"""

import json
import math
import sys
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")
torch.set_default_dtype(torch.float64)


def defaults(name, lr0, unit, length):
    """Mirror of sched.Defaults: the SPEC.md §5 defaults."""
    d = {}
    if name == "time":
        d["k"] = 0.01
    elif name == "exponential":
        d["k"] = 0.05
    elif name == "step":
        d.update(factor=0.5, every=10)
    elif name == "multistep":
        d.update(factor=0.1)
    elif name == "cosine":
        d.update(period=length, min_lr=0.0)
    elif name == "sgdr":
        d.update(period=10, mult=1, min_lr=0.0)
    elif name in ("triangular", "triangular2", "exp_range"):
        d.update(half_cycle=2000 if unit == "step" else 4, min_lr=lr0 / 10)
        if name == "exp_range":
            d["gamma"] = 0.99994
    return d


def scheduler(name, opt, lr0, c):
    """The PyTorch scheduler that SPEC.md §5 says the schedule matches."""
    if name == "constant":
        return S.LambdaLR(opt, lambda t: 1.0)
    if name == "time":
        k = c["k"]
        return S.LambdaLR(opt, lambda t: 1.0 / (1.0 + k * t))
    if name == "exponential":
        return S.ExponentialLR(opt, gamma=math.exp(-c["k"]))
    if name == "step":
        return S.StepLR(opt, step_size=c["every"], gamma=c["factor"])
    if name == "multistep":
        return S.MultiStepLR(opt, milestones=c["milestones"], gamma=c["factor"])
    if name == "cosine":
        return S.CosineAnnealingLR(opt, T_max=c["period"], eta_min=c["min_lr"])
    if name == "sgdr":
        return S.CosineAnnealingWarmRestarts(opt, T_0=c["period"], T_mult=c["mult"], eta_min=c["min_lr"])
    if name in ("triangular", "triangular2", "exp_range"):
        return S.CyclicLR(
            opt,
            base_lr=c["min_lr"],
            max_lr=lr0,
            step_size_up=c["half_cycle"],
            step_size_down=c["half_cycle"],
            mode=name,
            gamma=c.get("gamma", 1.0),
            cycle_momentum=False,
        )
    raise ValueError(name)


def torch_lrs(name, lr0, c, n):
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr0)
    s = scheduler(name, opt, lr0, c)
    out = []
    for _ in range(n):
        out.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        s.step()
    return out


def with_warmup(base, w, n):
    """SPEC.md §5 warm-up, computed here (not by PyTorch): base[t] is lr_s(t)."""
    return [base[0] * (t + 1) / w if t < w else base[t - w] for t in range(n)]


def case(name, lr0, n, unit="epoch", warmup=0, stride=1, **keys):
    c = defaults(name, lr0, unit, n)
    c.update(keys)
    base = torch_lrs(name, lr0, c, n)
    lrs = with_warmup(base, warmup, n) if warmup > 0 else base
    cfg = dict(keys)
    if warmup > 0:
        cfg["warmup"] = warmup
    label = name + "".join(f" {k}={v}" for k, v in sorted(cfg.items())) + f" unit={unit} n={n}"
    return {
        "label": label,
        "name": name,
        "unit": unit,
        "lr0": lr0,
        "n": n,
        "stride": stride,
        "config": cfg,
        "source": "spec warm-up over pytorch" if warmup > 0 else "pytorch",
        "lr": lrs[::stride],
    }


CASES = [
    case("constant", 0.1, 10),
    case("time", 0.1, 30),
    case("time", 0.05, 12, k=0.5),
    case("exponential", 0.1, 30),
    case("exponential", 1.0, 20, k=0.3),
    case("step", 0.1, 30),
    case("step", 0.1, 12, every=3),
    case("step", 0.2, 13, every=3, factor=0.7),
    case("multistep", 0.1, 10, milestones=[3, 7]),
    case("multistep", 0.1, 12, milestones=[2, 5, 9], factor=0.5),
    case("cosine", 0.1, 15),
    case("cosine", 0.1, 20, period=20),
    case("cosine", 0.1, 21, period=20, min_lr=0.01),
    case("cosine", 0.01, 8, unit="step"),
    case("sgdr", 0.1, 35),
    case("sgdr", 0.1, 40, period=3, mult=2),
    case("sgdr", 0.1, 60, period=4, mult=3, min_lr=0.001),
    case("sgdr", 0.05, 23, period=5, min_lr=0.01),
    case("triangular", 0.1, 30),
    case("triangular", 0.1, 20, half_cycle=3),
    case("triangular", 0.1, 30, half_cycle=5),
    case("triangular", 0.1, 24, half_cycle=3, min_lr=0.0),
    case("triangular", 0.01, 8001, unit="step", stride=50),
    case("triangular2", 0.1, 30),
    case("triangular2", 0.1, 25, half_cycle=3),
    case("triangular2", 0.1, 30, half_cycle=5, min_lr=0.02),
    case("exp_range", 0.1, 30),
    case("exp_range", 0.1, 25, half_cycle=3, gamma=0.9),
    case("exp_range", 0.1, 30, half_cycle=5, gamma=0.9),
    case("exp_range", 0.01, 8001, unit="step", stride=50),
    # Warm-up: composed from the SPEC.md formula in with_warmup, not by PyTorch.
    case("constant", 0.1, 12, warmup=5),
    case("time", 0.1, 10, warmup=1),
    case("exponential", 0.1, 15, warmup=3),
    case("step", 0.1, 14, warmup=2, every=3),
    case("multistep", 0.1, 12, warmup=4, milestones=[3, 7]),
    case("cosine", 0.1, 14, warmup=3, period=10),
    case("sgdr", 0.1, 30, warmup=2, period=3, mult=2),
    case("triangular", 0.1, 20, warmup=4, half_cycle=3),
    case("triangular2", 0.1, 20, warmup=2, half_cycle=3),
    case("exp_range", 0.1, 20, warmup=3, half_cycle=3, gamma=0.9),
]


def main():
    doc = {
        "generator": "scripts/gen_sched_golden.py",
        "torch": torch.__version__,
        "cases": CASES,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
