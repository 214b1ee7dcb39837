#!/usr/bin/env python3
"""Network training speed, side by side with baselines in the same run.

    .venv/bin/python benchmarks/network.py      (python3 dev.py bench runs it too)

1. The course experiment: moons (300 points), layers [2, 5, 2, 1], mini-batch 64, 5,000
   epochs, GD, momentum and Adam at lr 0.0007, drawn as the assignment draws:
   `ravine.core.training.train` against the same network and loop in plain NumPy (the
   course assignment's loop and draws, written here: its costs must agree), and against
   PyTorch on the CPU when torch is installed; and Ravine with its own draws (the shuffles
   inside the kernel) beside it.
2. Two configurations on two cores against the same two one after the other, with the
   kernel's own shuffles and with the course's draws (NumPy's, drawn once for both).
3. A 101 x 101 loss-landscape slice.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from ravine.core import load_example
from ravine.core.loss_landscape import loss_slice
from ravine.core.training import Trainer, network_from_dict, train


def timed(fn, reps):
    times = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), out


def numpy_train(X, Y, layers, kind, lr, epochs, batch_size, seed=3, shuffle_seed=10, beta=0.9, beta1=0.9,
                beta2=0.999, eps=1e-8):
    """The assignment's loop in NumPy: X is (2, m), column examples, one config; its He
    weights from RandomState(seed), epoch e's shuffle from RandomState(shuffle_seed + e)."""
    rng = np.random.RandomState(seed)
    W = [rng.randn(layers[l], layers[l - 1]) * np.sqrt(2 / layers[l - 1]) for l in range(1, len(layers))]
    b = [np.zeros((layers[l], 1)) for l in range(1, len(layers))]
    vW = [np.zeros_like(w) for w in W]
    vb = [np.zeros_like(x) for x in b]
    sW = [np.zeros_like(w) for w in W]
    sb = [np.zeros_like(x) for x in b]
    m = X.shape[1]
    t = 0
    costs = []
    L = len(W)
    for e in range(1, epochs + 1):
        perm = np.random.RandomState(shuffle_seed + e).permutation(m)
        total = 0.0
        for lo in range(0, m, batch_size):
            idx = perm[lo: lo + batch_size]
            A = [X[:, idx]]
            Z = []
            for l in range(L):
                z = W[l] @ A[-1] + b[l]
                Z.append(z)
                A.append(np.maximum(z, 0) if l < L - 1 else 1 / (1 + np.exp(-z)))
            y = Y[:, idx]
            mb = y.shape[1]
            zl = Z[-1]
            total += float(np.sum(np.maximum(zl, 0) - zl * y + np.log1p(np.exp(-np.abs(zl)))))
            dZ = A[-1] - y
            t += 1
            for l in range(L - 1, -1, -1):
                dW = dZ @ A[l].T / mb
                db = dZ.sum(axis=1, keepdims=True) / mb
                if l > 0:
                    dZ = (W[l].T @ dZ) * (Z[l - 1] > 0)
                if kind == "gd":
                    W[l] -= lr * dW
                    b[l] -= lr * db
                elif kind == "momentum":
                    vW[l] = beta * vW[l] + (1 - beta) * dW
                    vb[l] = beta * vb[l] + (1 - beta) * db
                    W[l] -= lr * vW[l]
                    b[l] -= lr * vb[l]
                else:
                    vW[l] = beta1 * vW[l] + (1 - beta1) * dW
                    vb[l] = beta1 * vb[l] + (1 - beta1) * db
                    sW[l] = beta2 * sW[l] + (1 - beta2) * dW**2
                    sb[l] = beta2 * sb[l] + (1 - beta2) * db**2
                    c1, c2 = 1 - beta1**t, 1 - beta2**t
                    W[l] -= lr * (vW[l] / c1) / (np.sqrt(sW[l] / c2) + eps)
                    b[l] -= lr * (vb[l] / c1) / (np.sqrt(sb[l] / c2) + eps)
        # the accuracy ravine records every epoch
        A = X
        for l in range(L):
            z = W[l] @ A + b[l]
            A = np.maximum(z, 0) if l < L - 1 else 1 / (1 + np.exp(-z))
        costs.append(total / m)
    return costs


