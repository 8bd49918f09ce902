#!/usr/bin/env python3
"""The CNN of scripts/gen_cnn_golden.py trained by PyTorch 1.13 in torch.float32, for
internal/train's TestGoldenCNN (internal/train/testdata/golden_cnn_f32.json, compared to 1e-5
relative with train.dtype float32).

The same network, data (cnn.csv, its values rounded once to float32), initialization
(golden_cnn_init.safetensors, F64, rounded to float32 on loading), minibatches of 16 in the
file's order and optimizers as the float64 golden, everything in float32. optimbench computes a
net's layers in float64 between its float32 parameters and gradients (SPEC §10.6), so this
golden measures how far that stays from PyTorch's float32 arithmetic.

Regenerate (from the repository root), after gen_cnn_golden.py:

    /usr/bin/python3 scripts/gen_cnn_golden_f32.py
"""
import csv
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_cnn_golden as g64  # noqa: E402
from gen_train_golden_f32 import read_safetensors  # noqa: E402


def main():
    torch.set_default_dtype(torch.float32)
    with open(os.path.join(g64.OUT, "cnn.csv")) as f:
        rows = list(csv.reader(f))[1:]
    X = torch.tensor([[float(v) for v in r[:-1]] for r in rows], dtype=torch.float32)
    y = torch.tensor([int(r[-1]) for r in rows])
    init = read_safetensors(os.path.join(g64.OUT, "golden_cnn_init.safetensors"))
    runs = []
    for name, opt_name, hyper in g64.RUNS:
        losses, params = g64.train(X, y, init, opt_name, hyper)
        runs.append({"name": name, "optimizer": opt_name, "hyper": hyper, "epochs": g64.EPOCHS,
                     "batch_size": g64.BATCH, "train_loss": losses, "params": params})
    with open(os.path.join(g64.OUT, "golden_cnn_f32.json"), "w") as f:
        json.dump({"generator": "scripts/gen_cnn_golden_f32.py", "torch": torch.__version__, "dtype": "float32",
                   "tolerance": 1e-5, "data": "cnn.csv", "init": "golden_cnn_init.safetensors", "input": [1, 8, 8],
                   "layers": g64.LAYERS, "runs": runs}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(runs)} runs to {g64.OUT}")


if __name__ == "__main__":
    main()
