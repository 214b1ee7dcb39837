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
from numba import prange

from ravine.core.jit import jit, jit_parallel


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


def he_init(layers, seed: int) -> np.ndarray:
    """He initialisation: W[l] ~ N(0, 2/n_{l-1}), b[l] = 0 (the course assignment's)."""
    sizes, w_off, b_off, n = layout(layers)
    rng = np.random.default_rng(seed)
    theta = np.zeros(n)
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


@jit
def _bce(z, y):
    """Binary cross-entropy of sigmoid(z) against y, stable for any z."""
    return max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z)))


@jit
def _sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@jit
def forward(theta, sizes, w_off, b_off, x0, x1, acts, pre):
    """Forward pass of one example; acts/pre (L+1, width) hold a^[l] and z^[l]. Returns z^[L]."""
    L = sizes.shape[0] - 1
    acts[0, 0] = x0
    acts[0, 1] = x1
    for l in range(1, L + 1):
        n_out = sizes[l]
        n_in = sizes[l - 1]
        wo = w_off[l - 1]
        bo = b_off[l - 1]
        for j in range(n_out):
            z = theta[bo + j]
            row = wo + j * n_in
            for k in range(n_in):
                z += theta[row + k] * acts[l - 1, k]
            pre[l, j] = z
            if l < L:
                acts[l, j] = z if z > 0.0 else 0.0
            else:
                acts[l, j] = _sigmoid(z)
    return pre[L, 0]


@jit
def batch_gradient(theta, sizes, w_off, b_off, mask, X, Y, idx, lo, hi, lambd, grad, acts, pre, delta):
    """Gradient of J{t} for the examples idx[lo:hi] into `grad`; returns (J{t}, sum of L)."""
    L = sizes.shape[0] - 1
    m = hi - lo
    for p in range(grad.shape[0]):
        grad[p] = 0.0
    loss_sum = 0.0
    for ii in range(lo, hi):
        i = idx[ii]
        zL = forward(theta, sizes, w_off, b_off, X[i, 0], X[i, 1], acts, pre)
        y = Y[i]
        loss_sum += _bce(zL, y)
        delta[L, 0] = acts[L, 0] - y  # dL/dz for sigmoid + cross-entropy
        for l in range(L, 0, -1):
            n_out = sizes[l]
            n_in = sizes[l - 1]
            wo = w_off[l - 1]
            bo = b_off[l - 1]
            for j in range(n_out):
                d = delta[l, j]
                grad[bo + j] += d
                row = wo + j * n_in
                for k in range(n_in):
                    grad[row + k] += d * acts[l - 1, k]
            if l > 1:
                for k in range(n_in):
                    s = 0.0
                    for j in range(n_out):
                        s += theta[wo + j * n_in + k] * delta[l, j]
                    delta[l - 1, k] = s if pre[l - 1, k] > 0.0 else 0.0
    sq = 0.0
    for p in range(grad.shape[0]):
        grad[p] = grad[p] / m + lambd / m * mask[p] * theta[p]
        sq += mask[p] * theta[p] * theta[p]
    return loss_sum / m + lambd / (2.0 * m) * sq, loss_sum


@jit
def predict(theta, sizes, w_off, b_off, X, out):
    """Probabilities yhat = a^[L] for every row of X."""
    width = 0
    for s in sizes:
        width = max(width, s)
    acts = np.empty((sizes.shape[0], width))
    pre = np.empty((sizes.shape[0], width))
    L = sizes.shape[0] - 1
    for i in range(X.shape[0]):
        forward(theta, sizes, w_off, b_off, X[i, 0], X[i, 1], acts, pre)
        out[i] = acts[L, 0]
    return out


@jit
def accuracy(theta, sizes, w_off, b_off, X, Y):
    if X.shape[0] == 0:
        return np.nan
    p = predict(theta, sizes, w_off, b_off, X, np.empty(X.shape[0]))
    hits = 0
    for i in range(X.shape[0]):
        if (p[i] > 0.5) == (Y[i] > 0.5):
            hits += 1
    return hits / X.shape[0]


@jit
def full_cost(theta, sizes, w_off, b_off, mask, X, Y, lambd):
    """J over the whole set X, Y (one batch of all m examples)."""
    width = 0
    for s in sizes:
        width = max(width, s)
    acts = np.empty((sizes.shape[0], width))
    pre = np.empty((sizes.shape[0], width))
    total = 0.0
    for i in range(X.shape[0]):
        total += _bce(forward(theta, sizes, w_off, b_off, X[i, 0], X[i, 1], acts, pre), Y[i])
    sq = 0.0
    for p in range(theta.shape[0]):
        sq += mask[p] * theta[p] * theta[p]
    m = X.shape[0]
    return total / m + lambd / (2.0 * m) * sq


@jit_parallel
def cost_plane(center, d1, d2, alphas, betas, sizes, w_off, b_off, mask, X, Y, lambd, out):
    """out[i, j] = J(center + alphas[j] d1 + betas[i] d2) on X, Y; grid rows in parallel."""
    n = center.shape[0]
    for i in prange(betas.shape[0]):
        theta = np.empty(n)
        for j in range(alphas.shape[0]):
            for p in range(n):
                theta[p] = center[p] + alphas[j] * d1[p] + betas[i] * d2[p]
            out[i, j] = full_cost(theta, sizes, w_off, b_off, mask, X, Y, lambd)


@jit_parallel
def predict_grid(theta, sizes, w_off, b_off, xs, ys, out):
    """out[i, j] = yhat at (xs[j], ys[i]): the decision boundary's heatmap."""
    for i in prange(ys.shape[0]):
        X = np.empty((xs.shape[0], 2))
        for j in range(xs.shape[0]):
            X[j, 0] = xs[j]
            X[j, 1] = ys[i]
        predict(theta, sizes, w_off, b_off, X, out[i])


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
