#!/usr/bin/env python3
"""Generate internal/optim/testdata/golden_torchzoo.json: trajectories of the PyTorch-1.13 zoo
(radam, rprop, asgd) and of the options added to the lecture's optimizers (momentum's
dampening, adamw's amsgrad, nadam's decoupled_weight_decay), computed by PyTorch.

Regenerate, from the repository root:

    apt-get install python3-torch          # Debian's PyTorch (1.13)
    /usr/bin/python3 scripts/gen_optim_golden_torchzoo.py

The Go tests only read the JSON file; they never need PyTorch. With --float32 every case runs
in float32 and the file goes to testdata/float32/ (see scripts/gen_optim_golden.py).

Problems, steps and the file's schema are those of scripts/gen_optim_golden.py (imported: the
same seed gives the same three problems), float64, one thread, the single-tensor path
(foreach=False). Each case records the learning rate of every step, the raw gradient handed to
the optimizer and the parameters after the step.

References:
  radam     torch.optim.RAdam of the installed PyTorch 1.13, except decoupled_weight_decay=True,
            which 1.13 lacks: those cases are computed by RAdam2x below, a transcription of
            _single_tensor_radam of PyTorch 2.x (pytorch/pytorch torch/optim/radam.py, read at
            commit 7b617aebb825668b8c24695ccda3e13ab3986f14 of the cyyever/pytorch mirror;
            the decay is param.mul_(1 - lr * weight_decay) before the moments). RAdam2x also
            recomputes every 1.13 case and must agree to 1e-12 (2.x's lerp vs 1.13's mul/add).
  rprop     torch.optim.Rprop (1.13; 2.x's _single_tensor_rprop is the same arithmetic: torch/optim/
            rprop.py at commit 7b617aebb825668b8c24695ccda3e13ab3986f14 of the mirror).
            Constant rates only: PyTorch reads lr once, optimbench scales each move by the
            schedule's factor lr/lr0 (exactly 1 here). PyTorch's Rprop has no weight decay;
            optimbench's (g + wd*theta, as for every optimizer) is RpropL2 below, which hands
            torch.optim.Rprop that gradient.
  asgd      torch.optim.ASGD (1.13; 2.x's _single_tensor_asgd is the same arithmetic, with **
            for math.pow: torch/optim/asgd.py at commit a9e0fe668ff539039e38d2d9a78c31ef9e07dfbe
            of the mirror; only 2.x's foreach and capturable paths differ). The cases also
            record state["ax"], the average, after each step.
  momentum  torch.optim.SGD(momentum, dampening) (1.13 = 2.x's _single_tensor_sgd, torch/optim/sgd.py
            at commit 7753b50b15aaf6a61affc862dab240b2b629963f of the mirror).
  adamw     torch.optim.AdamW(amsgrad=True) (1.13).
  nadam     decoupled_weight_decay=True is 2.x only, and 1.13's NAdam has the mu-product bug:
            NAdam2x below is scripts/gen_optim_golden.py's NAdam20 (PyTorch 2.0's
            _single_tensor_nadam) with 2.x's decoupled branch (torch/optim/nadam.py at commit
            a9e0fe668ff539039e38d2d9a78c31ef9e07dfbe of the cyyever/pytorch mirror).

The top-level "momentum_cases" (read by internal/optim's zoo_torch_test.go, not by the shared
golden test) set the momentum (group["momentum"]) or beta1 (group["betas"][0]) before every
step, as OneCycleLR and CyclicLR(cycle_momentum=True) do; their "momentum" list is the value
of each step.
"""

import inspect
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_optim_golden as base  # noqa: E402  (the problems, loss functions and NAdam20)

STEPS = base.STEPS
OUT = base.out_path("golden_torchzoo.json")

# PyTorch 2.x defaults, by optimbench key; check_defaults compares them with the installed
# signatures where 1.13 has the argument.
DEFAULTS = {
    "radam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
              "decoupled_weight_decay": False},
    "rprop": {"lr": 0.01, "eta_minus": 0.5, "eta_plus": 1.2, "step_min": 1e-6, "step_max": 50.0,
              "weight_decay": 0.0},
    "asgd": {"lr": 0.01, "lambd": 1e-4, "alpha": 0.75, "t0": 1e6, "weight_decay": 0.0},
    "momentum": {"lr": 0.001, "momentum": 0.9, "weight_decay": 0.0, "dampening": 0.0},
    "adamw": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01,
              "amsgrad": False},
    "nadam": {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004,
              "weight_decay": 0.0, "decoupled_weight_decay": False},
}

