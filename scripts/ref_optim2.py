#!/usr/bin/env python3
"""Generate internal/optim/testdata/golden_reference2.json: trajectories of the schedule-free
methods, Muon, Adafactor and Prodigy, transcribed in NumPy from their reference code.

Regenerate, from the repository root:

    /usr/bin/python3 scripts/ref_optim2.py

(NumPy only; the problems come from scripts/gen_optim_golden.py, which imports Debian's
python3-torch but uses it for nothing here.) The Go tests only read the JSON file.

    /usr/bin/python3 scripts/ref_optim2.py --float32

runs every transcription in float32 and writes testdata/float32/golden_reference2.json: the
parameters, gradients and state are np.float32 arrays (every array operation rounds to
float32), the scalars stay Python floats (double), and a norm is the float32 square root of a
float32 sum, as PyTorch's param.norm(2).item() on a float32 tensor.

Each function below transcribes one reference step in float64, operation by operation, in the
order of the reference's single-tensor code path; its docstring names the source (repository,
file, commit) and the paper. The references:

  sgd_schedulefree, adamw_schedulefree
      facebookresearch/schedule_free, schedulefree/sgd_schedulefree_reference.py
      (SGDScheduleFreeReference) and schedulefree/adamw_schedulefree_reference.py
      (AdamWScheduleFreeReference) at commit 70785b53e778d0e872c0bbb75ff4ee54ee10c291
      (schedulefree 1.4.1). Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky 2024,
      "The Road Less Scheduled".
  muon
      PyTorch 2.9's torch.optim.Muon, torch/optim/_muon.py (_single_tensor_muon,
      _zeropower_via_newtonschulz, _adjust_lr) as stored at pytorch/pytorch commit
      b5ee4d7a797023e11507aea90811559872ce8ff6 (also read at 098e03f91de9384cc3afdf5c8b9a6bbc442bd66a,
      same formulas), in float64 instead of bfloat16; the parameters Muon does not take (biases,
      a test function's point) get the AdamW of KellerJordan/Muon, muon.py (adam_update and
      SingleDeviceMuonWithAuxAdam) at commit 857d1adc159e098212f828d927460782d3da59e9.
      Jordan et al. 2024, "Muon: an optimizer for hidden layers in neural networks".
  adafactor
      PyTorch 2.5's torch.optim.Adafactor, torch/optim/_adafactor.py (_single_tensor_adafactor),
      read at pytorch/pytorch commit 5f65158aefc31977355102011b310a7d020e5604 (and at
      051d6a09bb159a48ac11006c454c0c979511d0f3: the same single-tensor formula).
      Shazeer & Stern 2018, "Adafactor: adaptive learning rates with sublinear memory cost".
  prodigy
      konstmish/prodigy, prodigyopt/prodigy.py (Prodigy, prodigyopt 1.1.2) at commit
      3efb213ee8af5a6bf76f28726398433a847b38e9. Mishchenko & Defazio 2024, "Prodigy: an
      expeditiously adaptive parameter-free learner".

Every case records, for each step, the learning rate, the raw gradient handed to the optimizer
(computed here at the point where the method takes gradients: the schedule-free methods' y,
which is what the parameters hold between steps), the parameters after the step and, for the
schedule-free methods, the evaluation point x after the step ("eval").

A parameter's layout is the model's: the weight matrix (outputs x features, row-major) then the
bias; a test function's point is one vector. The extra problem classification_tall (4 classes,
2 features) has a weight matrix with more rows than columns, for Muon's transposed branch and
its shape-scaled rate.
"""

import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_optim_golden import SEED, STEPS, make_problems  # noqa: E402  (the same problems)
from gen_optim_golden import FLOAT32, NP_DTYPE, out_path  # noqa: E402  (--float32)

OUT = out_path("golden_reference2.json")
# The stand-in for growth_rate = inf (Prodigy's default): d·MAX is +Inf or above d_max, so
# min(d_max, d·growth_rate) is d_max, as with inf.
GROWTH_INF = sys.float_info.max
FLOAT64_EPS = float(np.finfo(np.float64).eps)


# ----------------------------------------------------------------------------------------------
# Problems, gradients and layouts.

