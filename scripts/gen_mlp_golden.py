#!/usr/bin/env python3
"""An MLP trained side by side with PyTorch, from PyTorch's own initialization, for
internal/train's TestGoldenMLP: internal/train/testdata/golden_mlp.json, compared to 1e-12
("tolerance").

Builds 4-8-8-3 MLPs as optimbench's `kind: mlp` defines them (SPEC §7; internal/model): Linear
layers named layers.0, layers.1, layers.2 (an nn.ModuleList, so the names are those of
params.safetensors), the activation after every hidden layer, none after the last, and the mean
softmax cross-entropy of the logits (F.cross_entropy). Each network starts from PyTorch's
default initialization of nn.Linear under a fixed torch seed, saved in the safetensors format
as the files `model.init: {file: …}` reads:

- golden_mlp_init_f64.safetensors: the tanh network, float64, written as optimbench writes
  params.safetensors (each weight then its bias, in layer order);
- golden_mlp_init_f32.safetensors: the relu network initialized in float32 (PyTorch's default
  dtype), stored as F32, laid out as safetensors.torch.save_file lays it out (data sorted by
  name, __metadata__ first, extra metadata), then widened to float64 to train: the widening
  is exact, so optimbench, widening the same F32 values, starts from the same point.

The safetensors Python package is not part of Debian's PyTorch, so save_file below writes the
format by hand: an 8-byte little-endian header length, the JSON header padded with spaces to
a multiple of 8 bytes, then the raw little-endian data.

Each run trains with minibatches of 16 in the file's order (optimbench's `shuffle: false`:
consecutive rows, the last batch partial: 16, 16, 16, 2 of the 50 rows of mlp.csv), float64,
with torch.optim's SGD(momentum) or Adam (foreach=False), and records the mean training loss
over all rows before training and after each epoch (metrics.csv's train_loss) and the final
parameters (params.safetensors). The Go test trains the same configuration from the same init
file through train.Setup/Execute, without PyTorch.

Regenerate (from the repository root):

    apt-get install -y python3-torch        # Debian's PyTorch 1.13
    /usr/bin/python3 scripts/gen_mlp_golden.py
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
WIDTHS = [4, 8, 8, 3]
BATCH = 16
EPOCHS = 8


class MLP(torch.nn.Module):
    """optimbench's kind: mlp: Linear layers, the activation between them, logits out."""

    def __init__(self, widths, activation):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(widths, widths[1:]))
        self.act = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}[activation]

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i + 1 < len(self.layers):
                x = self.act(x)
        return x


DTYPES = {torch.float64: ("F64", "<d"), torch.float32: ("F32", "<f")}


def save_file(tensors, path, metadata=None, order=None):
    """Writes tensors (name -> tensor) in the safetensors format, data in `order` (default:
    sorted by name, as safetensors.torch.save_file sorts tensors of one dtype)."""
    names = order or sorted(tensors)
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in names:
        t = tensors[name].detach().contiguous()
        dtype, fmt = DTYPES[t.dtype]
        values = t.flatten().tolist()
        blob = struct.pack("<%d%s" % (len(values), fmt[1]), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(blob)]}
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
    """50 rows, 4 features of different scales, 3 classes around different centres; labels
    0, 1, 2 (their own values as classes)."""
    g = torch.Generator().manual_seed(20261211)
    y = torch.arange(50) % 3
    centres = torch.tensor([[1.0, 0.0, -1.0, 0.5], [-1.0, 1.0, 0.5, 0.0], [0.0, -1.5, 1.0, -0.5]],
                           dtype=torch.float64)
    X = (centres[y] + 0.9 * torch.randn(50, 4, generator=g, dtype=torch.float64)) * torch.tensor(
        [1.0, 2.0, 0.5, 1.5], dtype=torch.float64)
    with open(os.path.join(OUT, "mlp.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "c", "d", "label"])
        for i in range(50):
            w.writerow([repr(float(v)) for v in X[i].tolist()] + [int(y[i])])
    return X, y


def make_inits():
    torch.manual_seed(11)
    tanh = MLP(WIDTHS, "tanh").double()  # float64 draws: the default dtype is float64 below
    save_file(tanh.state_dict(), os.path.join(OUT, "golden_mlp_init_f64.safetensors"),
              metadata={"format": "pt"},
              order=[f"layers.{i}.{p}" for i in range(3) for p in ("weight", "bias")])
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(12)
    relu = MLP(WIDTHS, "relu")
    torch.set_default_dtype(torch.float64)
    save_file(relu.state_dict(), os.path.join(OUT, "golden_mlp_init_f32.safetensors"),
              metadata={"format": "pt", "made_by": "scripts/gen_mlp_golden.py", "seed": "12"})
    return {"golden_mlp_init_f64.safetensors": ("tanh", tanh.state_dict()),
            "golden_mlp_init_f32.safetensors": ("relu", {k: v.double() for k, v in relu.state_dict().items()})}


def make_optimizer(name, params, h):
    if name == "momentum":
        return torch.optim.SGD(params, lr=h["lr"], momentum=h["momentum"])
    if name == "adam":
        return torch.optim.Adam(params, lr=h["lr"], betas=(h.get("beta1", 0.9), h.get("beta2", 0.999)),
                                weight_decay=h.get("weight_decay", 0.0), foreach=False)
    raise ValueError(name)


def train(X, y, activation, init, opt_name, hyper):
    net = MLP(WIDTHS, activation)
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
    ("tanh-momentum", "golden_mlp_init_f64.safetensors", "momentum", {"lr": 0.1, "momentum": 0.9}),
    ("tanh-adam", "golden_mlp_init_f64.safetensors", "adam", {"lr": 0.01}),
    ("relu-adam-f32-init", "golden_mlp_init_f32.safetensors", "adam",
     {"lr": 0.02, "beta2": 0.99, "weight_decay": 0.01}),
]


def main():
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT, exist_ok=True)
    X, y = dataset()
    inits = make_inits()
    runs = []
    for name, init, opt_name, hyper in RUNS:
        activation, state = inits[init]
        losses, params = train(X, y, activation, state, opt_name, hyper)
        runs.append({"name": name, "init": init, "hidden": WIDTHS[1:-1], "activation": activation,
                     "optimizer": opt_name, "hyper": hyper, "epochs": EPOCHS, "batch_size": BATCH,
                     "train_loss": losses, "params": params})
    with open(os.path.join(OUT, "golden_mlp.json"), "w") as f:
        json.dump({"generator": "scripts/gen_mlp_golden.py", "torch": torch.__version__, "tolerance": 1e-12,
                   "data": "mlp.csv", "runs": runs}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(runs)} runs to {OUT}")


if __name__ == "__main__":
    main()