def torch_train(X, Y, layers, kind, lr, epochs, batch_size, seed=1):
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    mods = []
    for l in range(1, len(layers)):
        mods.append(torch.nn.Linear(layers[l - 1], layers[l]).double())
        if l < len(layers) - 1:
            mods.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*mods)
    opt = {"gd": lambda p: torch.optim.SGD(p, lr=lr),
           "momentum": lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9, dampening=0.1),
           "adam": lambda p: torch.optim.Adam(p, lr=lr)}[kind](net.parameters())
    Xt = torch.tensor(X.T)
    Yt = torch.tensor(Y.T)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    m = Xt.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(m)
        for lo in range(0, m, batch_size):
            idx = perm[lo: lo + batch_size]
            opt.zero_grad()
            loss = loss_fn(net(Xt[idx]), Yt[idx])
            loss.backward()
            opt.step()
        with torch.no_grad():
            (net(Xt) > 0).double().eq(Yt).double().mean()


def main():
    scene = load_example("course-adam")
    spec = scene.network
    trainer = Trainer(spec)
    X, Y = trainer.X.T.copy(), trainer.y[None, :].copy()
    train(spec)  # load the kernel
    best, med, runs = timed(lambda: train(spec), 5)
    print(f"course experiment (3 configs x 5,000 epochs, batch 64, 300 points): "
          f"ravine {best:.3f} s best, {med:.3f} s median   (target 1 s)")
    cfgs = [(c.kind, c.params["lr"]) for c in spec.configs]
    nb, nm, np_costs = timed(lambda: [numpy_train(X, Y, spec.layers, k, lr, spec.epochs, 64) for k, lr in cfgs], 1)
    print(f"  plain NumPy, same network and loop:  {nb:.2f} s   -> ravine is {nb / best:.1f}x faster  (target 20x)")
    print("    cost after epoch 4,000 (the course's), ravine vs NumPy: " + ", ".join(
        f"{r.label} {r.epoch_cost[4000]:.6f} / {c[4000]:.6f}" for r, c in zip(runs, np_costs))
        + f"; largest difference over all epochs {max(np.abs(r.epoch_cost - c).max() for r, c in zip(runs, np_costs)):.1e}")
    own = network_from_dict({**spec.to_dict(), "random": "ravine"}, "network")
    train(own)
    ob, om, _ = timed(lambda: train(own), 5)
    print(f"  ravine with its own draws (shuffled inside the kernel): {ob:.3f} s best "
          f"(the legacy shuffles cost {1e3 * (best - ob):.0f} ms)")
    try:
        import torch  # noqa: F401 (only to know whether it is there)
    except ImportError:
        print("  PyTorch: not installed, skipped (pip install torch to compare)")
    else:
        tb, tm, _ = timed(lambda: [torch_train(X, Y, spec.layers, k, lr, spec.epochs, 64) for k, lr in cfgs], 1)
        print(f"  PyTorch (CPU, 1 thread), same loop:  {tb:.2f} s   -> ravine is {tb / best:.1f}x faster")

    configs = spec.to_dict()["configs"][1:]
    for what, random in (("the kernel's own shuffles", "ravine"), ("the course's draws", "legacy")):
        two = network_from_dict({**spec.to_dict(), "configs": configs, "random": random}, "network")
        train(two, parallel=False)
        pb, pm, _ = timed(lambda: train(two, parallel=True), 5)
        sb, sm, _ = timed(lambda: train(two, parallel=False), 5)
        print(f"two configs, {what}: in parallel {pb:.3f} s, one after the other {sb:.3f} s -> {sb / pb:.2f}x"
              + ("  (target 1.7x)" if random == "ravine" else
                 "  (the legacy shuffles are drawn once for both, before the kernels run)"))

    loss_slice(trainer.step(), trainer.runs(), n=11)  # load the kernel
    lb, lm, _ = timed(lambda: loss_slice(trainer, trainer.runs(), method="pca", n=101), 5)
    rb, rm, _ = timed(lambda: loss_slice(trainer, trainer.runs(), method="random", n=101), 5)
    print(f"101 x 101 loss-landscape slice over 300 points: PCA plane {lb:.3f} s, "
          f"filter-normalised random plane {rb:.3f} s (best of 5)  (target 0.5 s)")


if __name__ == "__main__":
    main()