def tall_problem():
    """A softmax regression with more classes than features: its weight matrix is tall."""
    rng = np.random.default_rng(SEED + 1)
    n, d, classes = 24, 2, 4
    centers = rng.normal(scale=1.5, size=(classes, d))
    labels = rng.integers(0, classes, size=n)
    x = centers[labels] + rng.normal(size=(n, d))
    return {"kind": "softmax_ce", "features": d, "classes": classes, "x": x.tolist(),
            "y": labels.tolist(),
            "layout": "theta = [W (classes x features, row-major), b (classes)]",
            "init": [0.0] * (classes * d + classes)}


def gradient(problem, theta):
    """The gradient of the problem's loss at theta (SPEC.md section 7), as golden_test.go's."""
    kind = problem["kind"]
    if kind == "linear_mse":
        x, y, d = np.array(problem["x"]), np.array(problem["y"]), problem["features"]
        r = x @ theta[:d] + theta[d] - y
        n = len(y)
        return np.concatenate([2 * (x.T @ r) / n, [2 * r.sum() / n]])
    if kind == "softmax_ce":
        x, y = np.array(problem["x"]), np.array(problem["y"], dtype=int)
        d, c = problem["features"], problem["classes"]
        w, b = theta[:c * d].reshape(c, d), theta[c * d:]
        z = x @ w.T + b
        z = np.exp(z - z.max(axis=1, keepdims=True))
        p = z / z.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        p /= len(y)
        return np.concatenate([(p.T @ x).ravel(), p.sum(axis=0)])
    if kind == "rosenbrock":
        u, v = 1 - theta[0], theta[1] - theta[0] ** 2
        return np.array([-2 * u - 400 * theta[0] * v, 200 * v])
    raise ValueError(kind)


def layout(problem, n):
    """The tensors of the flat vector: (offset, rows, cols, is_matrix), as golden_test.go's."""
    if problem["kind"] in ("linear_mse", "softmax_ce"):
        out = problem["classes"] if problem["kind"] == "softmax_ce" else 1
        d = problem["features"]
        return [(0, out, d, True), (out * d, out, 1, False)]
    return [(0, n, 1, False)]


def lerp(a, b, w):
    """ATen's lerp (PyTorch >= 2.0's Tensor.lerp_): from a when |w| < 1/2, from b otherwise."""
    if abs(w) < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (1 - w)


def norm(v):
    """The Euclidean norm: a square root in v's precision (float64: math.sqrt's value)."""
    return float(np.sqrt(np.sum(v * v)))


def zeros(n):
    """A state vector of n zeros in the run's precision (float64, or float32 with --float32)."""
    return np.zeros(n, dtype=NP_DTYPE)


# ----------------------------------------------------------------------------------------------
# The optimizers. Each is a class with step(theta, grad, lr) -> new theta (and eval() for the
# schedule-free ones), built from the case's hyperparameters and the problem's layout.

class sgd_schedulefree:
    """Schedule-free SGD: facebookresearch/schedule_free, schedulefree/sgd_schedulefree_reference.py,
    SGDScheduleFreeReference.step, commit 70785b53e778d0e872c0bbb75ff4ee54ee10c291.
    Defazio et al. 2024, "The Road Less Scheduled", Algorithm 1 (SGD form)."""

    def __init__(self, h, tensors, n):
        self.h = h
        self.k, self.weight_sum, self.lr_max = 0, 0.0, -1.0
        self.z = self.x = None

    def step(self, p, grad, lr_in):
        h, k = self.h, self.k
        sched = (k + 1) / h["warmup_steps"] if k < h["warmup_steps"] else 1.0
        lr = lr_in * sched
        self.lr_max = lr_max = max(lr, self.lr_max)
        weight = ((k + 1) ** h["r"]) * (lr_max ** h["weight_lr_power"])
        self.weight_sum = self.weight_sum + weight
        ckp1 = weight / self.weight_sum if self.weight_sum != 0 else 0.0
        if self.z is None:
            self.z, self.x = p.copy(), p.copy()
        y = p
        if h["weight_decay"] != 0:
            grad = grad + h["weight_decay"] * y
        self.z = self.z - lr * grad
        self.x = self.x * (1 - ckp1) + ckp1 * self.z
        y = self.x * h["momentum"] + (1 - h["momentum"]) * self.z
        self.k = k + 1
        return y

    def eval(self):
        return self.x


