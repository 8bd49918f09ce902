#!/usr/bin/env python3
"""Generate internal/optim/testdata/golden.json: optimizer trajectories computed by PyTorch.

Regenerate, from the repository root:

    apt-get install python3-torch          # Debian's PyTorch (1.13) is enough
    /usr/bin/python3 scripts/gen_optim_golden.py

The Go tests only read the JSON file; they never need PyTorch.

    /usr/bin/python3 scripts/gen_optim_golden.py --float32

runs the same cases in float32 (torch.float32 tensors throughout: the problems' data, the
parameters, gradients and optimizer state, and PyTorch's float32 kernels) and writes
internal/optim/testdata/float32/golden.json instead; the float64 file is not touched. The
scripts that import this one (the zoo, L-BFGS and reference generators) take the same flag.

Each case runs one optimizer with one hyperparameter setting for STEPS full-batch steps on one
of three problems, all in float64 (float32 with --float32) on one thread, with torch.optim's
single-tensor code path (foreach=False). For every step the file records the learning rate used, the raw gradient handed
to the optimizer (before weight decay) and the parameters after the step, so the Go test can feed
PyTorch's own gradients to the Go optimizer and compare the optimizer alone.

Problems (data drawn here from a fixed NumPy seed and stored in the file; parameters are one flat
vector, as in optimbench):
  regression      linear model, loss = mean (z - y)^2, theta = [w_1..w_d, b], zero start
  classification  softmax regression, loss = mean -log softmax(z)_y,
                  theta = [W (classes x features, row-major), b], zero start
  rosenbrock      (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2.0)

nadam: PyTorch 1.13's torch.optim.NAdam multiplies mu_t into the product twice when forming
mu_product_next (fixed in 2.0), so nadam is computed by NAdam20 below, a transcription of
PyTorch 2.0's _single_tensor_nadam (SPEC.md section 4).
"""

import inspect
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

STEPS = 30
SEED = 20240601
# --float32: every tensor in float32 (the default dtype), and the files go to testdata/float32.
FLOAT32 = "--float32" in sys.argv[1:]
DTYPE = torch.float32 if FLOAT32 else torch.float64
NP_DTYPE = np.float32 if FLOAT32 else np.float64
TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "internal", "optim",
                        "testdata", *(["float32"] if FLOAT32 else []))


def out_path(name):
    """The path of testdata file name for the precision of this run."""
    os.makedirs(TESTDATA, exist_ok=True)
    return os.path.join(TESTDATA, name)


OUT = out_path("golden.json")

torch.set_default_dtype(DTYPE)
torch.set_num_threads(1)
torch.manual_seed(SEED)

