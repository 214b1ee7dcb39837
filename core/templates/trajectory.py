"""Template of the trajectory kernels of one (surface, optimizer) pair.

This is valid Python, read by ravine.core.kernels, which substitutes the placeholder names
below token by token (never inside strings or comments), writes the result to the cache
folder and imports it, so that numba can cache the pair's kernels (a kernel that received
its surface and optimizer as arguments could not be cached). Substitution keeps every line
where it is: a traceback or a coverage report of a generated kernel points at these lines.

Placeholders:
  SURFACE, OPTIMIZER      inside names: the pair's names (checked with str.isidentifier)
  DEPENDENCIES            the line importing value__SURFACE, grad__SURFACE, update__OPTIMIZER
                          and eval_point__OPTIMIZER from their modules
  STEP_X, STEP_Y          what update returns: "dx" and the state slots (st[i, 0, j], ...)
  UPDATE_X, UPDATE_Y      update's arguments, by the optimizer's declaration:
                          g, w, its state slots, lr, its hyperparameters, its powers beta**t
                          (and t, the update's number, if it asks for it)
  AT_X, AT_Y              where the gradient is taken: x0, or eval_point__OPTIMIZER(x0, ...)
  POWERS                  advances each declared power, in its hyperparameter's column c:
                          pw[c, j] = next_power(pw[c, j], h[c, j]); ... (or 0 for none)

Loop order: the step loop is outside, one fused loop over a chunk of CHUNK trajectories
inside (look-ahead, gradient, both coordinates' updates, divergence check), which LLVM
vectorises; the chunk's state stays in L1. Threads share out the trajectories (see
ravine.core.threads): each runs this serial kernel on its own slice.
"""

import numpy as np

from ravine.core.jit import jit
from ravine.core.optimizers import next_power

value__SURFACE = grad__SURFACE = update__OPTIMIZER = eval_point__OPTIMIZER = None  # DEPENDENCIES
STEP_X = STEP_Y = UPDATE_X = UPDATE_Y = AT_X = AT_Y = POWERS = None  # (stand-ins that keep this importable)

CHUNK = 64  # trajectories updated together
LIMIT = 1e6  # |x| or |y| beyond this counts as diverged


@jit
def run__SURFACE__OPTIMIZER(p, starts, lr, lr_factor, hyper, initial, steps, record,
                            path, loss, grad, state, final, final_loss, diverged, tolerance, reached):
    """OPTIMIZER on SURFACE: len(starts) trajectories of `steps` updates.

    p: the surface's packed parameters; starts (n, 2); lr (n,) base learning rates, or (1,)
    one for all; lr_factor (steps,) the schedule's factor of each update; hyper (n, H) the
    hyperparameters after lr (booleans as 0/1), or (1, H) one row for all; initial (slots,)
    the state's start values. With record,
    path/loss (n, steps+1[, 2]), grad (n, steps, 2) and state (n, steps, slots, 2) receive
    every step; final, final_loss, diverged (n) always.

    tolerance (mode, tol, fmin): mode 0 checks nothing; mode 1 sets reached[i] to the first
    t with f(x_t) - fmin <= tol; mode 2 to the first t - 1 whose update's gradient (taken at
    x_(t-1), or at the look-ahead point) has norm <= tol. reached is -1 where never."""
    n = starts.shape[0]
    slots = state.shape[2]
    width = min(n, CHUNK)
    x = np.empty(width)
    y = np.empty(width)
    st = np.empty((slots, 2, width))
    h = np.empty((hyper.shape[1], width))  # the chunk's hyperparameters, contiguous (see below)
    pw = np.empty((hyper.shape[1], width))  # beta**t, in the column of each declared power
    gxs = np.empty(width)
    gys = np.empty(width)
    bad = np.empty(width, np.int64)
    clr = np.empty(width)
    hit = np.empty(width, np.int64)
    mode = tolerance[0]
    tol = tolerance[1]
    fmin = tolerance[2]
    lr_row = 1 if lr.shape[0] > 1 else 0  # 0: one value (one row of hyper) for all
    h_row = 1 if hyper.shape[0] > 1 else 0
    for lo in range(0, n, CHUNK):
        k = min(n, lo + CHUNK) - lo
        # Indexing by j alone, in arrays of the chunk's own: an index such as lo + j, or a
        # strided view, keeps LLVM from vectorising the loop over j (4.7x slower, measured).
        for j in range(k):
            clr[j] = lr[(lo + j) * lr_row]
            for i in range(hyper.shape[1]):
                h[i, j] = hyper[(lo + j) * h_row, i]
        for j in range(k):
            x[j] = starts[lo + j, 0]
            y[j] = starts[lo + j, 1]
            bad[j] = -1
            for i in range(slots):
                st[i, 0, j] = initial[i]
                st[i, 1, j] = initial[i]
            for i in range(hyper.shape[1]):
                pw[i, j] = 1.0
            hit[j] = 0 if mode == 1.0 and value__SURFACE(x[j], y[j], p) - fmin <= tol else -1
        if record:
            for j in range(k):
                path[lo + j, 0, 0] = x[j]
                path[lo + j, 0, 1] = y[j]
                loss[lo + j, 0] = value__SURFACE(x[j], y[j], p)
        for t in range(1, steps + 1):
            f = lr_factor[t - 1]
            for j in range(k):
                POWERS  # (in this loop: 3% faster than a loop of its own, measured)
                lrj = clr[j] * f
                x0 = x[j]
                y0 = y[j]
                gx, gy = grad__SURFACE(AT_X, AT_Y, p)
                STEP_X = update__OPTIMIZER(UPDATE_X)
                STEP_Y = update__OPTIMIZER(UPDATE_Y)
                gxs[j] = gx
                gys[j] = gy
                nx = x0 + dx  # noqa: F821  (dx, dy: named by STEP_X, STEP_Y)
                ny = y0 + dy  # noqa: F821
                alive = bad[j] < 0
                ok = alive and abs(nx) <= LIMIT and abs(ny) <= LIMIT
                bad[j] = t if (alive and not ok) else bad[j]
                x[j] = nx if ok else x0
                y[j] = ny if ok else y0
            # (loops of their own, outside the one above, and without branches: LLVM vectorises them)
            if mode == 1.0:
                for j in range(k):
                    now = (value__SURFACE(x[j], y[j], p) - fmin <= tol) & (hit[j] < 0) & (bad[j] < 0)
                    hit[j] = t if now else hit[j]
            elif mode == 2.0:
                for j in range(k):
                    now = (gxs[j] * gxs[j] + gys[j] * gys[j] <= tol * tol) & (hit[j] < 0) & (bad[j] < 0)
                    hit[j] = t - 1 if now else hit[j]
            if record:
                for j in range(k):
                    path[lo + j, t, 0] = x[j]
                    path[lo + j, t, 1] = y[j]
                    loss[lo + j, t] = value__SURFACE(x[j], y[j], p)
                    grad[lo + j, t - 1, 0] = gxs[j]
                    grad[lo + j, t - 1, 1] = gys[j]
                    for i in range(slots):
                        state[lo + j, t - 1, i, 0] = st[i, 0, j]
                        state[lo + j, t - 1, i, 1] = st[i, 1, j]
        for j in range(k):
            final[lo + j, 0] = x[j]
            final[lo + j, 1] = y[j]
            final_loss[lo + j] = value__SURFACE(x[j], y[j], p)
            diverged[lo + j] = bad[j]
            reached[lo + j] = hit[j]