class adamw_schedulefree:
    """Schedule-free AdamW: facebookresearch/schedule_free,
    schedulefree/adamw_schedulefree_reference.py, AdamWScheduleFreeReference.step (decay_at_z
    False, inner_momentum 0), commit 70785b53e778d0e872c0bbb75ff4ee54ee10c291.
    Defazio et al. 2024, "The Road Less Scheduled", Algorithm 1 (Adam form)."""

    def __init__(self, h, tensors, n):
        self.h = h
        self.k, self.weight_sum, self.lr_max = 0, 0.0, -1.0
        self.z = self.x = None
        self.v = zeros(n)

    def step(self, p, grad, lr_in):
        h, k = self.h, self.k
        beta1, beta2, eps, decay = h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
        sched = (k + 1) / h["warmup_steps"] if k < h["warmup_steps"] else 1.0
        bias_correction2 = 1 - beta2 ** (k + 1)
        lr = lr_in * sched
        self.lr_max = lr_max = max(lr, self.lr_max)
        weight = ((k + 1) ** h["r"]) * (lr_max ** h["weight_lr_power"])
        self.weight_sum = self.weight_sum + weight
        ckp1 = weight / self.weight_sum if self.weight_sum != 0 else 0.0
        if self.z is None:
            self.z, self.x = p.copy(), p.copy()
        y = p
        if decay != 0:
            self.z = self.z - (lr * decay) * y
        self.v = self.v * beta2 + (1 - beta2) * grad * grad
        denom = np.sqrt(self.v / bias_correction2) + eps
        self.z = self.z + (-lr) * (grad / denom)
        self.x = self.x * (1 - ckp1) + ckp1 * self.z
        y = self.x * beta1 + (1 - beta1) * self.z
        self.k = k + 1
        return y

    def eval(self):
        return self.x


NS_A, NS_B, NS_C = 3.4445, -4.7750, 2.0315  # torch/optim/_muon.py DEFAULT_A, _B, _C


def newton_schulz(g, steps, eps):
    """_zeropower_via_newtonschulz of torch/optim/_muon.py, in float64 (float32)."""
    x = g.T if g.shape[0] > g.shape[1] else g
    x = x / max(norm(x), eps)
    for _ in range(steps):
        gram = x @ x.T
        upd = NS_B * gram + NS_C * (gram @ gram)
        x = NS_A * x + upd @ x
    return x.T if g.shape[0] > g.shape[1] else x


class muon:
    """Muon: PyTorch 2.9's torch.optim.Muon, torch/optim/_muon.py (_single_tensor_muon,
    _adjust_lr), pytorch/pytorch commit b5ee4d7a797023e11507aea90811559872ce8ff6, for the weight
    matrices, in float64; every other tensor gets the AdamW of KellerJordan/Muon, muon.py
    (adam_update, SingleDeviceMuonWithAuxAdam.step), commit
    857d1adc159e098212f828d927460782d3da59e9, at the rate aux_lr * (lr / lr0).
    Jordan et al. 2024, "Muon: an optimizer for hidden layers in neural networks"."""

    def __init__(self, h, tensors, n):
        self.h, self.tensors = h, tensors
        self.lr0 = h["lr"]  # SetBaseLR(lr0): the case's lr
        self.buf = zeros(n)
        self.m, self.v = zeros(n), zeros(n)
        self.t = 0

    def step(self, p, grad, lr):
        h = self.h
        self.t += 1
        t = self.t
        p = p.copy()
        aux_lr = h["aux_lr"] * (lr / self.lr0)
        for off, rows, cols, matrix in self.tensors:
            s = slice(off, off + rows * cols)
            g = grad[s]
            if matrix:
                mu = h["momentum"]
                self.buf[s] = lerp(self.buf[s], g, 1 - mu)
                upd = lerp(g, self.buf[s], mu) if h["nesterov"] else self.buf[s]
                o = newton_schulz(upd.reshape(rows, cols), h["ns_steps"], h["eps"]).ravel()
                if h["adjust_lr_fn"] == "original":
                    ratio = math.sqrt(max(1, rows / cols))
                else:  # match_rms_adamw
                    ratio = 0.2 * math.sqrt(max(rows, cols))
                adjusted_lr = lr * ratio
                p[s] = p[s] * (1 - lr * h["weight_decay"])
                p[s] = p[s] + (-adjusted_lr) * o
            else:
                b1, b2 = h["aux_beta1"], h["aux_beta2"]
                self.m[s] = lerp(self.m[s], g, 1 - b1)
                self.v[s] = lerp(self.v[s], g * g, 1 - b2)
                mc = self.m[s] / (1 - b1 ** t)
                vc = self.v[s] / (1 - b2 ** t)
                u = mc / (np.sqrt(vc) + h["aux_eps"])
                p[s] = p[s] * (1 - aux_lr * h["aux_weight_decay"])
                p[s] = p[s] + (-aux_lr) * u
        return p