# PyTorch 2.x defaults, by optimbench config key (SPEC.md section 4). check_defaults compares
# them with the installed torch.optim signatures where PyTorch has the same default.
DEFAULTS = {
    "sgd": {"lr": 0.001, "weight_decay": 0.0},
    "momentum": {"lr": 0.001, "momentum": 0.9, "weight_decay": 0.0},
    "nesterov": {"lr": 0.001, "momentum": 0.9, "weight_decay": 0.0},
    "adagrad": {"lr": 0.01, "eps": 1e-10, "lr_decay": 0.0, "initial_accumulator": 0.0,
                "weight_decay": 0.0},
    "rmsprop": {"lr": 0.01, "rho": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": False,
                "weight_decay": 0.0},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
    "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "amsgrad": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "adamw": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
    "adamax": {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "nadam": {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004,
              "weight_decay": 0.0},
}

# The non-default settings: each exercises the optional parts of its rule.
SETTINGS = {
    "sgd": [{"lr": 0.01, "weight_decay": 0.1}],
    "momentum": [{"lr": 0.01, "momentum": 0.5, "weight_decay": 0.05}],
    "nesterov": [{"lr": 0.01, "momentum": 0.8, "weight_decay": 0.05}],
    "adagrad": [{"lr": 0.1, "lr_decay": 0.05, "initial_accumulator": 0.5, "eps": 1e-6,
                 "weight_decay": 0.01}],
    "rmsprop": [{"lr": 0.005, "rho": 0.9, "momentum": 0.7, "centered": True, "eps": 1e-6,
                 "weight_decay": 0.01},
                {"momentum": 0.5},
                {"centered": True}],
    "adadelta": [{"lr": 0.5, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.02}],
    "adam": [{"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.01}],
    "amsgrad": [{"lr": 0.01, "beta1": 0.8, "beta2": 0.6, "eps": 1e-6, "weight_decay": 0.01}],
    "adamw": [{"lr": 0.01, "beta1": 0.85, "beta2": 0.995, "weight_decay": 0.1}],
    "adamax": [{"lr": 0.01, "beta1": 0.8, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01}],
    "nadam": [{"lr": 0.01, "beta1": 0.95, "beta2": 0.99, "momentum_decay": 0.01,
               "weight_decay": 0.01}],
}

# Rosenbrock's curvature at the start (about 1900) makes plain gradient steps above 1e-3
# diverge, so the non-default settings of these optimizers use this lr there.
ROSENBROCK_LR = {"sgd": 5e-4, "momentum": 5e-4, "nesterov": 5e-4}


class NAdam20(torch.optim.Optimizer):
    """torch.optim.NAdam of PyTorch 2.0 (single tensor, differentiable=False)."""

    def __init__(self, params, lr, betas, eps, weight_decay, momentum_decay):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay))

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


def no_foreach(cls):
    """Keyword arguments that select the single-tensor path of cls, where it has a choice."""
    return {"foreach": False} if "foreach" in inspect.signature(cls.__init__).parameters else {}


def make_optimizer(name, h, params):
    betas = (h.get("beta1"), h.get("beta2"))
    if name in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD(params, lr=h["lr"], momentum=h.get("momentum", 0.0),
                               weight_decay=h["weight_decay"], nesterov=name == "nesterov",
                               **no_foreach(torch.optim.SGD))
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=h["lr"], lr_decay=h["lr_decay"],
                                   weight_decay=h["weight_decay"],
                                   initial_accumulator_value=h["initial_accumulator"],
                                   eps=h["eps"], **no_foreach(torch.optim.Adagrad))
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=h["lr"], alpha=h["rho"], eps=h["eps"],
                                   weight_decay=h["weight_decay"], momentum=h["momentum"],
                                   centered=h["centered"], **no_foreach(torch.optim.RMSprop))
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=h["lr"], rho=h["rho"], eps=h["eps"],
                                    weight_decay=h["weight_decay"],
                                    **no_foreach(torch.optim.Adadelta))
    if name in ("adam", "amsgrad"):
        return torch.optim.Adam(params, lr=h["lr"], betas=betas, eps=h["eps"],
                                weight_decay=h["weight_decay"], amsgrad=name == "amsgrad",
                                **no_foreach(torch.optim.Adam))
    if name == "adamw":
        return torch.optim.AdamW(params, lr=h["lr"], betas=betas, eps=h["eps"],
                                 weight_decay=h["weight_decay"], **no_foreach(torch.optim.AdamW))
    if name == "adamax":
        return torch.optim.Adamax(params, lr=h["lr"], betas=betas, eps=h["eps"],
                                  weight_decay=h["weight_decay"], **no_foreach(torch.optim.Adamax))
    if name == "nadam":
        return NAdam20(params, lr=h["lr"], betas=betas, eps=h["eps"],
                       weight_decay=h["weight_decay"], momentum_decay=h["momentum_decay"])
    raise ValueError(f"unknown optimizer {name!r}")


def check_defaults():
    """Fail when DEFAULTS disagrees with a default of the installed torch.optim."""
    torch_keys = {"lr": "lr", "eps": "eps", "weight_decay": "weight_decay",
                  "lr_decay": "lr_decay", "initial_accumulator": "initial_accumulator_value",
                  "momentum_decay": "momentum_decay", "centered": "centered"}
    classes = {"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
               "adadelta": torch.optim.Adadelta, "adam": torch.optim.Adam,
               "amsgrad": torch.optim.Adam, "adamw": torch.optim.AdamW,
               "adamax": torch.optim.Adamax, "nadam": torch.optim.NAdam}
    for name, cls in classes.items():
        sig = inspect.signature(cls.__init__).parameters
        for key, value in DEFAULTS[name].items():
            if key in ("beta1", "beta2"):
                want = sig["betas"].default[key == "beta2"]
            elif key == "rho":
                want = sig["alpha" if name == "rmsprop" else "rho"].default
            elif key == "momentum":
                want = sig["momentum"].default
            else:
                want = sig[torch_keys[key]].default
            assert want == value, (name, key, value, want)


