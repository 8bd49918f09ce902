#!/usr/bin/python3
"""Golden learning rates (and momenta) for the optimizer zoo's schedules in internal/sched.

Regenerate (Debian's python3-torch, 1.13, is enough), from the repository root:

    /usr/bin/python3 scripts/gen_sched_golden_zoo.py > internal/sched/testdata/golden_zoo.json

The Go test (internal/sched/golden_test.go) reads every testdata/golden*.json, so it never
needs PyTorch. The approach is scripts/gen_sched_golden.py's (whose defaults and warm-up
composition this script imports): plain SGD on one float64 parameter with lr = lr0, wrapped
in the scheduler, optimizer.param_groups[0]['lr'] (and ['momentum'], or ['betas'][0], for the
schedules that cycle momentum) recorded for t = 0 .. n-1 before each optimizer.step(), then
scheduler.step() once per unit. Each case's "config" holds only the YAML keys set; the Go test
fills in the defaults, so they are tested too.

References, by schedule:
  linear, constant_factor, polynomial, onecycle, exponential (k < 0), triangular /
  triangular2 / exp_range with half_cycle_down and cycle_momentum: PyTorch 1.13's
  LinearLR, ConstantLR, PolynomialLR, OneCycleLR, ExponentialLR, CyclicLR.
  plateau: ReduceLROnPlateau, stepped with the case's "metrics" (one per unit, after the
  update of that unit); the Go test calls Observe with the same values.
  sequential: SequentialLR, on the combinations where 1.13 gives each schedule restarted at
  its milestone from lr0 (see internal/sched/sequential.go for those where it does not;
  check_sequential_differences below asserts them).
  sgdr with peak_decay: Keras CosineDecayRestarts(m_mul) as written in keras-team/keras,
  keras/src/optimizers/schedules/learning_rate_schedule.py (commit
  2534b643145262fc2c9ee638065ee14fdb623984), transcribed in keras_cosine_decay_restarts
  below, and checked here against PyTorch's CosineAnnealingWarmRestarts (peak_decay 1) and
  its cycle count; Keras itself is not installed.
  wsd: the authors' wsd_schedule (github.com/epfml/schedules-and-scaling,
  src/optim/utils.py, commit ce6b4055b1e37418d79b892c43a8d6eea04c69f8), transcribed in
  wsd_authors below and applied through PyTorch's LambdaLR, with n_warmup = 0; a warm-up is
  SPEC §5's, composed as in gen_sched_golden.py.
"""

import json
import math
import os
import sys
import warnings

import torch
from torch.optim import lr_scheduler as S

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_sched_golden as base  # noqa: E402  (defaults of the older schedules, with_warmup)

warnings.filterwarnings("ignore")
torch.set_default_dtype(torch.float64)


def defaults(name, lr0, unit, length):
    """Mirror of sched.Resolve's defaults, for a run of length units after any warm-up."""
    d = base.defaults(name, lr0, unit, length)
    if name in ("triangular", "triangular2", "exp_range"):
        d.update(cycle_momentum=False, base_momentum=0.8, max_momentum=0.9)
    elif name == "sgdr":
        d["peak_decay"] = 1.0
    elif name == "linear":
        d.update(start_factor=1 / 3, end_factor=1.0, iters=5)
    elif name == "constant_factor":
        d.update(factor=1 / 3, iters=5)
    elif name == "polynomial":
        d.update(iters=5, power=1.0)
    elif name == "onecycle":
        d.update(pct_start=0.3, anneal="cos", div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 total=length, cycle_momentum=True, base_momentum=0.85, max_momentum=0.95)
    elif name == "wsd":
        d.update(decay_fraction=0.2, decay_shape="linear", min_lr=0.0)
    elif name == "plateau":
        d.update(mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0,
                 min_lr=0.0, eps=1e-8)
    return d


def keras_cosine_decay_restarts(lr0, first_decay_steps, t_mul, m_mul, alpha, step):
    """Keras CosineDecayRestarts.__call__, in float64."""
    completed_fraction = step / first_decay_steps
    if t_mul == 1.0:
        i_restart = math.floor(completed_fraction)
        completed_fraction -= i_restart
    else:
        i_restart = math.floor(math.log(1.0 - completed_fraction * (1.0 - t_mul)) / math.log(t_mul))
        sum_r = (1.0 - t_mul ** i_restart) / (1.0 - t_mul)
        completed_fraction = (completed_fraction - sum_r) / t_mul ** i_restart
    m_fac = m_mul ** i_restart
    cosine_decayed = 0.5 * m_fac * (1.0 + math.cos(math.pi * completed_fraction))
    decayed = (1 - alpha) * cosine_decayed + alpha
    return lr0 * decayed