class adafactor:
    """Adafactor: PyTorch 2.5's torch.optim.Adafactor, torch/optim/_adafactor.py
    (_single_tensor_adafactor), pytorch/pytorch commit 5f65158aefc31977355102011b310a7d020e5604;
    eps1 None is the machine epsilon of float64. Shazeer & Stern 2018."""

    def __init__(self, h, tensors, n):
        self.h, self.tensors = h, tensors
        self.t = 0.0
        self.row, self.col, self.var = {}, {}, zeros(n)
        for off, rows, cols, matrix in tensors:
            if matrix:
                self.row[off], self.col[off] = zeros(rows), zeros(cols)

    def step(self, p, grad, lr):
        h = self.h
        eps1, eps2, d, wd = h["eps1"], h["eps2"], h["d"], h["weight_decay"]
        p = p.copy()
        self.t += 1.0
        step = self.t
        for off, rows, cols, matrix in self.tensors:
            numel = rows * cols
            s = slice(off, off + numel)
            g = grad[s]
            one_minus_beta2_t = step ** h["beta2_decay"]
            rho_t = min(lr, 1 / (step ** 0.5))
            alpha = max(eps2, norm(p[s]) / (numel ** 0.5)) * rho_t
            if wd != 0:
                p[s] = p[s] * (1 - lr * wd)
            if matrix:
                gm = g.reshape(rows, cols)
                row_norms = np.array([norm(gm[i, :]) for i in range(rows)], dtype=NP_DTYPE)
                row_mean = row_norms ** 2 / cols
                self.row[off] = lerp(self.row[off], row_mean, one_minus_beta2_t)
                col_norms = np.array([norm(gm[:, j]) for j in range(cols)], dtype=NP_DTYPE)
                col_mean = col_norms ** 2 / rows
                self.col[off] = lerp(self.col[off], col_mean, one_minus_beta2_t)
                var_estimate = np.outer(self.row[off], self.col[off]).ravel()
                var_estimate = var_estimate / max(self.row[off].sum() / rows, eps1)
            else:
                self.var[s] = lerp(self.var[s], g * g, one_minus_beta2_t)
                var_estimate = self.var[s].copy()
            update = 1 / np.sqrt(np.maximum(var_estimate, eps1 * eps1))
            update = update * g
            denom = max(1.0, norm(update) / ((numel ** 0.5) * d))
            p[s] = p[s] + (-alpha / denom) * update
        return p


