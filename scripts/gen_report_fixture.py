#!/usr/bin/env python3
"""Writes internal/verdict/testdata/tiny/analysis.json: a small, made-up benchmark analysis
(the schema of internal/benchmark/analysis.go) for the report's tests and `make
report-browser`. Deterministic: no randomness, every number from a formula.

Three problems (one with a test set and accuracies, one with a test set only, one with
neither), four optimizers (three baselines and one that diverges everywhere on one
problem), three rerun seeds. On mnist_logreg momentum and adam are within seed noise of
each other; sgd is clearly behind.
"""
import json, math, os

EPOCHS = 5
SEEDS = [1, 2, 3]
LRS = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
PROBLEMS = [  # rates: how fast each optimizer's loss falls on the problem
    dict(name="mnist_logreg", test=True, acc=True, rates=dict(sgd=0.55, momentum=0.85, adam=0.86, lion=1.1)),
    dict(name="quadratic_deep", test=True, acc=False, rates=dict(sgd=0.9, momentum=0.6, adam=0.5, lion=0.7)),
    dict(name="two_d_beale", test=False, acc=False, rates=dict(sgd=0.4, momentum=0.7, adam=0.6, lion=1.4)),
]
OPTS = [("sgd", "sgd", True), ("momentum", "momentum", True), ("adam", "adam", True), ("lion", "lion", False)]


def curve(rate, seed, p):
    c = dict(epoch=[], train_loss=[], test_loss=[], train_acc=[], test_acc=[], seconds=[])
    for e in range(EPOCHS + 1):
        wobble = 0.01 * math.sin(seed * 1.7 + e) * (1 + 6 * math.exp(-e))
        loss = 0.25 + 2.0 * math.exp(-rate * (e + 0.3)) + wobble
        c["epoch"].append(e)
        c["train_loss"].append(round(loss * 0.95, 6))
        c["test_loss"].append(round(loss, 6) if p["test"] else None)
        acc = 0.92 - 0.8 * math.exp(-rate * (e + 0.5)) - wobble / 2
        c["train_acc"].append(round(acc + 0.01, 6) if p["acc"] else None)
        c["test_acc"].append(round(acc, 6) if p["acc"] and p["test"] else None)
        c["seconds"].append(round(0.4 * e, 3))
    return c