# The settings; "default" runs only for the new optimizers (golden.json has the others').
SETTINGS = {
    "radam": [{"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.01},
              {"lr": 0.005, "beta2": 0.9, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.005, "decoupled_weight_decay": True}],
    "rprop": [{"lr": 0.05, "eta_minus": 0.3, "eta_plus": 1.5, "step_min": 1e-3, "step_max": 0.2},
              {"lr": 0.002, "eta_minus": 0.7, "eta_plus": 1.1, "step_min": 0.0, "step_max": 1.0,
               "weight_decay": 0.05}],
    "asgd": [{"lr": 0.05, "lambd": 0.5, "alpha": 0.6, "weight_decay": 0.01},
             {"lr": 0.02, "lambd": 0.1, "alpha": 1.0, "t0": 5.0}],
    "momentum": [{"lr": 0.01, "dampening": 0.5},
                 {"lr": 0.01, "momentum": 0.7, "dampening": 0.2, "weight_decay": 0.05},
                 {"lr": 0.005, "dampening": 1.0}],
    "adamw": [{"lr": 0.01, "amsgrad": True},
              {"lr": 0.01, "beta1": 0.8, "beta2": 0.6, "eps": 1e-6, "weight_decay": 0.1,
               "amsgrad": True}],
    "nadam": [{"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.01, "beta1": 0.95, "beta2": 0.99, "momentum_decay": 0.01,
               "weight_decay": 0.02, "decoupled_weight_decay": True}],
}

# Rosenbrock's curvature at the start makes large steps diverge: the lr there, by optimizer.
ROSENBROCK_LR = {"momentum": 5e-4, "asgd": 5e-4, "radam": 1e-3}
# asgd's default rate (0.01, plain SGD at the start) diverges on Rosenbrock: its default runs on
# the other two problems only.
SKIP_DEFAULT = {("asgd", "rosenbrock")}


class RAdam2x(torch.optim.Optimizer):
    """torch.optim.RAdam of PyTorch 2.x, _single_tensor_radam (capturable=False)."""

    def __init__(self, params, lr, betas, eps, weight_decay, decoupled_weight_decay):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for param in group["params"]:
                state = self.state[param]
                if not state:
                    state["step"] = 0.0
                    state["exp_avg"] = torch.zeros_like(param)
                    state["exp_avg_sq"] = torch.zeros_like(param)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                state["step"] += 1.0
                step = state["step"]
                grad = param.grad
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        param.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(param, alpha=weight_decay)
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                bias_corrected_exp_avg = exp_avg / bias_correction1
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps)
                    param.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
                else:
                    param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)


class NAdam2x(torch.optim.Optimizer):
    """torch.optim.NAdam of PyTorch 2.x, _single_tensor_nadam (capturable=False,
    differentiable=False): scripts/gen_optim_golden.py's NAdam20 with the decoupled branch."""

    def __init__(self, params, lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, eps = group["lr"], group["eps"]
            beta1, beta2 = group["betas"]
            weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
            for param in group["params"]:
                state = self.state[param]
                if not state:
                    state["step"] = 0.0
                    state["mu_product"] = 1.0
                    state["exp_avg"] = torch.zeros_like(param)
                    state["exp_avg_sq"] = torch.zeros_like(param)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                state["step"] += 1.0
                step = state["step"]

                bias_correction2 = 1 - beta2 ** step
                grad = param.grad
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        param.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(param, alpha=weight_decay)
                mu = beta1 * (1. - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1. - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                state["mu_product"] *= mu
                mu_product = state["mu_product"]

                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt()

                mu_product_next = mu_product * mu_next
                denom.add_(eps)
                param.addcdiv_(grad, denom, value=(-lr * (1. - mu) / (1. - mu_product)))
                param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1. - mu_product_next))


class RpropL2(torch.optim.Rprop):
    """torch.optim.Rprop on the gradient g + weight_decay * theta (grad.add(param, alpha=wd))."""

    def __init__(self, params, weight_decay, **kw):
        super().__init__(params, **kw)
        self.weight_decay = weight_decay

    @torch.no_grad()
    def step(self):
        if self.weight_decay != 0:
            for group in self.param_groups:
                for p in group["params"]:
                    p.grad = p.grad.add(p, alpha=self.weight_decay)
        return super().step()


