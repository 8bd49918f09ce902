#!/usr/bin/env python3
"""numpy's own draws for DeepOBS's toy problems, for internal/data's TestDeepOBSGolden and
TestNumpyRandom: internal/data/testdata/deepobs_golden.json, deepobs_rotation.f64 and
deepobs_hessian.f32.

optimbench reproduces np.random.RandomState in Go (internal/data/mt19937.go) to build
DeepOBS's quadratic_deep and noisy 2-D problems exactly as DeepOBS builds them. This script
records what numpy (1.24, Debian's python3-numpy; the legacy RandomState stream is frozen
across numpy versions) gives, so that the Go tests compare against it without numpy:

- RandomState(42)'s first raw 32-bit outputs, doubles, uniforms and legacy normals;
- quadratic_deep's eigenvalues, rotation R and Hessian float32(Rᵀ diag(λ) R), transcribed
  from fsschneider/DeepOBS deepobs/pytorch/testproblems/quadratic_deep.py at commit
  923307b2aa8640451760a1225b4bea5527d083ea (set_up draws the eigenvalues from a local
  RandomState(42); random_rotation draws from the module-level RandomState(42), fresh in a
  new process): R as raw little-endian float64 (deepobs_rotation.f64), the Hessian as raw
  little-endian float32 (deepobs_hessian.f32), both row-major 100×100;
- quadratic_deep's mean loss at its start (θ = ones) on the training and test sets, which
  cmd's TestPresetRerun compares with the epoch-0 row of a quadratic_deep run;
- the sha256 of the float32 bytes of the data sets: the quadratic's (datasets/quadratic.py:
  normal(0, 0.6, (1000, 100)) from seeds 42 and 43) and the 2-D problems' training set
  (deepobs/tensorflow/datasets/two_d.py: normal(0, 1, 10000) twice from seed 42, stored as
  (x, y) pairs), with their first values.

Run: /usr/bin/python3 scripts/gen_deepobs_golden.py (writes into internal/data/testdata).
"""

import hashlib
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "internal", "data", "testdata")


def random_rotation(D, rng):
    """DeepOBS's random_rotation(D), verbatim but for the generator passed in."""
    t = 2 * np.pi * rng.uniform()
    R = [[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]]
    for d in range(2, D):
        v = rng.normal(size=(d + 1, 1))
        v = np.divide(v, np.sqrt(np.transpose(v).dot(v)))
        e = np.concatenate((np.array([[1.0]]), np.zeros((d, 1))), axis=0)
        x = np.divide((e - v), (np.sqrt(np.transpose(e - v).dot(e - v))))
        Dm = np.vstack([np.hstack([[[1.0]], np.zeros((1, d))]), np.hstack([np.zeros((d, 1)), R])])
        R = Dm - 2 * np.outer(x, np.transpose(x).dot(Dm))
    return np.negative(R)


def sha(a):
    return hashlib.sha256(np.ascontiguousarray(a, dtype="<f4").tobytes()).hexdigest()


def main():
    g = {}
    bg = np.random.MT19937()  # RandomState(42)'s bit generator, for its raw 32-bit words
    bg._legacy_seeding(42)
    g["raw42"] = [int(bg.random_raw()) for _ in range(8)]
    g["double42"] = [float(x) for x in np.random.RandomState(42).random_sample(8)]
    g["uniform7"] = [float(x) for x in np.random.RandomState(7).uniform(30.0, 60.0, 5)]
    # an odd count: the last value is the first of a pair, the one before it a cached one
    g["normal42"] = [float(x) for x in np.random.RandomState(42).normal(0.0, 0.6, 9)]
    # past the first refill of the 624-word state
    g["normal123_tail"] = [float(x) for x in np.random.RandomState(123).normal(size=700)[-3:]]

    rng = np.random.RandomState(42)
    eig = np.concatenate((rng.uniform(0.0, 1.0, 90), rng.uniform(30.0, 60.0, 10)), axis=0)
    R = random_rotation(100, np.random.RandomState(42))
    H = np.matmul(np.transpose(R), np.matmul(np.diag(eig), R)).astype(np.float32)
    g["eigenvalues"] = [float(x) for x in eig]
    R.astype("<f8").tofile(os.path.join(OUT, "deepobs_rotation.f64"))
    H.astype("<f4").tofile(os.path.join(OUT, "deepobs_hessian.f32"))

    qtrain = np.float32(np.random.RandomState(42).normal(0.0, 0.6, (1000, 100)))
    qtest = np.float32(np.random.RandomState(43).normal(0.0, 0.6, (1000, 100)))
    rng = np.random.RandomState(42)
    x = np.float32(rng.normal(0.0, 1.0, 10000))
    y = np.float32(rng.normal(0.0, 1.0, 10000))
    two = np.stack([x, y], axis=1)
    g["quadratic_train_sha256"] = sha(qtrain)
    g["quadratic_test_sha256"] = sha(qtest)
    g["quadratic_train_first"] = [float(v) for v in qtrain[0, :5]]
    g["two_d_train_sha256"] = sha(two)
    g["two_d_train_first"] = [float(v) for v in two[:3].ravel()]
    # quadratic_deep's loss at its start θ = ones, ½(θ − x)ᵀH(θ − x) averaged over the float32
    # points with the float32 Hessian, in float64: what optimbench's epoch-0 row must give
    H64 = H.astype(np.float64)
    for name, X in (("train", qtrain), ("test", qtest)):
        q = 1.0 - X.astype(np.float64)
        g["quadratic_loss_at_ones_" + name] = float(0.5 * np.mean(np.einsum("ij,jk,ik->i", q, H64, q)))
    g["numpy"] = np.__version__
    with open(os.path.join(OUT, "deepobs_golden.json"), "w") as f:
        json.dump(g, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
