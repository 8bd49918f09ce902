#!/usr/bin/env python3
"""Generate internal/optim/testdata/golden_reference.json: trajectories of the optimizers that
PyTorch 1.13 does not have, each transcribed in NumPy from its authors' reference code.

Regenerate, from the repository root:

    apt-get install python3-torch python3-numpy   # Debian's PyTorch (1.13) computes the gradients
    /usr/bin/python3 scripts/ref_optim.py

The Go tests only read the JSON file; they never need Python.

    /usr/bin/python3 scripts/ref_optim.py --float32

runs every transcription in float32 and writes testdata/float32/golden_reference.json: the
parameters, gradients (torch autograd on float32 tensors) and state are np.float32 arrays, so
every array operation rounds to float32, while the scalars (bias corrections, norms read with
float(), step sizes) stay Python floats (double), converted to float32 where they meet an array:
NumPy 1.x's casting of a Python float against a float32 array, and PyTorch's of a Python scalar
against a float32 tensor.

The references (each function below names its repository, file and commit, and the paper):

    lion       google/automl               lion/lion_pytorch.py
    signum     apache/mxnet 1.1.0          src/operator/optimizer_op-inl.h, SignumKernel and
               SignSGDKernel (the optimizer jxbz/signSGD's experiments call)
    adabelief  juntang-zhuang/Adabelief-Optimizer
                                           pypi_packages/adabelief_pytorch0.2.1/adabelief_pytorch/AdaBelief.py
    yogi       tensorflow/addons           tensorflow_addons/optimizers/yogi.py (no authors' code)
    adopt      iShohei220/adopt            src/adopt/adopt.py
    lars       kakaobrain/torchlars        torchlars/lars.py + adaptive_lr.cc, around torch.optim.SGD;
               the exclusion of 1-D tensors as facebookresearch/barlowtwins main.py's LARS
    lamb       tensorflow/addons           tensorflow_addons/optimizers/lamb.py

Each transcription keeps the order of the floating-point operations of its reference (with
ATen's addcmul/addcdiv read as self + (value*t1)*t2 and self + (value*t1)/t2, and
add(other, alpha) as self + alpha*other), so the Go rules can follow it line by line.

The problems (the regression, classification and Rosenbrock problems, their data and starting
points, STEPS and SEED) are those of scripts/gen_optim_golden.py, imported from it. For every
step the file records the learning rate, the raw gradient handed to the optimizer (computed here
by torch autograd at the current parameters, before weight decay) and the parameters after the
step, in golden.json's schema. Parameters are one flat float64 vector; the per-layer methods
(lars, lamb) see it as the problem's tensors: the weight matrix (outputs x features, row-major),
then the bias; a Rosenbrock point is one vector.
"""

import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_optim_golden as base  # noqa: E402  (problems, loss functions, STEPS, SEED)

OUT = base.out_path("golden_reference.json")

# Defaults by optimbench config key (PyTorch-style names; tuples split into beta1/beta2).
DEFAULTS = {
    "lion": {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},
    "signum": {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.0},
    "adabelief": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-16, "weight_decay": 0.0,
                  "decoupled_weight_decay": True, "fixed_decay": False, "rectify": True,
                  "degenerated_to_sgd": True, "amsgrad": False},
    "yogi": {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3,
             "initial_accumulator": 1e-6, "weight_decay": 0.0},
    "adopt": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.9999, "eps": 1e-6, "weight_decay": 0.0,
              "decoupled_weight_decay": False, "clip": True, "clip_exponent": 0.25},
    "lars": {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.0, "trust_coefficient": 0.001,
             "eps": 1e-8, "exclude_bias": False},
    "lamb": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "weight_decay": 0.0,
             "exclude_bias": False},
}