def make_optimizer(name, h, params, reference=False):
    """The optimizer of a case; reference=True picks the 2.x transcription where there is one."""
    betas = (h.get("beta1"), h.get("beta2"))
    if name == "radam":
        if reference or h["decoupled_weight_decay"]:
            return RAdam2x(params, lr=h["lr"], betas=betas, eps=h["eps"],
                           weight_decay=h["weight_decay"],
                           decoupled_weight_decay=h["decoupled_weight_decay"])
        return torch.optim.RAdam(params, lr=h["lr"], betas=betas, eps=h["eps"],
                                 weight_decay=h["weight_decay"], **base.no_foreach(torch.optim.RAdam))
    if name == "rprop":
        return RpropL2(params, h["weight_decay"], lr=h["lr"], etas=(h["eta_minus"], h["eta_plus"]),
                       step_sizes=(h["step_min"], h["step_max"]), **base.no_foreach(torch.optim.Rprop))
    if name == "asgd":
        return torch.optim.ASGD(params, lr=h["lr"], lambd=h["lambd"], alpha=h["alpha"], t0=h["t0"],
                                weight_decay=h["weight_decay"], **base.no_foreach(torch.optim.ASGD))
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=h["lr"], momentum=h["momentum"],
                               dampening=h.get("dampening", 0.0), weight_decay=h["weight_decay"],
                               nesterov=name == "nesterov", **base.no_foreach(torch.optim.SGD))
    if name == "adamw":
        return torch.optim.AdamW(params, lr=h["lr"], betas=betas, eps=h["eps"],
                                 weight_decay=h["weight_decay"], amsgrad=h["amsgrad"],
                                 **base.no_foreach(torch.optim.AdamW))
    if name == "nadam":
        return NAdam2x(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"],
                       momentum_decay=h["momentum_decay"],
                       decoupled_weight_decay=h.get("decoupled_weight_decay", False))
    return base.make_optimizer(name, h, params)


def check_defaults():
    """Fail when DEFAULTS disagrees with a default of the installed torch.optim."""
    sig = lambda cls: inspect.signature(cls.__init__).parameters  # noqa: E731
    r = sig(torch.optim.RAdam)
    assert (r["lr"].default, r["betas"].default, r["eps"].default, r["weight_decay"].default) == \
        (0.001, (0.9, 0.999), 1e-8, 0)
    p = sig(torch.optim.Rprop)
    assert (p["lr"].default, p["etas"].default, p["step_sizes"].default) == (0.01, (0.5, 1.2), (1e-6, 50))
    a = sig(torch.optim.ASGD)
    assert (a["lr"].default, a["lambd"].default, a["alpha"].default, a["t0"].default,
            a["weight_decay"].default) == (0.01, 1e-4, 0.75, 1e6, 0)
    assert sig(torch.optim.SGD)["dampening"].default == 0
    assert sig(torch.optim.AdamW)["amsgrad"].default is False


class Coverage:
    """Which optional branches the cases reached, checked at the end."""

    def __init__(self):
        self.seen = set()

    def after_step(self, name, h, opt, theta):
        st = opt.state[theta]
        if name == "rprop":
            s = st["step_size"]
            if (s == h["step_min"]).any():
                self.seen.add("rprop step_min")
            if (s == h["step_max"]).any():
                self.seen.add("rprop step_max")
            if ((st["prev"] == 0) & (theta.grad != 0)).any():
                self.seen.add("rprop sign change")
        if name == "asgd" and float(st["mu"]) != 1:
            self.seen.add("asgd averaging")
        if name == "adamw" and h["amsgrad"] and (st["max_exp_avg_sq"] > st["exp_avg_sq"]).any():
            self.seen.add("adamw amsgrad max")
        if name == "radam":
            step, b2 = float(st["step"]), h["beta2"]
            rho_inf = 2 / (1 - b2) - 1
            rho_t = rho_inf - 2 * step * b2 ** step / (1 - b2 ** step)
            self.seen.add("radam rectified" if rho_t > 5 else "radam unrectified")

    def check(self):
        want = {"rprop step_min", "rprop step_max", "rprop sign change", "asgd averaging",
                "adamw amsgrad max", "radam rectified", "radam unrectified"}
        assert want <= self.seen, want - self.seen


coverage = Coverage()


def run(name, hyper, problem, lrs, momenta=None, reference=False):
    """Runs one case; momenta, when given, sets momentum or beta1 before each step."""
    theta = torch.tensor(problem["init"], requires_grad=True)
    f = base.loss_fn(problem)
    opt = make_optimizer(name, hyper, [theta], reference)
    grads, params, axs = [], [], []
    for k, lr in enumerate(lrs):
        for group in opt.param_groups:
            group["lr"] = lr
            if momenta is not None:
                if "betas" in group:
                    group["betas"] = (momenta[k], group["betas"][1])
                else:
                    group["momentum"] = momenta[k]
        opt.zero_grad()
        loss = f(theta)
        loss.backward()
        grads.append(theta.grad.tolist())
        opt.step()
        params.append(theta.detach().tolist())
        if name == "asgd":
            axs.append(opt.state[theta]["ax"].tolist())
        if not reference:
            coverage.after_step(name, hyper, opt, theta)
    assert all(np.isfinite(params[-1])), (name, hyper)
    return grads, params, axs


def momentum_sequence(zero_at=None):
    """A one-cycle-like momentum: 0.95 down to 0.85 and back, with an optional 0 step."""
    m = [0.9 + 0.05 * math.cos(2 * math.pi * k / (STEPS - 1)) for k in range(STEPS)]
    if zero_at is not None:
        m[zero_at] = 0.0
    return m


