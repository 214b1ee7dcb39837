"""Template of the network's training kernel, one per optimizer, and the named tuples that
group its arguments.

This module is valid Python, and ravine.core.kernels substitutes it per optimizer as it does
core/templates/trajectory.py (see there): OPTIMIZER inside names is the optimizer's name,
the DEPENDENCIES line imports update__OPTIMIZER and eval_point__OPTIMIZER, STEP and UPDATE are
what `update` returns and takes for weight i by the optimizer's declaration (t, the update's
number, where it asks for it), and AT its
look-ahead (or th[i]). Lines stay where they are.

One call trains one configuration for epochs e0 .. e0 + n_epochs - 1 (`Trainer` runs its
configurations on ravine.core.threads, one call each per chunk of epochs). Per epoch: a
seeded shuffle (or the order given for the epoch), then one update per mini-batch of `batch_size` (the last one partial) with
the epoch's learning rate; the cost of every mini-batch, the epoch's cost (1/m) sum m_t J{t},
train and test accuracy, and a snapshot of the weights every `snap_every` epochs. A cost that
is not finite, or a weight beyond LIMIT, stops the configuration: its weights go back to the
last finite epoch and `diverged[0]` says which epoch (1-based) failed.
"""

import math
from typing import NamedTuple

import numpy as np

from ravine.core.jit import jit
from ravine.core.network import accuracy, batch_gradient, shuffle
from ravine.core.optimizers import next_power

update__OPTIMIZER = eval_point__OPTIMIZER = None  # DEPENDENCIES
STEP = UPDATE = AT = None  # (stand-ins that keep this importable)

LIMIT = 1e6  # a weight beyond this counts as diverged, as a position does on a surface


class Net(NamedTuple):
    """The network and its data, shared by every configuration (read only)."""

    sizes: np.ndarray  # (L+1,) int64: layer sizes, inputs first
    w_off: np.ndarray  # (L,) int64: where W[l] starts in theta
    b_off: np.ndarray  # (L,) int64: where b[l] starts in theta
    mask: np.ndarray  # (P,): 1 for the weights that lambda regularises, 0 for the biases
    lambd: float  # L2 strength
    X: np.ndarray  # (m, 2) training inputs
    Y: np.ndarray  # (m,) training labels
    X_test: np.ndarray  # (m_test, 2)
    Y_test: np.ndarray  # (m_test,)


class Config(NamedTuple):
    """One configuration's optimizer and its state, updated in place."""

    theta: np.ndarray  # (P,) the weights
    state: np.ndarray  # (slots, P) the optimizer's state slots, by its declaration
    power: np.ndarray  # (powers,) beta**t of each declared power, after the last update
    updates: np.ndarray  # (1,) int64: the updates made so far (t of the last one)
    rng: np.ndarray  # (1,) uint64: the shuffles' generator state
    batch_size: int
    lr: np.ndarray  # (epochs,) the learning rate of each epoch (the schedule applied)
    hyper: np.ndarray  # (H,) the hyperparameters after lr (booleans as 0/1)
    powers: np.ndarray  # (powers,) int64: the rows of hyper whose powers update takes


class Records(NamedTuple):
    """One configuration's records, written as it trains."""

    it_cost: np.ndarray  # (epochs * batches per epoch,): J{t} of every mini-batch
    ep_cost: np.ndarray  # (epochs,)
    train_acc: np.ndarray  # (epochs,)
    test_acc: np.ndarray  # (epochs,)
    snapshots: np.ndarray  # (epochs // snap_every + 1, P); row 0 is the start
    snap_every: int
    diverged: np.ndarray  # (1,) int64: the failed epoch, or -1


@jit
def train__OPTIMIZER(net, cfg, rec, e0, n_epochs, orders):
    """Epochs e0 .. e0 + n_epochs - 1 of one configuration with OPTIMIZER (see the module).
    orders (n_epochs, m) int64: each epoch's order of the examples, given; with no rows the
    kernel shuffles with its own seeded generator (cfg.rng)."""
    P = cfg.theta.shape[0]
    m = net.X.shape[0]
    L = net.sizes.shape[0] - 1
    width = 0
    for w in net.sizes:
        width = max(width, w)
    bs = cfg.batch_size
    block = max(64, bs)
    A = np.empty((L + 1, width, block))
    Z = np.empty((L + 1, width, block))
    D = np.empty((L + 1, width, block))
    grad = np.empty(P)
    look = np.empty(P)
    keep = np.empty(P)
    idx = np.empty(m, np.int64)
    th = cfg.theta
    st = cfg.state
    hp = cfg.hyper
    pw = cfg.power
    nb = (m + bs - 1) // bs
    for e in range(e0, e0 + n_epochs):
        if rec.diverged[0] >= 0:
            break
        for i in range(P):
            keep[i] = th[i]
        if orders.shape[0] > 0:
            for i in range(m):
                idx[i] = orders[e - e0, i]
        else:
            for i in range(m):
                idx[i] = i
            shuffle(idx, cfg.rng)
        lr = cfg.lr[e]
        total = 0.0
        for bi in range(nb):
            lo = bi * bs
            hi = min(m, lo + bs)
            cfg.updates[0] += 1
            t = cfg.updates[0]  # noqa: F841  (update's t, where its declaration takes it)
            for q in range(cfg.powers.shape[0]):
                pw[q] = next_power(pw[q], hp[cfg.powers[q]])
            for i in range(P):
                look[i] = AT
            J, _ = batch_gradient(look, net.sizes, net.w_off, net.b_off, net.mask, net.X, net.Y, idx, lo, hi,
                                  net.lambd, grad, A, Z, D)
            rec.it_cost[e * nb + bi] = J
            total += J * (hi - lo)
            for i in range(P):
                STEP = update__OPTIMIZER(UPDATE)
                th[i] += d  # noqa: F821  (d: named by STEP)
        cost = total / m
        big = 0.0
        for i in range(P):
            big = max(big, abs(th[i]))
        if not (math.isfinite(cost) and big <= LIMIT):  # NaN weights fail the test too
            rec.diverged[0] = e + 1
            for i in range(P):  # the weights stay those of the last finite epoch
                th[i] = keep[i]
            break
        rec.ep_cost[e] = cost
        rec.train_acc[e] = accuracy(th, net.sizes, net.w_off, net.b_off, net.X, net.Y, A, Z)
        rec.test_acc[e] = accuracy(th, net.sizes, net.w_off, net.b_off, net.X_test, net.Y_test, A, Z)
        if (e + 1) % rec.snap_every == 0:
            for i in range(P):
                rec.snapshots[(e + 1) // rec.snap_every, i] = th[i]