# The non-default settings: together they exercise every optional branch of each rule.
SETTINGS = {
    "lion": [{"lr": 1e-3, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.5}],
    "signum": [{"lr": 0.005, "momentum": 0.5, "weight_decay": 0.05},
               {"lr": 0.005, "momentum": 0.0, "weight_decay": 0.1}],    # signSGD
    "adabelief": [
        {"lr": 0.01, "eps": 1e-8, "weight_decay": 0.01, "decoupled_weight_decay": False,
         "rectify": False, "amsgrad": True, "beta2": 0.6},
        {"lr": 0.01, "weight_decay": 0.1, "fixed_decay": True, "degenerated_to_sgd": False,
         "amsgrad": True, "beta2": 0.9},
        {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1, "rectify": False},
    ],
    "yogi": [{"lr": 0.05, "beta1": 0.8, "beta2": 0.9, "eps": 1e-4, "initial_accumulator": 0.1,
              "weight_decay": 0.01},
             {"beta1": 0.0, "initial_accumulator": 0.0}],
    "adopt": [{"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-4, "weight_decay": 0.1,
               "decoupled_weight_decay": True},
              {"lr": 0.01, "weight_decay": 0.01, "clip": False},
              {"lr": 0.01, "beta2": 0.5, "clip_exponent": 0.1}],
    "lars": [{"lr": 0.5, "momentum": 0.5, "weight_decay": 0.01, "trust_coefficient": 0.01,
              "eps": 1e-6},
             {"lr": 0.05, "weight_decay": 0.05, "exclude_bias": True}],
    "lamb": [{"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.01},
             {"lr": 0.01, "weight_decay": 0.1, "exclude_bias": True}],
}

# exclude_bias makes a Rosenbrock point (a 1-D tensor) plain momentum SGD, which diverges above
# lr 1e-3 there (Rosenbrock's curvature at the start is about 1900).
ROSENBROCK_LR = {("lars", "set2"): 5e-4}

# Branches that some case must take; each optimizer below counts them as it runs.
USED = {k: False for k in ("adabelief_amsgrad_max", "adabelief_rectified", "adabelief_sgd",
                           "adabelief_skip", "yogi_sign_negative", "adopt_clipped",
                           "lars_zero_norm", "lamb_zero_norm")}


def zeros(n):
    """A state vector of n zeros in the run's precision (float64, or float32 with --float32)."""
    return np.zeros(n, dtype=base.NP_DTYPE)


def sign(x):
    """sign with sign(0) = 0, as torch.sign, tf.sign and MXNet's (x > 0) - (x < 0)."""
    return np.sign(x)


def norm(x):
    return math.sqrt(float(np.dot(x, x)))


def lion(h, layout):
    """Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2).

    Reference: google/automl, lion/lion_pytorch.py, class Lion.step, at commit
    6a54c8741e7c3265d4547c4f35f47a0391122dc5 (file last changed in
    b21d6ced9bc9b748e1c8ab9fdebf2c44c57e63ae). Defaults lr 1e-4, betas (0.9, 0.99),
    weight_decay 0 (decoupled: p.mul_(1 - lr*wd), as the paper).
    """
    b1, b2, wd = h["beta1"], h["beta2"], h["weight_decay"]
    m = zeros(layout.size)

    def step(p, g, t, lr):
        p *= 1 - lr * wd                      # p.data.mul_(1 - lr * weight_decay)
        update = m * b1 + g * (1 - b1)        # exp_avg * beta1 + grad * (1 - beta1)
        p += -lr * sign(update)               # p.add_(update.sign_(), alpha=-lr)
        m[:] = m * b2 + (1 - b2) * g          # exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)
    return step


def signum(h, layout):
    """Signum and signSGD (Bernstein, Wang, Azizzadenesheli & Anandkumar 2018, "signSGD:
    Compressed Optimisation for Non-Convex Problems", Algorithms 1 and 3).

    The authors' code, jxbz/signSGD (commit cf57e9272f99d7ceb3c5f824d4790beb970e35e2), trains
    with MXNet's built-in optimizer (gluon.Trainer(..., 'signum', {'learning_rate', 'wd',
    'momentum'})), which the authors contributed: apache/mxnet pull request #9220, commit
    5251b861693402a3e6394da990a5af183b6f7247, released in MXNet 1.1.0 (tag commit
    07a83a0325a3d782513a04f47d711710972cb144): python/mxnet/optimizer.py class Signum (defaults
    learning_rate 0.01, momentum 0.9, wd_lh 0; a state only when momentum != 0) and
    src/operator/optimizer_op-inl.h, SignumKernel and SignSGDKernel, transcribed here with
    rescale_grad 1, no clip_gradient and wd_lh 0:

        momentum > 0: mom = momentum*mom - (1-momentum)*wd*w - (1-momentum)*g
                      w   = (1 - lr*wd_lh)*w + lr*sign(mom)
        momentum = 0: w   = (1 - lr*wd)*w - lr*sign(g)

    MXNet's mom is the negated exponential average; m below is -mom, which changes no rounding
    (negation is exact). sign(0) = 0.
    """
    mu, wd = h["momentum"], h["weight_decay"]
    m = zeros(layout.size)

    def step(p, g, t, lr):
        if mu != 0:
            m[:] = mu * m + (1 - mu) * wd * p + (1 - mu) * g
            p -= lr * sign(m)
        else:
            p[:] = (1 - lr * wd) * p - lr * sign(g)
    return step


def adabelief(h, layout):
    """AdaBelief (Zhuang et al. 2020, "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
    Observed Gradients", NeurIPS, Algorithm 2), with its PyTorch package's options.

    Reference: juntang-zhuang/Adabelief-Optimizer,
    pypi_packages/adabelief_pytorch0.2.1/adabelief_pytorch/AdaBelief.py (adabelief-pytorch 0.2.1,
    the package's newest), class AdaBelief.step, at commit
    2855178eff6776762793f915ce2c615f776a1e4b (file last changed in
    1059ccab1bdf0d18bfd44028579e4909bb866cee). Defaults lr 1e-3, betas (0.9, 0.999), eps 1e-16,
    weight_decay 0, amsgrad False, weight_decouple True, fixed_decay False, rectify True,
    degenerated_to_sgd True.

    As in the reference, eps is added to the stored s in place (exp_avg_var.add_(eps)) at every
    step, then once more outside the root; the rectified branch takes its denominator from s
    (not from the amsgrad maximum) and has no sqrt(bias_correction2) in it.
    """
    b1, b2, eps, wd = h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
    m, s, smax = zeros(layout.size), zeros(layout.size), zeros(layout.size)

    def step(p, g, t, lr):
        g = g.copy()
        if h["decoupled_weight_decay"]:
            if not h["fixed_decay"]:
                p *= 1.0 - lr * wd
            else:
                p *= 1.0 - wd
        elif wd != 0:
            g += wd * p                                   # grad.add_(p.data, alpha=wd)
        bias_correction1 = 1 - b1 ** t
        bias_correction2 = 1 - b2 ** t
        m[:] = m * b1 + (1 - b1) * g                      # exp_avg.mul_(b1).add_(g, alpha=1-b1)
        r = g - m
        s[:] = s * b2 + (1 - b2) * r * r                  # .mul_(b2).addcmul_(r, r, value=1-b2)
        if h["amsgrad"]:
            s[:] = s + eps                                # exp_avg_var.add_(eps), in place
            USED["adabelief_amsgrad_max"] |= bool((smax > s).any())
            smax[:] = np.maximum(smax, s)
            denom = np.sqrt(smax) / math.sqrt(bias_correction2) + eps
        else:
            s[:] = s + eps
            denom = np.sqrt(s) / math.sqrt(bias_correction2) + eps
        if not h["rectify"]:
            step_size = lr / bias_correction1
            p += (-step_size * m) / denom                 # addcdiv_(m, denom, value=-step_size)
            return
        beta2_t = b2 ** t
        n_sma_max = 2 / (1 - b2) - 1
        n_sma = n_sma_max - 2 * t * beta2_t / (1 - beta2_t)
        if n_sma >= 5:
            step_size = math.sqrt((1 - beta2_t) * (n_sma - 4) / (n_sma_max - 4) * (n_sma - 2)
                                  / n_sma * n_sma_max / (n_sma_max - 2)) / (1 - b1 ** t)
        elif h["degenerated_to_sgd"]:
            step_size = 1.0 / (1 - b1 ** t)
        else:
            step_size = -1
        if n_sma >= 5:
            USED["adabelief_rectified"] = True
            denom = np.sqrt(s) + eps
            p += (-step_size * lr * m) / denom
        elif step_size > 0:
            USED["adabelief_sgd"] = True
            p += (-step_size * lr) * m                    # p.add_(m, alpha=-step_size*lr)
        else:
            USED["adabelief_skip"] = True
    return step


def yogi(h, layout):
    """Yogi (Zaheer, Reddi, Sachan, Kale & Kumar 2018, "Adaptive Methods for Nonconvex
    Optimization", NeurIPS, Algorithm 2). The authors released no code; this is the
    implementation of tensorflow/addons, tensorflow_addons/optimizers/yogi.py, class Yogi,
    _resource_apply_dense (activation "sign", l1 = l2 = 0), at commit
    d208d752e98c310280938efa939117bf635a60a8 (file last changed in
    339159fc361cc8248a99f6703b4f33aa5c9943ac). Defaults learning_rate 0.01, beta1 0.9,
    beta2 0.999, epsilon 1e-3, initial_accumulator_value 1e-6: v starts at 1e-6 (the paper's
    v_0 > 0), m at zero. Bias correction as TFA has it, folded into the rate:
    lr_t = lr*sqrt(1 - beta2^t)/(1 - beta1^t), with epsilon outside the root and not corrected.
    TFA's beta1 == 0 branch uses g for m, the same numbers as the general branch.

    weight_decay is optimbench's L2 convention (g <- g + wd*theta before the update); TFA has a
    proximal l2 instead, which optimbench does not offer.
    """
    b1, b2, eps, wd = h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
    m = zeros(layout.size)
    v = np.full(layout.size, h["initial_accumulator"], dtype=base.NP_DTYPE)

    def step(p, g, t, lr):
        if wd != 0:
            g = g + wd * p
        lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m[:] = m * b1 + g * (1 - b1)
        grad2 = g * g
        sgn = sign(grad2 - v)
        USED["yogi_sign_negative"] |= bool((sgn < 0).any())
        v[:] = v + (1 - b2) * sgn * grad2
        per_coord_lr = lr_t / (np.sqrt(v) + eps)
        p[:] = p - per_coord_lr * m
    return step


def adopt(h, layout):
    """ADOPT (Taniguchi et al. 2024, "ADOPT: Modified Adam Can Converge with Any beta2 with the
    Optimal Rate", NeurIPS, Algorithm 1 with the clipping of its Section 5).

    Reference: iShohei220/adopt, src/adopt/adopt.py, _single_tensor_adopt, at commit
    6468572b4b3688a2f056b796b071da540568520e. Defaults lr 1e-3, betas (0.9, 0.9999), eps 1e-6,
    clip_lambda = lambda step: step**0.25, weight_decay 0, decouple False. The first call only
    sets v = g^2 (step == 0, no update); call t >= 2 clips g/max(sqrt(v), eps) to
    +-(t-1)**clip_exponent (the reference's step counter counts the earlier calls), updates m,
    then theta, and v last. clip False is the reference's clip_lambda=None.
    """
    b1, b2, eps, wd = h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
    decouple = h["decoupled_weight_decay"]
    m, v = zeros(layout.size), zeros(layout.size)

    def step(p, g, t, lr):
        if wd != 0 and not decouple:
            g = g + wd * p                                # grad.add(param, alpha=wd)
        if t == 1:                                        # step == 0
            v[:] = v + g * g                              # exp_avg_sq.addcmul_(grad, grad)
            return
        if wd != 0 and decouple:
            p += (-lr * wd) * p                           # param.add_(param, alpha=-lr*wd)
        denom = np.maximum(np.sqrt(v), eps)               # torch.clamp(sqrt, eps)
        normed = g / denom
        if h["clip"]:
            c = float(t - 1) ** h["clip_exponent"]        # clip_lambda(step)
            USED["adopt_clipped"] |= bool((np.abs(normed) > c).any())
            normed = np.clip(normed, -c, c)
        w = 1 - b1                                        # exp_avg.lerp_(normed, 1 - beta1)
        if abs(w) < 0.5:
            m[:] = m + w * (normed - m)
        else:
            m[:] = normed - (normed - m) * (1 - w)
        p += -lr * m                                      # param.add_(exp_avg, alpha=-lr)
        v[:] = v * b2 + (1 - b2) * g * g                  # .mul_(b2).addcmul_(g, g, value=1-b2)
    return step


def lars(h, layout):
    """LARS (You, Gitman & Ginsburg 2017, "Large Batch Training of Convolutional Networks",
    Algorithm 1), per tensor.

    Reference: kakaobrain/torchlars at commit 3b3d7e9c7bd35a31b2c2fa6f213beb0bf6881892:
    torchlars/lars.py (LARS wrapping torch.optim.SGD(momentum, dampening 0, nesterov False);
    LARS.step hides SGD's weight_decay and applies it itself) and torchlars/adaptive_lr.cc
    (ComputeAdaptiveLrAfterTypeCheck). Defaults eps 1e-8, trust_coef 0.001 (the paper's eta);
    the lr default 0.1 is the SGD of torchlars' own example. Per tensor, with the norms of the
    parameter and of the raw gradient:

        adaptive_lr = param_norm / (grad_norm + wd*param_norm + eps) * trust_coef
                      if param_norm > 0 and grad_norm > 0, else 1
        g = (g + wd*p) * adaptive_lr ; buf = momentum*buf + g ; p = p - lr*buf

    torchlars scales every tensor. exclude_bias True leaves the 1-D tensors (biases; a test
    function's point) without weight decay and without the trust ratio, as
    facebookresearch/barlowtwins main.py's LARS (commit
    8e8d284ca0bc02f88b92328e53f9b901e86b4a3c) with weight_decay_filter and
    lars_adaptation_filter on, exclude_bias_and_norm = p.ndim == 1.
    """
    mu, wd, eta, eps = h["momentum"], h["weight_decay"], h["trust_coefficient"], h["eps"]
    buf = zeros(layout.size)

    def step(p, g, t, lr):
        for lo, hi, matrix in layout.tensors:
            pt, gt, bt = p[lo:hi], g[lo:hi], buf[lo:hi]
            if h["exclude_bias"] and not matrix:
                d = gt.copy()
            else:
                param_norm, grad_norm = norm(pt), norm(gt)
                if param_norm > 0 and grad_norm > 0:
                    divisor = grad_norm + wd * param_norm + eps
                    adaptive_lr = param_norm / divisor * eta
                else:
                    USED["lars_zero_norm"] = True
                    adaptive_lr = 1.0
                d = (gt + wd * pt) * adaptive_lr          # p.grad.add_(wd, p); p.grad.mul_(alr)
            bt[:] = mu * bt + d                           # SGD: buf.mul_(mu).add_(d_p)
            pt += -lr * bt                                # p.add_(buf, alpha=-lr)
    return step


def lamb(h, layout):
    """LAMB (You et al. 2020, "Large Batch Optimization for Deep Learning: Training BERT in 76
    minutes", ICLR, Algorithm 2 with phi the identity), per tensor.

    Reference: tensorflow/addons, tensorflow_addons/optimizers/lamb.py, class LAMB,
    _resource_apply_dense, at commit d208d752e98c310280938efa939117bf635a60a8 (file last changed
    in 339159fc361cc8248a99f6703b4f33aa5c9943ac). Defaults learning_rate 1e-3, beta_1 0.9,
    beta_2 0.999, epsilon 1e-6, weight_decay 0, exclude_from_weight_decay None (so also
    exclude_from_layer_adaptation None): every tensor is decayed and adapted. exclude_bias True
    is TFA's exclude_from_weight_decay matching the 1-D tensors (exclude_from_layer_adaptation
    then defaults to the same list): neither decay nor ratio for them.
    """
    b1, b2, eps, wd = h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
    m, v = zeros(layout.size), zeros(layout.size)

    def step(p, g, t, lr):
        beta_1_power, beta_2_power = b1 ** float(t), b2 ** float(t)
        for lo, hi, matrix in layout.tensors:
            pt, gt, mt, vt = p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi]
            mt[:] = mt * b1 + gt * (1 - b1)
            vt[:] = vt * b2 + (gt * gt) * (1 - b2)
            m_hat = mt / (1.0 - beta_1_power)
            v_hat = vt / (1.0 - beta_2_power)
            update = m_hat / (np.sqrt(v_hat) + eps)
            excluded = h["exclude_bias"] and not matrix
            if not excluded:
                update = update + wd * pt
            ratio = 1.0
            if not excluded:
                w_norm, g_norm = norm(pt), norm(update)
                if w_norm > 0 and g_norm > 0:
                    ratio = w_norm / g_norm
                else:
                    USED["lamb_zero_norm"] = True
            pt[:] = pt - ratio * lr * update
    return step


