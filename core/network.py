"""The small network of the course: ReLU hidden layers, a sigmoid output, binary cross-entropy.

Weights live in one flat vector theta per configuration, layer by layer: W[l] (n_l x n_{l-1},
row-major) then b[l] (n_l), as in the notes' W^[l] and b^[l]. Optimizers work coordinate by
coordinate on theta, exactly as they do on the two coordinates of a surface.

The cost of a mini-batch t of m_t examples is, as in the notes,

    J{t} = 1/m_t * sum_i L(yhat_i, y_i) + lambda / (2 m_t) * sum_l ||W[l]||_F^2,
    L(yhat, y) = -(y log yhat + (1 - y) log(1 - yhat)),

computed from the output's pre-activation z as max(z, 0) - z y + log(1 + exp(-|z|)), the
same value without overflow. Its gradient is backpropagation plus lambda/m_t * W.
"""

from __future__ import annotations

import math

import numpy as np

from ravine.core.jit import jit, jit_reduce
from ravine.core.threads import parallel


def layout(layers) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(sizes, W offsets, b offsets, number of parameters) for layer sizes [n_0, ..., n_L]."""
    sizes = np.asarray(layers, dtype=np.int64)
    w_off = np.zeros(len(sizes) - 1, dtype=np.int64)
    b_off = np.zeros(len(sizes) - 1, dtype=np.int64)
    k = 0
    for l in range(1, len(sizes)):
        w_off[l - 1] = k
        k += sizes[l] * sizes[l - 1]
        b_off[l - 1] = k
        k += sizes[l]
    return sizes, w_off, b_off, int(k)


def he_init(layers, seed: int, random: str = "ravine") -> np.ndarray:
    """He initialisation: W[l] ~ N(0, 2/n_{l-1}), b[l] = 0 (the course assignment's).

    random "ravine": numpy's default_rng(seed).normal. "legacy": the assignment's draws, a
    fresh RandomState(seed) and, for l = 1..L, randn(n_l, n_{l-1}) * sqrt(2 / n_{l-1})
    (row-major, as theta holds W[l])."""
    sizes, w_off, b_off, n = layout(layers)
    theta = np.zeros(n)
    if random == "legacy":
        rng = np.random.RandomState(seed)
        for l in range(1, len(sizes)):
            W = rng.randn(sizes[l], sizes[l - 1]) * np.sqrt(2 / sizes[l - 1])
            theta[w_off[l - 1]: w_off[l - 1] + W.size] = W.ravel()
        return theta
    rng = np.random.default_rng(seed)
    for l in range(1, len(sizes)):
        count = sizes[l] * sizes[l - 1]
        theta[w_off[l - 1]: w_off[l - 1] + count] = rng.normal(0.0, math.sqrt(2.0 / sizes[l - 1]), count)
    return theta


def weight_mask(layers) -> np.ndarray:
    """1.0 where theta holds a weight W (regularised), 0.0 where it holds a bias b."""
    sizes, w_off, b_off, n = layout(layers)
    mask = np.zeros(n)
    for l in range(1, len(sizes)):
        mask[w_off[l - 1]: w_off[l - 1] + sizes[l] * sizes[l - 1]] = 1.0
    return mask


BLOCK = 64  # examples evaluated together: the inner loops run over them and vectorise


@jit
def _output(z, y):
    """(sigmoid(z) - y, binary cross-entropy of sigmoid(z) against y), sharing one exp and
    stable for any z: L = max(z, 0) - z y + log(1 + exp(-|z|)).

    max(z, 0) - z y is written z (1 - y) for z >= 0 and -z y below, one term: in a kernel
    compiled with reassociation (batch_gradient), z - z y + tiny could become z + tiny - z y
    and round a confident, right prediction's 3.98e-31 to exactly 0."""
    e = math.exp(-abs(z))
    s = 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)
    margin = z * (1.0 - y) if z >= 0.0 else -z * y
    return s - y, margin + math.log1p(e)