def wsd_authors(n_iterations, final_lr_factor=0.0, n_warmup=1000, init_div_factor=100, fract_decay=0.1,
                decay_type="linear"):
    """wsd_schedule of epfml/schedules-and-scaling src/optim/utils.py (the decay types used)."""
    n_anneal_steps = int(fract_decay * n_iterations)
    n_hold = n_iterations - n_anneal_steps

    def schedule(step):
        if step < n_warmup:
            return (step / n_warmup) + (1 - step / n_warmup) / init_div_factor
        elif step < n_hold:
            return 1.0
        elif step < n_iterations:
            if decay_type == "linear":
                return final_lr_factor + (1 - final_lr_factor) * (1 - (step - n_hold) / n_anneal_steps)
            elif decay_type == "cosine":
                return final_lr_factor + (1 - final_lr_factor) * (
                    1 + math.cos(math.pi * (step - n_hold) / n_anneal_steps)) * 0.5
            elif decay_type == "sqrt":
                return final_lr_factor + (1 - final_lr_factor) * (1 - math.sqrt((step - n_hold) / n_anneal_steps))
            raise ValueError(decay_type)
        return final_lr_factor

    return schedule


def cyclic(opt, lr0, c, name):
    return S.CyclicLR(opt, base_lr=c["min_lr"], max_lr=lr0, step_size_up=c["half_cycle"],
                      step_size_down=c.get("half_cycle_down"), mode=name, gamma=c.get("gamma", 1.0),
                      cycle_momentum=c["cycle_momentum"], base_momentum=c["base_momentum"],
                      max_momentum=c["max_momentum"])


def scheduler(name, opt, lr0, c, length, warmup=0):
    """The PyTorch scheduler of the schedule after its warm-up: length is the units it runs
    and warmup the units before it (for wsd, whose decay is a share of both)."""
    if name == "exponential":
        return S.ExponentialLR(opt, gamma=math.exp(-c["k"]))
    if name == "cosine":
        return S.CosineAnnealingLR(opt, T_max=c["period"], eta_min=c["min_lr"])
    if name == "step":
        return S.StepLR(opt, step_size=c["every"], gamma=c["factor"])
    if name in ("triangular", "triangular2", "exp_range"):
        return cyclic(opt, lr0, c, name)
    if name == "linear":
        return S.LinearLR(opt, start_factor=c["start_factor"], end_factor=c["end_factor"], total_iters=c["iters"])
    if name == "constant_factor":
        return S.ConstantLR(opt, factor=c["factor"], total_iters=c["iters"])
    if name == "polynomial":
        return S.PolynomialLR(opt, total_iters=c["iters"], power=c["power"])
    if name == "onecycle":
        return S.OneCycleLR(opt, max_lr=lr0, total_steps=c["total"], pct_start=c["pct_start"],
                            anneal_strategy=c["anneal"], cycle_momentum=c["cycle_momentum"],
                            base_momentum=c["base_momentum"], max_momentum=c["max_momentum"],
                            div_factor=c["div_factor"], final_div_factor=c["final_div_factor"],
                            three_phase=c["three_phase"])
    if name == "wsd":
        # The authors' schedule over the whole run, read from the warm-up's end on.
        f = wsd_authors(warmup + length, final_lr_factor=c["min_lr"] / lr0, n_warmup=warmup,
                        fract_decay=c["decay_fraction"], decay_type=c["decay_shape"])
        return S.LambdaLR(opt, lambda t: f(t + warmup))
    if name == "plateau":
        return S.ReduceLROnPlateau(opt, mode=c["mode"], factor=c["factor"], patience=c["patience"],
                                   threshold=c["threshold"], threshold_mode=c["threshold_mode"],
                                   cooldown=c["cooldown"], min_lr=c["min_lr"], eps=c["eps"])
    raise ValueError(name)


def make_optimizer(lr0, beta1):
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    if beta1:
        return torch.optim.Adam([p], lr=lr0)
    return torch.optim.SGD([p], lr=lr0, momentum=0.9)


