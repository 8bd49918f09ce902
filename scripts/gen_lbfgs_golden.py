#!/usr/bin/env python3
"""Generate internal/optim/testdata/lbfgs_golden.json: L-BFGS steps computed by PyTorch.

Regenerate, from the repository root:

    apt-get install python3-torch          # Debian's PyTorch 1.13
    /usr/bin/python3 scripts/gen_lbfgs_golden.py

The Go test (internal/optim/lbfgs_test.go, TestLBFGSGolden) only reads the JSON file; it never
needs PyTorch.

Reference: torch.optim.LBFGS of PyTorch 1.13 (torch/optim/lbfgs.py of Debian's 1.13.1+dfsg
package, whose torch.__version__ is 1.13.0a0: the file of tag v1.13.1 of
github.com/pytorch/pytorch), run as is: float64, one thread, and OpenBLAS on one thread
(OPENBLAS_NUM_THREADS=1, set before torch is imported: torch.dot calls OpenBLAS's ddot, which
splits vectors longer than 10000 across its own threads).

L-BFGS evaluates the objective again inside a step, so the fed-gradient format of golden*.json
does not fit: each case runs torch.optim.LBFGS(...).step(closure) STEPS times on a full-batch
problem, the closure computing the loss and its gradient at the current parameters. For every
step the file records the learning rate, the parameters after the step, the number of closure
calls the step made (PyTorch's first `orig_loss = closure()` included), the loss it returned and
state["n_iter"] after it. The Go test replays each case with the problem's loss and gradient
written in Go, and compares the parameters to 1e-9 relative and the counts exactly.

Two kinds of cases:
  autograd  the problems of scripts/gen_optim_golden.py (regression, classification,
            rosenbrock; imported from it, so the data are the same), the closure using
            autograd. Where L-BFGS amplifies the last-bit differences between autograd's
            gradient and the Go test's past 1e-9, a case stops earlier (AUTOGRAD_STEPS).
  exact     the same settings, the closure computing the loss and gradient in plain float
            arithmetic in the order of the Go test's own functions (exact_loss_grad), on the
            problems without exp or log: regression, rosenbrock, and two polynomials of one
            variable that reach the line search's rarest branches. The Go test then requires
            the parameters to agree to the last bit (on amd64, where Go fuses no
            multiply-add): the transcription of the optimizer is exact.

Hyperparameters are recorded under optimbench's keys: line_search is "none" or "strong_wolfe"
(line_search_fn None or "strong_wolfe"), and max_eval 0 stands for PyTorch's max_eval=None,
whose value is max_iter * 5 // 4.

The file also holds "kernels": torch's abs().sum() and dot() of deterministic vectors of several
lengths, so the Go test can check that its sum (ATen's cascade sum, AVX2) and dot product
(OpenBLAS's Haswell ddot) reproduce PyTorch's to the last bit.

With --float32 (see scripts/gen_optim_golden.py) it runs the exact cases in float32 and writes
testdata/float32/lbfgs_golden.json: torch.float32 parameters and L-BFGS state, the closure's
loss and gradient computed in plain float (double) arithmetic from the float32 parameters and
rounded to float32 (torch.tensor of the default dtype), as the Go test's float32 closure does;
its kernels are torch's float32 abs().sum() and dot() (the vectors rounded to float32); the
autograd cases and the coverage requirement are float64's only (the coverage is reported).

The generator traces which lines of torch/optim/lbfgs.py the cases execute and fails when a
statement of step, _strong_wolfe or _cubic_interpolate never runs (but for the two raises of
UNREACHED_TEXT).
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"

import inspect  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.optim.lbfgs as lbfgs_module  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_optim_golden as base  # noqa: E402

STEPS = 6
OUT = base.out_path("lbfgs_golden.json")

torch.set_default_dtype(base.DTYPE)
torch.set_num_threads(1)

# PyTorch 1.13's defaults, under optimbench's keys (max_eval 0: derived, max_iter * 5 // 4).
DEFAULT = {"lr": 1.0, "max_iter": 20, "max_eval": 0, "tolerance_grad": 1e-7,
           "tolerance_change": 1e-9, "history_size": 100, "line_search": "none"}

# The other settings: each exercises a branch (a short history that wraps around, the stops on
# max_iter, max_eval and each tolerance, a smaller rate, the line search's extrapolation and its
# zoom). The problems each runs on: all three of gen_optim_golden.py unless listed.
SETTINGS = {
    "wolfe": ({"line_search": "strong_wolfe"}, None),
    "history2": ({"history_size": 2, "max_iter": 6, "lr": 0.5}, None),
    "history3-wolfe": ({"history_size": 3, "max_iter": 7, "line_search": "strong_wolfe"}, None),
    "maxeval": ({"max_iter": 10, "max_eval": 4, "lr": 0.5}, None),
    "maxeval-wolfe": ({"max_eval": 9, "line_search": "strong_wolfe"}, None),
    "tolgrad": ({"tolerance_grad": 1e-3, "lr": 0.7}, None),
    "tolgrad-wolfe": ({"tolerance_grad": 1e-3, "line_search": "strong_wolfe"}, None),
    "tolchange": ({"tolerance_change": 1e-3, "lr": 0.7}, None),
    "tolchange-wolfe": ({"tolerance_change": 1e-4, "line_search": "strong_wolfe", "max_iter": 30},
                        None),
    "maxiter1": ({"max_iter": 1, "lr": 0.3}, None),
    # A first trial step too short: the line search extrapolates.
    "wolfe-short": ({"line_search": "strong_wolfe", "lr": 0.01, "max_iter": 10}, None),
    # A first trial step too long: the zoom phase, its Armijo failures and swaps.
    "wolfe-long": ({"line_search": "strong_wolfe", "lr": 30.0}, ["classification", "rosenbrock"]),
    # No tolerance: the zoom phase stops on the width of its bracket (d is tiny by then).
    "wolfe-exact": ({"line_search": "strong_wolfe", "tolerance_grad": 0.0,
                     "tolerance_change": 0.0}, ["regression"]),
}

BASE_PROBLEMS = ["regression", "classification", "rosenbrock"]

# The problems whose loss and gradient the "exact" cases compute in plain float arithmetic, as
# the Go test does (softmax's exp and log may round differently in Go and C).
EXACT_PROBLEMS = ["regression", "rosenbrock", "polynomial", "line"]

# The autograd cases run STEPS steps but for these, on which L-BFGS carries the last-bit
# differences between autograd's loss and gradient and the Go test's beyond 1e-9 after the step
# given (0: from the first): the near-separable classes, whose weights grow along a flat
# direction, Rosenbrock's valley, and the noise floor that wolfe-exact runs into. Their exact
# twins (regression, rosenbrock) run all STEPS steps and agree to the last bit.
AUTOGRAD_STEPS = {"classification/wolfe": 1, "classification/wolfe-long": 2,
                  "classification/history3-wolfe": 4, "classification/maxeval-wolfe": 4,
                  "rosenbrock/default": 5, "rosenbrock/tolgrad": 5,
                  "rosenbrock/history3-wolfe": 3, "regression/wolfe-exact": 0}

# A quartic along which the zoom phase twice interpolates next to the high end of its bracket
# and is moved 10% inside it (the rarest branch of _strong_wolfe, which the three problems above
# do not reach): f(x) = 0.1x^4 - 2.2x^3 + 0.1x^2 - 1.1x, by Horner's rule, from x = 0. It runs
# with every setting that has the line search.
POLYNOMIAL = {"kind": "polynomial", "coeffs": [0.1, -2.2, 0.1, -1.1, 0.0],
              "layout": "theta = [x]", "init": [0.0]}

# A descent direction along which f falls without end, f(x) = -x: every trial step of the line
# search is too short, and it stops on its limit of 25 evaluations.
LINE = {"kind": "polynomial", "coeffs": [-1.0, 0.0], "layout": "theta = [x]", "init": [0.0]}

# Fixed steps of lr 1 along the L-BFGS direction overshoot on Rosenbrock's valley; without the
# line search these rates keep the runs finite there.
ROSENBROCK_LR = {"default": 0.1, "history2": 0.1, "maxeval": 0.1, "tolgrad": 0.1,
                 "tolchange": 0.1, "maxiter1": 0.05, "varlr": 0.1}

# Lines of lbfgs.py no case can reach: an unknown line search, several parameter groups.
UNREACHED_TEXT = ['raise RuntimeError("only \'strong_wolfe\' is supported")',
                  'raise ValueError("LBFGS doesn\'t support per-parameter options "']


def make_lbfgs(h, params):
    return torch.optim.LBFGS(params, lr=h["lr"], max_iter=h["max_iter"],
                             max_eval=h["max_eval"] or None,
                             tolerance_grad=h["tolerance_grad"],
                             tolerance_change=h["tolerance_change"],
                             history_size=h["history_size"],
                             line_search_fn=None if h["line_search"] == "none" else h["line_search"])


def check_defaults():
    """Fail when DEFAULT disagrees with the installed torch.optim.LBFGS."""
    sig = inspect.signature(torch.optim.LBFGS.__init__).parameters
    for key, value in DEFAULT.items():
        want = sig["line_search_fn" if key == "line_search" else key].default
        if key == "line_search":
            want = "none" if want is None else want
        if key == "max_eval":
            want = 0 if want is None else want
        assert want == value, (key, value, want)


def loss_fn(problem):
    if problem["kind"] == "polynomial":
        coeffs = problem["coeffs"]

        def horner(th):
            v = torch.zeros(())
            for a in coeffs:
                v = v * th[0] + a
            return v
        return horner
    return base.loss_fn(problem)


def exact_loss_grad(problem):
    """The loss and gradient in plain float arithmetic, operation for operation as the Go test
    computes them (goldenProblem.grad and lossGrad in internal/optim, rosenbrock in
    optim_test.go), for the kinds whose arithmetic has no exp or log."""
    kind = problem["kind"]
    if kind == "rosenbrock":
        def rosenbrock(th):
            u, v = 1 - th[0], th[1] - th[0] * th[0]
            return u * u + 100 * v * v, [-2 * u - 400 * th[0] * v, 200 * v]
        return rosenbrock
    if kind == "polynomial":
        def horner(th):
            v = dv = 0.0
            for c in problem["coeffs"]:
                dv = dv * th[0] + v
                v = v * th[0] + c
            return v, [dv]
        return horner
    if kind == "linear_mse":
        xs, ys, d = problem["x"], problem["y"], problem["features"]
        n = float(len(xs))

        def mse(th):
            grad, loss = [0.0] * (d + 1), 0.0
            for x, y in zip(xs, ys):
                r = th[d] - y
                for j in range(d):
                    r += th[j] * x[j]
                for j in range(d):
                    grad[j] += 2 * r * x[j] / n
                grad[d] += 2 * r / n
                loss += r * r
            return loss / n, grad
        return mse
    raise ValueError(kind)


def run(hyper, problem, lrs, exact=False):
    theta = torch.tensor(problem["init"], requires_grad=True)
    opt = make_lbfgs(hyper, [theta])
    calls = [0]
    if exact:
        f = exact_loss_grad(problem)

        def closure():
            calls[0] += 1
            loss, grad = f(theta.detach().tolist())
            theta.grad = torch.tensor(grad)
            return torch.tensor(loss)
    else:
        f = loss_fn(problem)

        def closure():
            calls[0] += 1
            opt.zero_grad()
            loss = f(theta)
            loss.backward()
            return loss

    params, evals, losses, n_iter = [], [], [], []
    for lr in lrs:
        opt.param_groups[0]["lr"] = lr
        calls[0] = 0
        losses.append(float(opt.step(closure)))
        evals.append(calls[0])
        params.append(theta.detach().tolist())
        n_iter.append(opt.state[theta]["n_iter"])
    assert all(np.isfinite(params[-1])), hyper
    return params, evals, losses, n_iter


def kernel_vectors(n):
    """Vectors exact in any language: integer arithmetic, one division, a power of two."""
    a = [((i * 7919 + 13) % 1009 + 1) / 1013.0 * 2.0 ** ((i % 13) - 6) for i in range(n)]
    b = [(((i * 104729 + 7) % 997) - 498) / 499.0 * 2.0 ** ((i % 7) - 3) for i in range(n)]
    return a, b


def kernels():
    out = []
    for n in (1, 2, 3, 4, 5, 7, 12, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 1000,
              4097, 65536, 70001, 300000):
        a, b = kernel_vectors(n)
        ta, tb = torch.tensor(a), torch.tensor(b)
        out.append({"n": n, "sum_abs": ta.abs().sum().item(), "dot": ta.dot(tb).item()})
    return out


def trace_lines():
    """Start recording the lines of lbfgs.py executed; returns the set they go into."""
    seen = set()
    target = os.path.realpath(lbfgs_module.__file__)

    def local(frame, event, arg):
        if event == "line":
            seen.add(frame.f_lineno)
        return local

    def tracer(frame, event, arg):
        if os.path.realpath(frame.f_code.co_filename) == target:
            return local
        return None

    sys.settrace(tracer)
    return seen


def executable_lines(code):
    """The lines of code and of the functions defined in it that hold bytecode."""
    lines = {line for _, _, line in code.co_lines() if line is not None}
    lines.discard(code.co_firstlineno)  # the def line itself
    for const in code.co_consts:
        if inspect.iscode(const):
            lines |= executable_lines(const)
    return lines


def check_coverage(seen):
    """The statements of step, _strong_wolfe and _cubic_interpolate that never ran."""
    source, _ = inspect.getsourcelines(lbfgs_module)
    missed = []
    for fn in (lbfgs_module._cubic_interpolate, lbfgs_module._strong_wolfe,
               lbfgs_module.LBFGS.step):
        code = inspect.unwrap(fn).__code__
        for no in sorted(executable_lines(code) - seen):
            text = source[no - 1].strip()
            if not any(text.startswith(u) for u in UNREACHED_TEXT):
                missed.append((no, text))
    return missed


def main():
    check_defaults()
    rng = np.random.default_rng(base.SEED)
    problems = base.make_problems(rng)
    cases = []
    seen = trace_lines()

    def add(label, hyper, problem_name, lrs, exact=False):
        params, evals, losses, n_iter = run(hyper, problems[problem_name], lrs, exact)
        cases.append({"name": f"lbfgs/{problem_name}/{label}" + ("/exact" if exact else ""),
                      "optimizer": "lbfgs", "problem": problem_name, "exact": exact,
                      "hyper": hyper, "lr": lrs, "params": params, "evals": evals,
                      "loss": losses, "n_iter": n_iter})
        print(f"{cases[-1]['name']:46s} evals {evals} loss {losses[0]:.4g} -> {losses[-1]:.4g}",
              file=sys.stderr)

    problems["polynomial"] = POLYNOMIAL
    problems["line"] = LINE
    settings = [("default", DEFAULT, None)]
    settings += [(k, {**DEFAULT, **s}, only) for k, (s, only) in SETTINGS.items()]
    # The learning rate changes before every step, as a schedule would set it.
    varlr = {**DEFAULT, "max_iter": 3}
    settings += [("varlr", varlr, None), ("varlr-wolfe", {**varlr, "line_search": "strong_wolfe"}, None)]
    for label, hyper, only in settings:
        for exact in (True,) if base.FLOAT32 else (False, True):
            names = only or BASE_PROBLEMS
            if exact:
                names = [p for p in names if p in EXACT_PROBLEMS] + ["polynomial"] * ("wolfe" in label)
            for problem_name in names:
                h = hyper
                if problem_name == "rosenbrock" and label in ROSENBROCK_LR:
                    h = {**hyper, "lr": ROSENBROCK_LR[label]}
                lrs = [h["lr"] * 0.8 ** k for k in range(STEPS)] if label.startswith("varlr") \
                    else [h["lr"]] * STEPS
                if not exact:
                    lrs = lrs[:AUTOGRAD_STEPS.get(f"{problem_name}/{label}", STEPS)]
                if lrs:
                    add(label, h, problem_name, lrs, exact)
    add("wolfe", {**DEFAULT, "line_search": "strong_wolfe"}, "line", [1.0] * 3, exact=True)
    sys.settrace(None)
    missed = check_coverage(seen)
    for no, text in missed:
        print(f"lbfgs.py:{no} never ran: {text}", file=sys.stderr)
    assert base.FLOAT32 or not missed, "some branches of torch.optim.LBFGS are not exercised"

    golden = {
        "comment": "generated by scripts/gen_lbfgs_golden.py; do not edit",
        "torch_version": torch.__version__,
        **({"dtype": "float32"} if base.FLOAT32 else {}),
        "steps": STEPS,
        "problems": problems,
        "cases": cases,
        "kernels": kernels(),
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