@jit
def forward_block(theta, sizes, w_off, b_off, X, idx, lo, hi, A, Z):
    """Forward pass of examples idx[lo:hi], one per column: A[l, :, i] = a^[l], Z[l, :, i] =
    z^[l] (A[L] is not formed: the output's z is all the callers need)."""
    n = hi - lo
    L = sizes.shape[0] - 1
    for i in range(n):
        r = idx[lo + i]
        A[0, 0, i] = X[r, 0]
        A[0, 1, i] = X[r, 1]
    for l in range(1, L + 1):
        n_out = sizes[l]
        n_in = sizes[l - 1]
        wo = w_off[l - 1]
        bo = b_off[l - 1]
        for j in range(n_out):
            bj = theta[bo + j]
            zj = Z[l, j]
            for i in range(n):
                zj[i] = bj
            for k in range(n_in):
                w = theta[wo + j * n_in + k]
                ak = A[l - 1, k]
                for i in range(n):
                    zj[i] += w * ak[i]
            if l < L:
                aj = A[l, j]
                for i in range(n):
                    aj[i] = zj[i] if zj[i] > 0.0 else 0.0


def buffers(layers, batch: int):
    """Scratch arrays A, Z, D for blocks of up to max(batch, BLOCK) examples."""
    shape = (len(layers), max(layers), max(int(batch), BLOCK))
    return np.empty(shape), np.empty(shape), np.empty(shape)


@jit_reduce
def batch_gradient(theta, sizes, w_off, b_off, mask, X, Y, idx, lo, hi, lambd, grad, A, Z, D):
    """Gradient of J{t} for the examples idx[lo:hi] into `grad`; returns (J{t}, sum of L).
    A, Z, D: scratch from `buffers`, wide enough for hi - lo examples."""
    L = sizes.shape[0] - 1
    n = hi - lo
    forward_block(theta, sizes, w_off, b_off, X, idx, lo, hi, A, Z)
    loss_sum = 0.0
    zL = Z[L, 0]
    dL = D[L, 0]
    for i in range(n):
        d, loss = _output(zL[i], Y[idx[lo + i]])
        dL[i] = d
        loss_sum += loss
    for l in range(L, 0, -1):
        n_out = sizes[l]
        n_in = sizes[l - 1]
        wo = w_off[l - 1]
        bo = b_off[l - 1]
        for j in range(n_out):
            dj = D[l, j]
            s = 0.0
            for i in range(n):
                s += dj[i]
            grad[bo + j] = s
            for k in range(n_in):
                ak = A[l - 1, k]
                s = 0.0
                for i in range(n):
                    s += dj[i] * ak[i]
                grad[wo + j * n_in + k] = s
        if l > 1:
            for k in range(n_in):
                dk = D[l - 1, k]
                for i in range(n):
                    dk[i] = 0.0
                for j in range(n_out):
                    w = theta[wo + j * n_in + k]
                    dj = D[l, j]
                    for i in range(n):
                        dk[i] += w * dj[i]
                zk = Z[l - 1, k]
                for i in range(n):
                    dk[i] = dk[i] if zk[i] > 0.0 else 0.0
    sq = 0.0
    for p in range(grad.shape[0]):
        grad[p] = grad[p] / n + lambd / n * mask[p] * theta[p]
        sq += mask[p] * theta[p] * theta[p]
    return loss_sum / n + lambd / (2.0 * n) * sq, loss_sum


@jit
def accuracy(theta, sizes, w_off, b_off, X, Y, A, Z):
    """Share of X classified as Y (yhat > 1/2, that is z > 0); NaN for an empty set."""
    m = X.shape[0]
    if m == 0:
        return np.nan
    L = sizes.shape[0] - 1
    idx = np.arange(m)
    block = A.shape[2]
    hits = 0
    for lo in range(0, m, block):
        hi = min(m, lo + block)
        forward_block(theta, sizes, w_off, b_off, X, idx, lo, hi, A, Z)
        for i in range(hi - lo):
            if (Z[L, 0, i] > 0.0) == (Y[lo + i] > 0.5):
                hits += 1
    return hits / m


@jit
def _block_scratch(sizes):
    """A and Z for forward passes over blocks of BLOCK examples."""
    width = 0
    for w in sizes:
        width = max(width, w)
    return np.empty((sizes.shape[0], width, BLOCK)), np.empty((sizes.shape[0], width, BLOCK))