def torch_rates(name, lr0, c, n, warmup=0, metrics=None, beta1=False):
    opt = make_optimizer(lr0, beta1)
    s = scheduler(name, opt, lr0, c, n, warmup)
    lrs, moms = [], []
    for t in range(n):
        g = opt.param_groups[0]
        lrs.append(float(g["lr"]))
        moms.append(float(g["betas"][0] if beta1 else g["momentum"]))
        opt.step()
        if t == n - 1:
            break  # (OneCycleLR with pct_start 1 divides by zero one step after its last)
        if metrics is not None:
            s.step(metrics[t])
        else:
            s.step()
    return lrs, moms


def label_of(name, cfg, unit, n):
    def fmt(v):
        if isinstance(v, list):
            return "[" + ",".join(fmt(e) if not isinstance(e, dict) else e["name"] for e in v) + "]"
        return str(v)
    return name + "".join(f" {k}={fmt(v)}" for k, v in sorted(cfg.items())) + f" unit={unit} n={n}"


def record(name, lr0, n, unit, cfg, lrs, source, moms=None, metrics=None, stride=1):
    out = {"label": label_of(name, cfg, unit, n), "name": name, "unit": unit, "lr0": lr0, "n": n,
           "stride": stride, "config": cfg, "source": source, "lr": lrs[::stride]}
    if moms is not None:
        out["momentum"] = moms[::stride]
    if metrics is not None:
        out["metrics"] = metrics
    return out


def case(name, lr0, n, unit="epoch", warmup=0, stride=1, metrics=None, beta1=False, **keys):
    """One case from PyTorch (momentum recorded when the schedule cycles it)."""
    length = max(n - warmup, 1)
    c = defaults(name, lr0, unit, length)
    c.update(keys)
    lrs, moms = torch_rates(name, lr0, c, length, warmup, metrics)
    cycles = c.get("cycle_momentum", False)
    if beta1:
        lrs_b, moms_b = torch_rates(name, lr0, c, length, warmup, metrics, beta1=True)
        assert lrs_b == lrs and moms_b == moms, "OneCycleLR drives betas[0] as it drives momentum"
    if warmup > 0:
        lrs = base.with_warmup(lrs, warmup, n)
        moms = [moms[max(t - warmup, 0)] for t in range(n)]
    cfg = dict(keys)
    if warmup > 0:
        cfg["warmup"] = warmup
    src = "pytorch" if warmup == 0 else "spec warm-up over pytorch"
    if name == "wsd":
        src = "authors' wsd_schedule via LambdaLR" + ("" if warmup == 0 else ", spec warm-up")
    return record(name, lr0, n, unit, cfg, lrs, src, moms if cycles else None, metrics, stride)


def sgdr_decay_case(lr0, n, period, mult, peak_decay, min_lr=0.0, warmup=0):
    """sgdr with peak_decay: Keras's formula, checked against PyTorch's cycles."""
    length = max(n - warmup, 1)
    opt = make_optimizer(lr0, False)
    s = S.CosineAnnealingWarmRestarts(opt, T_0=period, T_mult=mult, eta_min=min_lr)
    lrs, cycle = [], 0
    for t in range(length):
        lr_pt = float(opt.param_groups[0]["lr"])
        lr_k = keras_cosine_decay_restarts(lr0, period, float(mult), peak_decay, min_lr / lr0, t)
        want = min_lr + peak_decay ** cycle * (lr_pt - min_lr)
        assert abs(lr_k - want) <= 1e-12 * lr0, (t, lr_k, want)
        lrs.append(lr_k)
        opt.step()
        s.step()
        if s.T_cur == 0:  # a restart
            cycle += 1
    if warmup > 0:
        lrs = base.with_warmup(lrs, warmup, n)
    cfg = {"period": period, "mult": mult, "peak_decay": peak_decay}
    if min_lr:
        cfg["min_lr"] = min_lr
    if warmup:
        cfg["warmup"] = warmup
    return record("sgdr", lr0, n, "epoch", cfg, lrs, "keras CosineDecayRestarts (m_mul), checked against pytorch")


