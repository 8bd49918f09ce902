#!/usr/bin/env python3
"""PyTorch side of the sweep benchmark of issue 4 (configs/bench/small-mlp-sweep.yaml).

The same 120 runs as `optimbench sweep --config configs/bench/small-mlp-sweep.yaml`:
a 2-16-1 ReLU (or, with --activation tanh, tanh: configs/bench/small-tanh-sweep.yaml) MLP
(float64) fitted by least squares to 1,000 points of a noisy linear
function for 100 epochs of batch 32 (shuffled each epoch, last batch smaller), with the
mean loss over all points evaluated before training and after every epoch, one row
written (and flushed) per evaluation to a metrics.csv per run, as optimbench does.
Optimizers sgd, momentum (0.9) and adam at learning rates 0.001, 0.003, 0.01, 0.03, 0.1,
seeds 1..8. The data and initial weights come from torch's generator, so the numbers
differ from optimbench's; only the work done and its timing are the same.

Run with one thread and the fast OpenBLAS kernels (Debian's OpenBLAS 0.3.21 does not
recognise this CPU otherwise, see notes/perf.md):

    OPENBLAS_CORETYPE=SkylakeX OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        /usr/bin/python3 scripts/sweep_torch.py --out /tmp/torch-sweep [--runs 120]

Prints the seconds per run (training and evaluation, from data generation to the last
row written; `import torch` excluded and reported apart) and the total.
"""
import argparse
import os
import sys
import time

T0 = time.perf_counter()
import torch  # noqa: E402

IMPORT_S = time.perf_counter() - T0

OPTIMIZERS = ["sgd", "momentum", "adam"]
LRS = [0.001, 0.003, 0.01, 0.03, 0.1]
SEEDS = list(range(1, 9))


def run(opt_name, lr, seed, out_dir, act, n=1000, epochs=100, batch=32):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=gen, dtype=torch.float64)
    w_true = torch.randn(2, 1, generator=gen, dtype=torch.float64)
    y = x @ w_true + 0.1 * torch.randn(n, 1, generator=gen, dtype=torch.float64)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), act(), torch.nn.Linear(16, 1)).double()
    if opt_name == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    elif opt_name == "momentum":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.MSELoss()
    os.makedirs(out_dir, exist_ok=True)
    start = time.perf_counter()
    step = 0
    with open(os.path.join(out_dir, "metrics.csv"), "w") as f:
        f.write("epoch,step,examples,lr,batch_size,train_loss,test_loss,train_acc,test_acc,seconds\n")

        def evaluate(epoch):
            with torch.no_grad():
                loss = loss_fn(model(x), y).item()
            f.write("%d,%d,%d,%r,%d,%r,,,,%.6f\n" % (epoch, step, step * batch, lr, batch, loss,
                                                    time.perf_counter() - start))
            f.flush()

        evaluate(0)
        for epoch in range(1, epochs + 1):
            perm = torch.randperm(n, generator=gen)
            for i in range(0, n, batch):
                idx = perm[i:i + batch]
                xb, yb = x.index_select(0, idx), y.index_select(0, idx)
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                step += 1
            evaluate(epoch)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/torch-sweep")
    ap.add_argument("--runs", type=int, default=120, help="run only the first RUNS points")
    ap.add_argument("--activation", default="relu", choices=["relu", "tanh"])
    a = ap.parse_args()
    torch.set_num_threads(1)
    points = [(o, lr, s) for o in OPTIMIZERS for lr in LRS for s in SEEDS][:a.runs]
    t = time.perf_counter()
    act = torch.nn.ReLU if a.activation == "relu" else torch.nn.Tanh
    per = [run(o, lr, s, os.path.join(a.out, "%s-lr%g-s%d" % (o, lr, s)), act) for o, lr, s in points]
    total = time.perf_counter() - t
    print("torch %s, %s, threads %d, OPENBLAS_CORETYPE=%s, import %.2f s" % (
        torch.__version__, a.activation, torch.get_num_threads(), os.environ.get("OPENBLAS_CORETYPE", "-"), IMPORT_S))
    print("%d runs: %.2f s total, %.1f ms per run (min %.1f, max %.1f)" % (
        len(per), total, 1000 * total / len(per), 1000 * min(per), 1000 * max(per)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
