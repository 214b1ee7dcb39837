"""The network's training kernel: one compiled loop for every optimizer, which calls the
optimizer's step through its address.

Why through an address: the kernel's cost to compile is mostly the mini-batch gradient and
the accuracy that it calls, which numba links into every kernel that calls them and LLVM
optimises again there. A kernel per optimizer (as the surfaces have) paid that each time,
about 1.4 s for each optimizer a scene trains on a first start. This kernel is compiled once,
and each optimizer adds only its step (core/templates/step.py, generated and compiled by
ravine.core.kernels as a C callback of STEP_SIGNATURE, about 0.1 s). The call costs a few
nanoseconds twice per mini-batch; the step's loop over the weights runs as fast as before.

One call trains one configuration for epochs e0 .. e0 + n_epochs - 1 (`Trainer` runs its
configurations on ravine.core.threads, one call each per chunk of epochs). Per epoch: a
seeded shuffle (or the order given for the epoch), then one update per mini-batch of
`batch_size` (the last one partial) with the epoch's learning rate; the cost of every
mini-batch, the epoch's cost (1/m) sum m_t J{t}, train and test accuracy, and a snapshot of
the weights every `snap_every` epochs. A cost that is not finite, or a weight beyond LIMIT,
stops the configuration: its weights go back to the last finite epoch and `diverged[0]` says
which epoch (1-based) failed.
"""

import math
from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import errors
from numba.core.extending import intrinsic

from ravine.core.jit import jit
from ravine.core.network import accuracy, batch_gradient, shuffle
from ravine.core.optimizers import next_power

LIMIT = 1e6  # a weight beyond this counts as diverged, as a position does on a surface

_F64P = types.CPointer(types.float64)
STEP_SIGNATURE = types.void(types.int64, _F64P, _F64P, _F64P, _F64P, _F64P, _F64P, types.int64, types.float64,
                            types.int64)
"""An optimizer's compiled step, as a C function: step(phase, th, grad, st, hp, pw, look, P, lr,
t) with pointers to the arrays' data (st (slots, P) row-major). phase 0: look = where the
optimizer takes the gradient; phase 1: th += its step, the state slots updated."""


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
    state: np.ndarray  # (slots, P) C-contiguous: the optimizer's state slots, by its declaration
    power: np.ndarray  # (powers,) beta**t of each declared power, after the last update
    updates: np.ndarray  # (1,) int64: the updates made so far (t of the last one)
    rng: np.ndarray  # (1,) uint64: the shuffles' generator state
    batch_size: int
    lr: np.ndarray  # (epochs,) the learning rate of each epoch (the schedule applied)
    hyper: np.ndarray  # (H,) the hyperparameters after lr (booleans as 0/1)
    powers: np.ndarray  # (powers,) int64: the rows of hyper whose powers update takes
    step: np.ndarray  # (1,) int64: the address of the optimizer's step (Kernels.step), 0 until set


class Records(NamedTuple):
    """One configuration's records, written as it trains."""

    it_cost: np.ndarray  # (epochs * batches per epoch,): J{t} of every mini-batch
    ep_cost: np.ndarray  # (epochs,)
    train_acc: np.ndarray  # (epochs,)
    test_acc: np.ndarray  # (epochs,)
    snapshots: np.ndarray  # (epochs // snap_every + 1, P); row 0 is the start
    snap_every: int
    diverged: np.ndarray  # (1,) int64: the failed epoch, or -1


@intrinsic
def _call_step(typingctx, address, phase, th, grad, st, hp, pw, look, lr, t):
    """Call the C function of STEP_SIGNATURE at `address` with the arrays' data pointers and
    P = len(th). The arrays must be float64 and C-contiguous (a typing error otherwise)."""
    arrays = (th, grad, st, hp, pw, look)
    if not all(isinstance(a, types.Array) and a.dtype == types.float64 and a.layout == "C" for a in arrays):
        raise errors.TypingError("the step's arrays must be C-contiguous float64 arrays")
    sig = types.void(address, phase, th, grad, st, hp, pw, look, lr, t)

    def codegen(context, builder, signature, args):
        address_v, phase_v, *array_vs, lr_v, t_v = args
        data = [context.make_array(ty)(context, builder, v) for ty, v in zip(signature.args[2:8], array_vs)]
        P = builder.extract_value(data[0].shape, 0)
        fnty = ir.FunctionType(ir.VoidType(), [context.get_value_type(a) for a in STEP_SIGNATURE.args])
        fn = builder.inttoptr(address_v, fnty.as_pointer())
        builder.call(fn, [phase_v, *(d.data for d in data), P, lr_v, t_v])
        return context.get_dummy_value()

    return sig, codegen


@jit
def call_step(address, phase, th, grad, st, hp, pw, look, lr, t):
    """The optimizer's step at `address` (see STEP_SIGNATURE), from Python."""
    _call_step(address, np.int64(phase), th, grad, st, hp, pw, look, np.float64(lr), np.int64(t))


@jit
def train(net, cfg, rec, e0, n_epochs, orders):
    """Epochs e0 .. e0 + n_epochs - 1 of one configuration (see the module).
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
    step = cfg.step[0]
    if step == 0:
        raise ValueError("the configuration's optimizer step is not set (Kernels.step)")
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
            t = cfg.updates[0]
            for q in range(cfg.powers.shape[0]):
                pw[q] = next_power(pw[q], hp[cfg.powers[q]])
            _call_step(step, 0, th, grad, st, hp, pw, look, lr, t)  # look = where the gradient is taken
            J, _ = batch_gradient(look, net.sizes, net.w_off, net.b_off, net.mask, net.X, net.Y, idx, lo, hi,
                                  net.lambd, grad, A, Z, D)
            rec.it_cost[e * nb + bi] = J
            total += J * (hi - lo)
            _call_step(step, 1, th, grad, st, hp, pw, look, lr, t)  # th += the step
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