def sequential_case(lr0, n, schedules, milestones, warmup=0, unit="epoch"):
    """SequentialLR of the inner schedules, each with its keys set (defaults as Go's)."""
    length = max(n - warmup, 1)
    bounds = [0] + milestones + [length]
    opt = make_optimizer(lr0, False)
    inner = []
    for i, sc in enumerate(schedules):
        keys = {k: v for k, v in sc.items() if k != "name"}
        seg = max(bounds[i + 1] - bounds[i], 1)
        c = defaults(sc["name"], lr0, unit, seg)
        c.update(keys)
        inner.append(scheduler(sc["name"], opt, lr0, c, seg))
    s = S.SequentialLR(opt, inner, milestones)
    lrs = []
    for _ in range(length):
        lrs.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        s.step()
    if warmup > 0:
        lrs = base.with_warmup(lrs, warmup, n)
    cfg = {"schedules": schedules, "milestones": milestones}
    if warmup:
        cfg["warmup"] = warmup
    return record("sequential", lr0, n, unit, cfg, lrs, "pytorch SequentialLR" + (", spec warm-up" if warmup else ""))


def check_sequential_differences():
    """The combinations sched's doc says 1.13's SequentialLR gets wrong are wrong here."""
    def run(names, keys, ms, n):
        opt = make_optimizer(0.1, False)
        ss = []
        bounds = [0] + ms + [n]
        for i, (nm, k) in enumerate(zip(names, keys)):
            c = defaults(nm, 0.1, "epoch", bounds[i + 1] - bounds[i])
            c.update(k)
            ss.append(scheduler(nm, opt, 0.1, c, bounds[i + 1] - bounds[i]))
        s = S.SequentialLR(opt, ss, ms)
        out = []
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            s.step()
        return out
    # triangular first: the next schedule starts from min_lr (0.01), not lr0.
    got = run(["triangular", "exponential"], [{"half_cycle": 2}, {"k": 0.1}], [4], 8)
    assert abs(got[4] - 0.01) < 1e-15, got
    # onecycle second: the schedule before it starts from lr0/div_factor.
    got = run(["constant_factor", "onecycle"], [{"factor": 0.5}, {"cycle_momentum": False}], [3], 8)
    assert abs(got[0] - 0.1 / 25 * 0.5) < 1e-15, got