def make_problems(rng):
    n, d, classes = 40, 3, 3
    x = rng.normal(size=(n, d))
    w_true, b_true = np.array([1.5, -2.0, 0.5]), 0.3
    y = x @ w_true + b_true + 0.1 * rng.normal(size=n)
    regression = {"kind": "linear_mse", "features": d, "x": x.tolist(), "y": y.tolist(),
                  "layout": "theta = [w_1..w_features, b]",
                  "init": [0.0] * (d + 1)}

    centers = rng.normal(scale=1.5, size=(classes, d))
    labels = rng.integers(0, classes, size=n)
    xc = centers[labels] + rng.normal(size=(n, d))
    classification = {"kind": "softmax_ce", "features": d, "classes": classes,
                      "x": xc.tolist(), "y": labels.tolist(),
                      "layout": "theta = [W (classes x features, row-major), b (classes)]",
                      "init": [0.0] * (classes * d + classes)}

    rosenbrock = {"kind": "rosenbrock", "layout": "theta = [x, y]", "init": [-1.5, 2.0]}
    return {"regression": regression, "classification": classification,
            "rosenbrock": rosenbrock}


def loss_fn(problem):
    kind = problem["kind"]
    if kind == "linear_mse":
        x, y, d = torch.tensor(problem["x"]), torch.tensor(problem["y"]), problem["features"]
        return lambda th: torch.mean((x @ th[:d] + th[d] - y) ** 2)
    if kind == "softmax_ce":
        x, y = torch.tensor(problem["x"]), torch.tensor(problem["y"])
        d, c = problem["features"], problem["classes"]
        return lambda th: F.cross_entropy(x @ th[:c * d].view(c, d).T + th[c * d:], y)
    if kind == "rosenbrock":
        return lambda th: (1 - th[0]) ** 2 + 100 * (th[1] - th[0] ** 2) ** 2
    raise ValueError(kind)


def run(name, hyper, problem, lrs):
    theta = torch.tensor(problem["init"], requires_grad=True)
    f = loss_fn(problem)
    opt = make_optimizer(name, hyper, [theta])
    grads, params, losses = [], [], []
    for lr in lrs:
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad()
        loss = f(theta)
        loss.backward()
        losses.append(loss.item())
        grads.append(theta.grad.tolist())
        opt.step()
        params.append(theta.detach().tolist())
    losses.append(f(theta.detach()).item())
    assert all(np.isfinite(params[-1])), (name, hyper)
    if name == "amsgrad":
        state = opt.state[theta]
        run.amsgrad_max_used |= bool((state["max_exp_avg_sq"] > state["exp_avg_sq"]).any())
    return grads, params, losses


run.amsgrad_max_used = False


def main():
    check_defaults()
    rng = np.random.default_rng(SEED)
    problems = make_problems(rng)
    cases = []

    def add(label, name, hyper, problem_name, lrs):
        grads, params, losses = run(name, hyper, problems[problem_name], lrs)
        cases.append({"name": f"{name}/{label}/{problem_name}", "optimizer": name,
                      "problem": problem_name, "hyper": hyper, "lr": lrs,
                      "grads": grads, "params": params})
        print(f"{cases[-1]['name']:40s} loss {losses[0]:.4g} -> {losses[-1]:.4g}",
              file=sys.stderr)

    for name, default in DEFAULTS.items():
        settings = [("default", default)]
        settings += [(f"set{i + 1}", {**default, **s}) for i, s in enumerate(SETTINGS[name])]
        for label, hyper in settings:
            for problem_name in problems:
                if problem_name == "rosenbrock" and label != "default" and name in ROSENBROCK_LR:
                    hyper = {**hyper, "lr": ROSENBROCK_LR[name]}
                add(label, name, hyper, problem_name, [hyper["lr"]] * STEPS)
        # The learning rate changes before every step, as a schedule would set it.
        lr0 = 5 * default["lr"]
        add("varlr", name, default, "regression", [lr0 * 0.9 ** k for k in range(STEPS)])

    assert run.amsgrad_max_used, "no amsgrad case exercises the running maximum"
    golden = {
        "comment": "generated by scripts/gen_optim_golden.py; do not edit",
        "torch_version": torch.__version__,
        **({"dtype": "float32"} if FLOAT32 else {}),
        "steps": STEPS,
        "problems": problems,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