# Per-step momentum cases: every optimizer with Entry.Cycles, and the branch each has for μ = 0.
MOMENTUM_CASES = [
    ("momentum", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.0}, 10),
    ("momentum", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.01, "dampening": 0.3}, 10),
    ("nesterov", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.0}, 10),
    ("rmsprop", {"lr": 0.005, "rho": 0.99, "eps": 1e-8, "momentum": 0.5, "centered": False,
                 "weight_decay": 0.0}, 10),
    ("rmsprop", {"lr": 0.005, "rho": 0.9, "eps": 1e-8, "momentum": 0.5, "centered": True,
                 "weight_decay": 0.01}, None),
    ("adam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}, 10),
    ("amsgrad", {"lr": 0.01, "beta1": 0.9, "beta2": 0.6, "eps": 1e-8, "weight_decay": 0.0}, None),
    ("adamw", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01,
               "amsgrad": False}, None),
    ("adamw", {"lr": 0.01, "beta1": 0.9, "beta2": 0.6, "eps": 1e-8, "weight_decay": 0.05,
               "amsgrad": True}, None),
    ("adamax", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}, 10),
    ("nadam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004,
               "weight_decay": 0.0}, None),
    ("nadam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "momentum_decay": 0.02,
               "weight_decay": 0.05, "decoupled_weight_decay": True}, None),
    ("radam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.0,
               "decoupled_weight_decay": False}, 10),
    ("radam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.1,
               "decoupled_weight_decay": True}, None),
]


def main():
    check_defaults()
    rng = np.random.default_rng(base.SEED)
    problems = base.make_problems(rng)
    cases = []

    def add(label, name, hyper, problem_name, lrs):
        grads, params, axs = run(name, hyper, problems[problem_name], lrs)
        if name == "radam" and not hyper["decoupled_weight_decay"]:
            _, again, _ = run(name, hyper, problems[problem_name], lrs, reference=True)
            err = np.max(np.abs(np.array(again) - np.array(params)) / np.maximum(1, np.abs(params)))
            assert err < (1e-5 if base.FLOAT32 else 1e-12), (label, problem_name, err)
        case = {"name": f"{name}/{label}/{problem_name}", "optimizer": name,
                "problem": problem_name, "hyper": hyper, "lr": lrs, "grads": grads, "params": params}
        if axs:
            case["ax"] = axs
        cases.append(case)
        print(f"{case['name']:44s} |theta| {np.linalg.norm(params[-1]):.4g}", file=sys.stderr)

    for name, default in DEFAULTS.items():
        settings = [] if name in ("momentum", "adamw", "nadam") else [("default", default)]
        settings += [(f"set{i + 1}", {**default, **s}) for i, s in enumerate(SETTINGS[name])]
        for label, hyper in settings:
            for problem_name in problems:
                if label == "default" and (name, problem_name) in SKIP_DEFAULT:
                    continue
                h = hyper
                if (problem_name == "rosenbrock" and label != "default" and name in ROSENBROCK_LR
                        and h["lr"] > ROSENBROCK_LR[name]):
                    h = {**hyper, "lr": ROSENBROCK_LR[name]}
                add(label, name, h, problem_name, [h["lr"]] * STEPS)
        if name != "rprop":  # the rate changes before every step, as a schedule sets it
            hyper = settings[-1][1]
            lr0 = 5 * hyper["lr"] if name != "asgd" else hyper["lr"]
            add("varlr", name, hyper, "regression", [lr0 * 0.9 ** k for k in range(STEPS)])

    momentum_cases = []
    for i, (name, hyper, zero_at) in enumerate(MOMENTUM_CASES):
        for problem_name in ("regression", "rosenbrock"):
            h = {**hyper, "lr": 5e-4} if problem_name == "rosenbrock" and name in (
                "momentum", "nesterov", "radam") else hyper
            momenta = momentum_sequence(zero_at)
            lrs = [h["lr"]] * STEPS
            grads, params, _ = run(name, h, problems[problem_name], lrs, momenta)
            momentum_cases.append({"name": f"{name}/cycle{i}/{problem_name}", "optimizer": name,
                                   "problem": problem_name, "hyper": h, "lr": lrs,
                                   "momentum": momenta, "grads": grads, "params": params})

    coverage.check()
    golden = {
        "comment": "generated by scripts/gen_optim_golden_torchzoo.py; do not edit",
        "torch_version": torch.__version__,
        **({"dtype": "float32"} if base.FLOAT32 else {}),
        "steps": STEPS,
        "problems": problems,
        "cases": cases,
        "momentum_cases": momentum_cases,
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases and {len(momentum_cases)} momentum cases to "
          f"{os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