# Plateau metrics: a loss that falls, stalls, falls a little (below and above the threshold),
# then rises; and an accuracy for mode max.
LOSS = [1.0, 0.8, 0.7, 0.69995, 0.6999, 0.7, 0.71, 0.7, 0.6, 0.6, 0.6, 0.59999, 0.6, 0.61, 0.62, 0.5,
        0.5, 0.5, 0.5, 0.5, 0.5, 0.49, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
ACC = [0.1, 0.3, 0.5, 0.5, 0.52, 0.52, 0.52, 0.6, 0.6, 0.6, 0.6, 0.6, 0.61, 0.61, 0.61, 0.61, 0.7, 0.7,
       0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
# A long run: patience 10 (the default) reduces the rate down to min_lr and then skips by eps.
LONG = [1.0 / (1 + 0.01 * t) if t < 20 else 0.9 for t in range(80)]


CASES = [
    # linear (LinearLR)
    case("linear", 0.1, 10),
    case("linear", 0.1, 12, start_factor=0.1, iters=8),
    case("linear", 0.2, 9, start_factor=1.0, end_factor=0.25, iters=4),
    case("linear", 0.05, 30, unit="step", start_factor=0.5, end_factor=0.0, iters=20),
    case("linear", 0.1, 10, warmup=3, start_factor=0.2, iters=4),
    # constant_factor (ConstantLR)
    case("constant_factor", 0.1, 10),
    case("constant_factor", 0.1, 12, factor=0.5, iters=7),
    case("constant_factor", 0.3, 6, factor=0.05, iters=2),
    case("constant_factor", 0.1, 10, warmup=2, factor=0.25, iters=3),
    # polynomial (PolynomialLR)
    case("polynomial", 0.1, 10),
    case("polynomial", 0.1, 14, iters=10, power=2.0),
    case("polynomial", 0.1, 12, iters=9, power=0.5),
    case("polynomial", 0.2, 8, unit="step", iters=8, power=3.0),
    case("polynomial", 0.1, 10, warmup=2, iters=6, power=1.5),
    # onecycle (OneCycleLR), momentum recorded; beta1=True also checks betas[0]
    case("onecycle", 0.1, 20, beta1=True),
    case("onecycle", 0.1, 20, anneal="linear"),
    case("onecycle", 0.1, 25, three_phase=True, beta1=True),
    case("onecycle", 0.1, 24, three_phase=True, anneal="linear", pct_start=0.25),
    case("onecycle", 0.3, 17, pct_start=0.4, div_factor=10.0, final_div_factor=100.0,
         base_momentum=0.8, max_momentum=0.9),
    case("onecycle", 0.1, 30, total=30, pct_start=0.0),
    case("onecycle", 0.1, 16, pct_start=1.0, cycle_momentum=False),
    case("onecycle", 0.01, 1000, unit="step", stride=25),
    case("onecycle", 0.1, 15, warmup=3),
    # cyclical schedules: half_cycle_down, cycle_momentum (CyclicLR)
    case("triangular", 0.1, 30, half_cycle=3, half_cycle_down=5),
    case("triangular", 0.1, 24, half_cycle=4, cycle_momentum=True),
    case("triangular", 0.1, 30, half_cycle=2, half_cycle_down=6, min_lr=0.0, cycle_momentum=True,
         base_momentum=0.85, max_momentum=0.95),
    case("triangular2", 0.1, 40, half_cycle=3, half_cycle_down=2, cycle_momentum=True),
    case("triangular2", 0.1, 30, half_cycle_down=7),
    case("exp_range", 0.1, 40, half_cycle=5, half_cycle_down=3, gamma=0.95, cycle_momentum=True),
    case("exp_range", 0.01, 6001, unit="step", stride=50, half_cycle_down=1000, cycle_momentum=True),
    case("triangular", 0.1, 20, warmup=4, half_cycle=3, half_cycle_down=2, cycle_momentum=True),
    # exponential with k < 0: a growing rate (ExponentialLR with gamma > 1)
    case("exponential", 0.01, 20, k=-0.1),
    case("exponential", 0.001, 15, warmup=3, k=-0.25),
    # sgdr with peak_decay (Keras CosineDecayRestarts m_mul)
    sgdr_decay_case(0.1, 35, 5, 1, 0.5),
    sgdr_decay_case(0.1, 45, 3, 2, 0.7, min_lr=0.01),
    sgdr_decay_case(0.2, 40, 4, 1, 0.9, min_lr=0.02, warmup=2),
    # wsd (Hägele et al. 2024)
    case("wsd", 0.1, 20),
    case("wsd", 0.1, 23, decay_fraction=0.3, decay_shape="cosine"),
    case("wsd", 0.1, 25, decay_fraction=0.4, decay_shape="sqrt", min_lr=0.01),
    case("wsd", 0.1, 30, warmup=5, decay_shape="sqrt"),
    case("wsd", 0.05, 2000, unit="step", stride=20, decay_fraction=0.1, decay_shape="cosine", min_lr=0.001),
    case("wsd", 0.1, 10, decay_fraction=1.0),
    # plateau (ReduceLROnPlateau), fed the metrics
    case("plateau", 0.1, len(LOSS), metrics=LOSS, patience=2),
    case("plateau", 0.1, len(LOSS), metrics=LOSS, patience=1, threshold=0.01, threshold_mode="abs", cooldown=2),
    case("plateau", 0.1, len(LOSS), metrics=LOSS, patience=0, factor=0.5, min_lr=0.03),
    case("plateau", 0.1, len(ACC), metrics=ACC, mode="max", patience=2, factor=0.3),
    case("plateau", 0.1, len(ACC), metrics=ACC, mode="max", threshold_mode="abs", threshold=0.05, patience=1),
    case("plateau", 0.1, len(LONG), metrics=LONG),
    case("plateau", 1e-7, len(LONG), metrics=LONG, patience=3),
    case("plateau", 0.1, len(LONG), metrics=LONG, patience=3, min_lr=1e-4, eps=1e-3),
    # sequential (SequentialLR), where 1.13 is right
    sequential_case(0.1, 20, [{"name": "linear", "start_factor": 0.1, "iters": 5}, {"name": "cosine"}], [5]),
    sequential_case(0.1, 20, [{"name": "constant_factor", "factor": 0.1, "iters": 3},
                              {"name": "exponential", "k": 0.2}], [3]),
    sequential_case(0.1, 24, [{"name": "linear", "start_factor": 0.25, "iters": 4},
                              {"name": "cosine", "min_lr": 0.01},
                              {"name": "exponential", "k": 0.1}], [4, 14]),
    sequential_case(0.05, 40, [{"name": "linear"}, {"name": "cosine", "min_lr": 0.001}], [8],
                    unit="step"),
    sequential_case(0.1, 18, [{"name": "constant_factor"}, {"name": "polynomial", "iters": 10, "power": 2.0}],
                    [5], warmup=2),
]


def main():
    check_sequential_differences()
    doc = {"generator": "scripts/gen_sched_golden_zoo.py", "torch": torch.__version__, "cases": CASES}
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
