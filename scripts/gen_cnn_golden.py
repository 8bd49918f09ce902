#!/usr/bin/env python3
"""A small CNN trained side by side with PyTorch, from PyTorch's own initialization, for
internal/train's TestGoldenCNN: internal/train/testdata/golden_cnn.json, compared to 1e-12
("tolerance").

Builds the network of optimbench's `kind: net` (SPEC §7; internal/model/net.go) on 8×8
single-channel images:

    layers: [{conv: 4, kernel: 3, padding: same}, {maxpool: 2}, {conv: 6, kernel: 2, padding: same},
             flatten, {dense: 12}, {dense: 3}]

as an nn.ModuleList (so that the state_dict's names are those of params.safetensors,
layers.i.weight and layers.i.bias by the index in the list, parameterless layers counted):
Conv2d, MaxPool2d, Conv2d, Flatten, Linear, Linear, ReLU after each conv and dense layer but the
last, and the mean softmax cross-entropy of the logits (F.cross_entropy). The second conv has
an even kernel with padding='same', which PyTorch pads with the extra row and column at the
bottom and right. The network starts from PyTorch's default initialization of Conv2d and
Linear under a fixed torch seed (float64), saved as golden_cnn_init.safetensors in the
safetensors format that `model.init: {file: …}` reads (written by hand: the safetensors
package is not part of Debian's PyTorch; see scripts/gen_mlp_golden.py).

The data are cnn.csv: 40 images of 64 pixels (row-major, the CHW order of [1, 8, 8]) and a
label, three classes of bright bars (horizontal, vertical, diagonal) in noise.

Each run trains with minibatches of 16 in the file's order (optimbench's `shuffle: false`:
16, 16, 8), float64, with torch.optim's SGD(momentum) or Adam (foreach=False), and records
the mean training loss over all rows before training and after each epoch (metrics.csv's
train_loss) and the final parameters (params.safetensors).

Regenerate (from the repository root):

    apt-get install -y python3-torch        # Debian's PyTorch 1.13
    /usr/bin/python3 scripts/gen_cnn_golden.py
"""
import csv
import json
import os
import struct

import torch
import torch.nn.functional as F

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "internal", "train", "testdata")
N = 40
BATCH = 16
EPOCHS = 8
LAYERS = [{"conv": 4, "kernel": 3, "padding": "same"}, {"maxpool": 2}, {"conv": 6, "kernel": 2, "padding": "same"},
          "flatten", {"dense": 12}, {"dense": 3}]


class Net(torch.nn.Module):
    """optimbench's kind: net for LAYERS: the modules in a ModuleList, ReLU after each conv and
    dense layer but the last."""

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([
            torch.nn.Conv2d(1, 4, 3, padding="same"),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(4, 6, 2, padding="same"),
            torch.nn.Flatten(),
            torch.nn.Linear(6 * 4 * 4, 12),
            torch.nn.Linear(12, 3),
        ])

    def forward(self, x):
        x = x.view(-1, 1, 8, 8)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)) and i + 1 < len(self.layers):
                x = torch.relu(x)
        return x


def save_file(tensors, path, metadata=None, order=None):
    """Writes float64 tensors (name -> tensor) in the safetensors format, data in `order`."""
    names = order or sorted(tensors)
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in names:
        t = tensors[name].detach().contiguous()
        values = t.flatten().tolist()
        blob = struct.pack("<%dd" % len(values), *values)
        header[name] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def dataset():
    """N images 8×8: a bright bar (class 0 horizontal, 1 vertical, 2 diagonal) at a random
    place, plus noise."""
    g = torch.Generator().manual_seed(20261201)
    y = torch.arange(N) % 3
    X = 0.3 * torch.randn(N, 8, 8, generator=g, dtype=torch.float64)
    pos = torch.randint(0, 8, (N,), generator=g)
    for i in range(N):
        p = int(pos[i])
        if y[i] == 0:
            X[i, p, :] += 1.0
        elif y[i] == 1:
            X[i, :, p] += 1.0
        else:
            for j in range(8):
                X[i, j, (j + p) % 8] += 1.0
    X = X.reshape(N, 64)
    with open(os.path.join(OUT, "cnn.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["p%d" % j for j in range(64)] + ["label"])
        for i in range(N):
            w.writerow([repr(float(v)) for v in X[i].tolist()] + [int(y[i])])
    return X, y


def make_optimizer(name, params, h):
    if name == "momentum":
        return torch.optim.SGD(params, lr=h["lr"], momentum=h["momentum"])
    if name == "adam":
        return torch.optim.Adam(params, lr=h["lr"], foreach=False)
    raise ValueError(name)


def train(X, y, init, opt_name, hyper):
    net = Net()
    net.load_state_dict(init)
    opt = make_optimizer(opt_name, net.parameters(), hyper)

    def full_loss():
        with torch.no_grad():
            return F.cross_entropy(net(X), y).item()

    losses = [full_loss()]
    for _ in range(EPOCHS):
        for lo in range(0, len(X), BATCH):
            opt.zero_grad()
            F.cross_entropy(net(X[lo:lo + BATCH]), y[lo:lo + BATCH]).backward()
            opt.step()
        losses.append(full_loss())
    params = {k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in net.state_dict().items()}
    return losses, params


RUNS = [
    ("momentum", "momentum", {"lr": 0.1, "momentum": 0.9}),
    ("adam", "adam", {"lr": 0.02}),
]


def main():
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT, exist_ok=True)
    X, y = dataset()
    torch.manual_seed(14)
    init = Net().state_dict()
    save_file(init, os.path.join(OUT, "golden_cnn_init.safetensors"), metadata={"format": "pt"})
    runs = []
    for name, opt_name, hyper in RUNS:
        losses, params = train(X, y, init, opt_name, hyper)
        runs.append({"name": name, "optimizer": opt_name, "hyper": hyper, "epochs": EPOCHS, "batch_size": BATCH,
                     "train_loss": losses, "params": params})
    with open(os.path.join(OUT, "golden_cnn.json"), "w") as f:
        json.dump({"generator": "scripts/gen_cnn_golden.py", "torch": torch.__version__, "tolerance": 1e-12,
                   "data": "cnn.csv", "init": "golden_cnn_init.safetensors", "input": [1, 8, 8],
                   "layers": LAYERS, "runs": runs}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(runs)} runs to {OUT}")


if __name__ == "__main__":
    main()