OPTIMIZERS = {"lion": lion, "signum": signum, "adabelief": adabelief, "yogi": yogi,
              "adopt": adopt, "lars": lars, "lamb": lamb}


class Layout:
    """The tensors of a problem's flat vector: (start, end, is a weight matrix)."""

    def __init__(self, problem):
        self.size = len(problem["init"])
        kind = problem["kind"]
        if kind in ("linear_mse", "softmax_ce"):
            out = problem["classes"] if kind == "softmax_ce" else 1
            nw = out * problem["features"]
            self.tensors = [(0, nw, True), (nw, self.size, False)]
        else:
            self.tensors = [(0, self.size, False)]


def run(name, hyper, problem, lrs):
    f = base.loss_fn(problem)
    theta = np.array(problem["init"], dtype=base.NP_DTYPE)
    step = OPTIMIZERS[name](hyper, Layout(problem))
    grads, params, losses = [], [], []
    for t, lr in enumerate(lrs, start=1):
        th = torch.tensor(theta, requires_grad=True)
        loss = f(th)
        loss.backward()
        g = th.grad.numpy().copy()
        losses.append(loss.item())
        grads.append(g.tolist())
        step(theta, g.copy(), t, lr)
        params.append(theta.tolist())
    losses.append(f(torch.tensor(theta)).item())
    assert np.all(np.isfinite(theta)), (name, hyper)
    return grads, params, losses


def main():
    rng = np.random.default_rng(base.SEED)
    problems = base.make_problems(rng)
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
                if problem_name == "rosenbrock" and (name, label) in ROSENBROCK_LR:
                    hyper = {**hyper, "lr": ROSENBROCK_LR[name, label]}
                add(label, name, hyper, problem_name, [hyper["lr"]] * base.STEPS)
        # The learning rate changes before every step, as a schedule would set it.
        lr0 = 5 * default["lr"]
        add("varlr", name, default, "regression", [lr0 * 0.9 ** k for k in range(base.STEPS)])

    unused = [k for k, used in USED.items() if not used]
    assert not unused, f"no case takes the branches {unused}"
    golden = {
        "comment": "generated by scripts/ref_optim.py; do not edit",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        **({"dtype": "float32"} if base.FLOAT32 else {}),
        "steps": base.STEPS,
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