class prodigy:
    """Prodigy: konstmish/prodigy, prodigyopt/prodigy.py, Prodigy.step (one parameter group,
    slice_p 1, no FSDP), commit 3efb213ee8af5a6bf76f28726398433a847b38e9.
    Mishchenko & Defazio 2024, "Prodigy: an expeditiously adaptive parameter-free learner"."""

    def __init__(self, h, tensors, n):
        self.h = h
        self.d = self.d_max = h["d0"]
        self.d_numerator, self.k = 0.0, 0
        self.s, self.m, self.v = zeros(n), zeros(n), zeros(n)
        self.p0 = None

    def step(self, p, grad, lr):
        h = self.h
        beta1, beta2, eps, decay, d0 = h["beta1"], h["beta2"], h["eps"], h["weight_decay"], h["d0"]
        beta3 = h["beta3"] if h["beta3"] != 0 else math.sqrt(beta2)  # 0 is the reference's None
        k, d, d_max = self.k, self.d, self.d_max
        if h["use_bias_correction"]:
            bias_correction = ((1 - beta2 ** (k + 1)) ** 0.5) / (1 - beta1 ** (k + 1))
        else:
            bias_correction = 1
        dlr = d * lr * bias_correction
        d_numerator = self.d_numerator * beta3
        delta_numerator, d_denom = 0.0, 0.0
        if decay != 0 and not h["decouple"]:
            grad = grad + decay * p
        if self.p0 is None:
            self.p0 = p.copy()
        if lr > 0.0:
            delta_numerator += (d / d0) * dlr * float(np.dot(grad, self.p0 - p))
            if beta1 > 0:
                self.m = self.m * beta1 + (d * (1 - beta1)) * grad
            self.v = self.v * beta2 + (d * d * (1 - beta2)) * grad * grad
            if h["safeguard_warmup"]:
                self.s = self.s * beta3 + ((d / d0) * d) * grad
            else:
                self.s = self.s * beta3 + ((d / d0) * dlr) * grad
            d_denom += float(np.abs(self.s).sum())
        if d_denom == 0:
            return p
        global_d_numerator = d_numerator + delta_numerator
        d_hat = h["d_coef"] * global_d_numerator / d_denom
        if d == d0:
            d = max(d, d_hat)
        d_max = max(d_max, d_hat)
        d = min(d_max, d * h["growth_rate"])
        self.d_numerator, self.d, self.d_max = global_d_numerator, d, d_max
        denom = np.sqrt(self.v) + d * eps
        if decay != 0 and h["decouple"]:
            p = p + (-decay * dlr) * p
        if beta1 > 0:
            p = p + (-dlr) * (self.m / denom)
        else:
            p = p + (-dlr * d) * (grad / denom)
        self.k = k + 1
        return p


# ----------------------------------------------------------------------------------------------
# Cases.

DEFAULTS = {
    "sgd_schedulefree": {"lr": 1.0, "momentum": 0.9, "weight_decay": 0.0, "warmup_steps": 0,
                         "r": 0.0, "weight_lr_power": 2.0},
    "adamw_schedulefree": {"lr": 0.0025, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                           "weight_decay": 0.0, "warmup_steps": 0, "r": 0.0,
                           "weight_lr_power": 2.0},
    "muon": {"lr": 0.001, "momentum": 0.95, "nesterov": True, "weight_decay": 0.1, "ns_steps": 5,
             "eps": 1e-7, "adjust_lr_fn": "original", "aux_lr": 3e-4, "aux_beta1": 0.9,
             "aux_beta2": 0.95, "aux_eps": 1e-10, "aux_weight_decay": 0.0},
    "adafactor": {"lr": 0.01, "beta2_decay": -0.8, "eps1": FLOAT64_EPS, "eps2": 1e-3, "d": 1.0,
                  "weight_decay": 0.0},
    "prodigy": {"lr": 1.0, "beta1": 0.9, "beta2": 0.999, "beta3": 0.0, "eps": 1e-8,
                "weight_decay": 0.0, "decouple": True, "use_bias_correction": False,
                "safeguard_warmup": False, "d0": 1e-6, "d_coef": 1.0, "growth_rate": GROWTH_INF},
}

# The non-default settings: each exercises the optional parts of its rule.
SETTINGS = {
    "sgd_schedulefree": [{"lr": 0.1, "momentum": 0.8, "weight_decay": 0.01, "warmup_steps": 5,
                          "r": 0.5, "weight_lr_power": 1.0}],
    "adamw_schedulefree": [{"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                            "weight_decay": 0.05, "warmup_steps": 5, "r": 1.0,
                            "weight_lr_power": 1.0}],
    "muon": [{"lr": 0.02, "momentum": 0.9, "nesterov": False, "weight_decay": 0.01, "ns_steps": 3,
              "adjust_lr_fn": "match_rms_adamw", "aux_lr": 0.01, "aux_beta1": 0.8,
              "aux_beta2": 0.99, "aux_eps": 1e-8, "aux_weight_decay": 0.05},
             {"lr": 0.05, "eps": 0.5}],  # eps above ‖B̃‖: the normalization's clamp binds
    "adafactor": [{"lr": 0.05, "beta2_decay": -0.5, "eps1": 1e-3, "eps2": 0.05, "d": 1.5,
                   "weight_decay": 0.1},
                  {"eps1": 0.5, "d": 5.0}],  # the eps1 clamps bind; no clipping
    "prodigy": [{"beta1": 0.8, "beta2": 0.99, "beta3": 0.9, "eps": 1e-6, "weight_decay": 0.05,
                 "decouple": False, "use_bias_correction": True, "safeguard_warmup": True,
                 "d0": 1e-4, "d_coef": 0.5, "growth_rate": 1.05},
                {"beta1": 0.0, "weight_decay": 0.1, "d0": 1e-3, "d_coef": 2.0}],
}