def mean_std(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None, None, 0
    m = sum(vals) / len(vals)
    s = math.sqrt(sum((v - m) ** 2 for v in vals) / len(vals))
    return m, s, len(vals)


def stat(vals):
    m, s, n = mean_std(vals)
    return dict(mean=m, std=s, n=n)


def result(p, opt, rate, target):
    name, optimizer, baseline = opt
    every_diverged = name == "lion" and p["name"] == "quadratic_deep"
    tuning = []
    for i, lr in enumerate(LRS):
        diverged = every_diverged or (lr >= 1.0 and name != "sgd")
        score = None if diverged else round(0.3 + 0.08 * (math.log10(lr) + 2 - (name == "adam")) ** 2 + 0.02 * OPTS.index(opt), 6)
        tuning.append(dict(set=[dict(key="optimizer.lr", value=lr)], lr=lr, run_id="%s-%s-%d" % (p["name"], name, i),
                           dir="tune/%s/%s/%d" % (p["name"], name, i), status="diverged" if diverged else "done",
                           reason="training loss not finite at step 12" if diverged else "", epochs=EPOCHS,
                           score=score, final={}, best={}, seconds=2.0))
    scored = [i for i, t in enumerate(tuning) if t["score"] is not None]
    chosen = min(scored, key=lambda i: tuning[i]["score"]) if scored else -1
    seeds, curves = [], []
    if chosen >= 0:
        for s in SEEDS:
            c = curve(rate, s, p)
            curves.append(c)
            seeds.append(dict(seed=s, run_id="rerun-%d" % s, dir="rerun/%s/%s/%d" % (p["name"], name, s),
                              status="done", seconds=2.0, curve=c))
    keys = ["train_loss", "test_loss", "train_acc", "test_acc", "seconds"]
    mean = dict(epoch=list(range(EPOCHS + 1)))
    std = dict(epoch=list(range(EPOCHS + 1)))
    for k in keys:
        mean[k], std[k] = [], []
        for e in range(EPOCHS + 1):
            m, s, _ = mean_std([c[k][e] for c in curves]) if curves else (None, None, 0)
            mean[k].append(None if m is None else round(m, 6))
            std[k].append(None if s is None else round(s, 6))
    last = lambda k: [c[k][-1] for c in curves]
    best = lambda k, f: [f(v for v in c[k] if v is not None) if any(v is not None for v in c[k]) else None for c in curves]
    perf = dict(final_test_loss=stat(last("test_loss")), best_test_loss=stat(best("test_loss", min)),
                final_test_acc=stat(last("test_acc")), best_test_acc=stat(best("test_acc", max)),
                final_train_loss=stat(last("train_loss")), final_train_acc=stat(last("train_acc")),
                diverged=0, failed=0)
    metric = "test_loss" if p["test"] else "train_loss"
    reach = None
    per_seed = []
    if curves and target is not None:
        reach = next((e for e, v in enumerate(mean[metric]) if v is not None and v <= target), None)
        per_seed = [next((e for e, v in enumerate(c[metric]) if v <= target), None) for c in curves]
    speed = dict(metric=metric, target=target, epochs=reach, seconds=None if reach is None else round(0.4 * reach, 3),
                 per_seed=per_seed, reached=sum(v is not None for v in per_seed))
    sens = dict(epochs=EPOCHS, points=[dict(trial=i, lr=t["lr"], score=t["score"], status=t["status"]) for i, t in enumerate(tuning)])
    good = sorted(t["score"] for t in tuning if t["score"] is not None)
    budget = dict(epochs=EPOCHS, points=[])
    for k in range(1, len(LRS) + 1):
        pdiv = (1 - len(good) / len(LRS)) ** k
        if good:
            mbest = good[0] + (sum(good) / len(good) - good[0]) / k
            budget["points"].append(dict(k=k, mean=round(mbest, 6), median=round(mbest, 6),
                                         q25=round(good[0] + (mbest - good[0]) * 0.5, 6),
                                         q75=round(mbest + (good[-1] - mbest) * 0.3 / k, 6), p_diverged=round(pdiv, 6),
                                         expected=round(mbest, 6)))
        else:
            budget["points"].append(dict(k=k, mean=None, median=None, q25=None, q75=None, p_diverged=1.0, expected=None))
    halving = name == "adam"
    rungs = [dict(epochs=1, ranked=[2, 1, 3, 0, 4], promoted=[2, 1]), dict(epochs=3, ranked=[2, 1], promoted=[2])] if halving else None
    r = dict(problem=p["name"], optimizer=name, baseline=baseline, dir="%s/%s" % (p["name"], name), tuning=tuning,
             chosen=chosen, tune_epochs=13 if halving else EPOCHS * len(LRS), tune_seconds=10.0,
             full_grid_epochs=EPOCHS * len(LRS), seeds=seeds, mean=mean, std=std, performance=perf,
             speed=speed, sensitivity=sens, budget=budget)
    if rungs:
        r["rungs"] = rungs
    return r


def main():
    results, problems = [], []
    for p in PROBLEMS:
        rates = p["rates"]
        metric = "test_loss" if p["test"] else "train_loss"
        finals = {n: mean_std([curve(rates[n], s, p)[metric][-1] for s in SEEDS])[0] for n in ("sgd", "momentum", "adam")}
        target_from = min(finals, key=finals.get)
        target = round(finals[target_from], 6)
        problems.append(dict(name=p["name"], file="configs/problems/%s.yaml" % p["name"], hash="h%08x" % (len(p["name"]) * 2654435761 % 2**32),
                             epochs=EPOCHS, has_test=p["test"], has_acc=p["acc"], target=target, target_from=target_from))
        for opt in OPTS:
            results.append(result(p, opt, rates[opt[0]], target))
    # AlgoPerf's profile over the epochs to target on the mean curve.
    times = {(r["problem"], r["optimizer"]): r["speed"]["epochs"] for r in results}
    ratios = []
    for p in PROBLEMS:
        ts = [times[(p["name"], o[0])] for o in OPTS if times[(p["name"], o[0])] is not None]
        best = min(ts) if ts else None
        for o in OPTS:
            t = times[(p["name"], o[0])]
            ratios.append(dict(problem=p["name"], optimizer=o[0], time=t,
                               ratio=None if t is None or not best else t / best))
    finite = [r["ratio"] for r in ratios if r["ratio"] is not None]
    hi = max(finite) if finite else 1
    tau = [1 + (hi * 1.1 - 1) * i / 50 for i in range(51)]
    rho = [dict(optimizer=o[0], rho=[sum(1 for r in ratios if r["optimizer"] == o[0] and r["ratio"] is not None and r["ratio"] <= t) / len(PROBLEMS) for t in tau]) for o in OPTS]
    a = dict(schema=1, name="tiny-fixture",
             stamp=dict(version="v0.0.0-fixture", commit="0123abc", go="go1.26.8", cpu="AMD EPYC 7B13 (fixture)",
                        dtype="float32", threads=1, workers=2, date="2026-01-02T03:04:05Z"),
             protocol=dict(rule="final_test_loss", tune_seed=1, seeds=SEEDS, target_metric="test_loss",
                           bootstrap_samples=1000, seed=7,
                           deviations=["3 rerun seeds instead of DeepOBS's 10",
                                       "5 epochs per problem instead of DeepOBS's 10 to 100",
                                       "a learning-rate grid of 5 points instead of DeepOBS's 36",
                                       "adam tuned by successive halving (eta 3) instead of the full grid"]),
             problems=problems,
             optimizers=[dict(name=o[0], optimizer=o[1], baseline=o[2],
                              search=dict(method="halving" if o[0] == "adam" else "grid", sampler="grid", keys=["optimizer.lr"], trials=len(LRS),
                                          **(dict(eta=3, min_epochs=1, rungs=[1, 3, 5]) if o[0] == "adam" else {}))) for o in OPTS],
             results=results,
             profile=dict(measure="epochs to the target on the mean curve", ratios=ratios, tau=tau, rho=rho))
    out = os.path.join(os.path.dirname(__file__), "..", "internal", "verdict", "testdata", "tiny", "analysis.json")
    with open(out, "w") as f:
        json.dump(a, f, indent=1)
        f.write("\n")


main()