@jit
def _sigmoid(z):
    """1 / (1 + exp(-z)) without overflow for any z."""
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)


@jit
def full_cost(theta, sizes, w_off, b_off, mask, X, Y, lambd):
    """J over the whole set X, Y (one batch of all m examples)."""
    m = X.shape[0]
    L = sizes.shape[0] - 1
    A, Z = _block_scratch(sizes)
    idx = np.arange(m)
    total = 0.0
    for lo in range(0, m, BLOCK):
        hi = min(m, lo + BLOCK)
        forward_block(theta, sizes, w_off, b_off, X, idx, lo, hi, A, Z)
        for i in range(hi - lo):
            total += _output(Z[L, 0, i], Y[lo + i])[1]
    sq = 0.0
    for p in range(theta.shape[0]):
        sq += mask[p] * theta[p] * theta[p]
    return total / m + lambd / (2.0 * m) * sq


def cost_plane(center, d1, d2, alphas, betas, sizes, w_off, b_off, mask, X, Y, lambd, out):
    """out[i, j] = J(center + alphas[j] d1 + betas[i] d2) on X, Y; grid rows in parallel."""
    parallel(lambda lo, hi: _cost_rows(center, d1, d2, alphas, betas[lo:hi], sizes, w_off, b_off, mask, X, Y,
                                       lambd, out[lo:hi]), betas.shape[0])


@jit
def _cost_rows(center, d1, d2, alphas, betas, sizes, w_off, b_off, mask, X, Y, lambd, out):
    n = center.shape[0]
    for i in range(betas.shape[0]):
        theta = np.empty(n)
        for j in range(alphas.shape[0]):
            for p in range(n):
                theta[p] = center[p] + alphas[j] * d1[p] + betas[i] * d2[p]
            out[i, j] = full_cost(theta, sizes, w_off, b_off, mask, X, Y, lambd)


def predict_grid(theta, sizes, w_off, b_off, xs, ys, out):
    """out[i, j] = yhat at (xs[j], ys[i]): the decision boundary's heatmap (rows in parallel)."""
    parallel(lambda lo, hi: _predict_rows(theta, sizes, w_off, b_off, xs, ys[lo:hi], out[lo:hi]), ys.shape[0])


@jit
def _predict_rows(theta, sizes, w_off, b_off, xs, ys, out):
    """yhat = a^[L] at the grid's rows, a block of a row at a time."""
    n = xs.shape[0]
    L = sizes.shape[0] - 1
    A, Z = _block_scratch(sizes)
    X = np.empty((n, 2))
    idx = np.arange(n)
    for i in range(ys.shape[0]):
        for j in range(n):
            X[j, 0] = xs[j]
            X[j, 1] = ys[i]
        for lo in range(0, n, BLOCK):
            hi = min(n, lo + BLOCK)
            forward_block(theta, sizes, w_off, b_off, X, idx, lo, hi, A, Z)
            for k in range(hi - lo):
                out[i, lo + k] = _sigmoid(Z[L, 0, k])


# ------------------------------------------------------------------ mini-batch shuffling
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@jit
def next_random(state):
    """splitmix64: the next 64-bit random number from state[0] (advanced in place)."""
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@jit
def shuffle(idx, state):
    """Fisher-Yates: a uniformly random permutation of idx, in place."""
    for i in range(idx.shape[0] - 1, 0, -1):
        j = np.int64(next_random(state) % np.uint64(i + 1))
        tmp = idx[i]
        idx[i] = idx[j]
        idx[j] = tmp


def seed_state(seed: int) -> np.uint64:
    """The shuffling generator's starting state for a seed."""
    return np.uint64((int(seed) * 0x2545F4914F6CDD1D + 0x1234567) % (1 << 64))


def minibatches(m: int, batch_size: int, state: np.ndarray) -> list[np.ndarray]:
    """The mini-batches of one epoch as the training kernel makes them (for tests and views):
    a fresh permutation of range(m), cut into batches of batch_size, the last one partial."""
    idx = np.arange(m, dtype=np.int64)
    shuffle(idx, state)
    return [idx[lo: lo + batch_size] for lo in range(0, m, batch_size)]