# Plain gradient steps at lr 1 diverge on Rosenbrock and on the regression; these problems
# take this lr instead in the schedule-free SGD cases (the default label needs the default lr).
LR_OVERRIDE = {("sgd_schedulefree", "regression"): 0.05,
               ("sgd_schedulefree", "rosenbrock"): 5e-4,
               ("sgd_schedulefree", "classification_tall"): 0.5}
NO_DEFAULT = {("sgd_schedulefree", "regression"), ("sgd_schedulefree", "rosenbrock")}

CLASSES = {"sgd_schedulefree": sgd_schedulefree, "adamw_schedulefree": adamw_schedulefree,
           "muon": muon, "adafactor": adafactor, "prodigy": prodigy}


def run(name, hyper, problem, lrs):
    theta = np.array(problem["init"], dtype=NP_DTYPE)
    opt = CLASSES[name](hyper, layout(problem, len(theta)), len(theta))
    grads, params, evals = [], [], []
    for lr in lrs:
        g = gradient(problem, theta).astype(NP_DTYPE)
        grads.append(g.tolist())
        theta = opt.step(theta, g.copy(), lr)
        params.append(theta.tolist())
        if hasattr(opt, "eval"):
            evals.append(opt.eval().tolist())
    assert np.all(np.isfinite(params[-1])), (name, hyper, params[-1])
    return grads, params, evals


def loss(problem, theta):
    kind = problem["kind"]
    if kind == "linear_mse":
        x, y, d = np.array(problem["x"]), np.array(problem["y"]), problem["features"]
        return float(np.mean((x @ theta[:d] + theta[d] - y) ** 2))
    if kind == "softmax_ce":
        x, y = np.array(problem["x"]), np.array(problem["y"], dtype=int)
        d, c = problem["features"], problem["classes"]
        z = x @ theta[:c * d].reshape(c, d).T + theta[c * d:]
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))
    return float((1 - theta[0]) ** 2 + 100 * (theta[1] - theta[0] ** 2) ** 2)


def main():
    problems = make_problems(np.random.default_rng(SEED))
    problems["classification_tall"] = tall_problem()
    assert DEFAULTS["prodigy"]["growth_rate"] * 1e-6 > 1e300
    cases = []

    def add(label, name, hyper, problem_name, lrs):
        grads, params, evals = run(name, hyper, problems[problem_name], lrs)
        case = {"name": f"{name}/{label}/{problem_name}", "optimizer": name,
                "problem": problem_name, "hyper": hyper, "lr": lrs, "grads": grads,
                "params": params}
        if evals:
            case["eval"] = evals
        cases.append(case)
        p = problems[problem_name]
        at = evals[-1] if evals else params[-1]
        print(f"{case['name']:50s} loss {loss(p, np.array(p['init'])):.4g} -> "
              f"{loss(p, np.array(at)):.4g}", file=sys.stderr)

    for name, default in DEFAULTS.items():
        settings = [("default", default)]
        settings += [(f"set{i + 1}", {**default, **s}) for i, s in enumerate(SETTINGS[name])]
        for label, hyper in settings:
            for problem_name in problems:
                if label == "default" and (name, problem_name) in NO_DEFAULT:
                    continue
                if label != "default" and (name, problem_name) in LR_OVERRIDE:
                    hyper = {**hyper, "lr": LR_OVERRIDE[(name, problem_name)]}
                add(label, name, hyper, problem_name, [hyper["lr"]] * STEPS)
        # The learning rate changes before every step, as a schedule would set it: up for ten
        # steps (a warm-up), then down.
        base = {**default, **SETTINGS[name][0]}
        if name == "sgd_schedulefree":
            base["lr"] = LR_OVERRIDE[(name, "regression")]
        lrs = [base["lr"] * min(1.0, (k + 1) / 10) * 0.9 ** max(0, k - 10) for k in range(STEPS)]
        add("varlr", name, base, "regression", lrs)
        add("varlr", name, base, "classification_tall", lrs)

    golden = {
        "comment": "generated by scripts/ref_optim2.py; do not edit",
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
