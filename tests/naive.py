"""Slow, plain references written from the formulas, for the fast code to be checked against.

Nothing here imports Ravine's numerics: every formula is typed again from the course notes.
"""

import math


def optimizer_step(kind, w, g_at, state, lr, hp, t):
    """One update of optimizer `kind` on the 2-vector w (a list). g_at(point) -> gradient.

    state is a dict with 'v' and 's' (lists of 2), updated in place. Returns (new_w, g).
    """
    v, s = state["v"], state["s"]
    if kind == "nesterov":
        beta = hp.get("beta", 0.9)
        look = [w[i] - lr * beta * v[i] for i in range(2)]
        g = g_at(look)
    else:
        g = g_at(w)
    new = list(w)
    for i in range(2):
        if kind == "gd":
            new[i] = w[i] - lr * g[i]
        elif kind in ("momentum", "nesterov"):
            beta = hp.get("beta", 0.9)
            v[i] = beta * v[i] + (1 - beta) * g[i]
            new[i] = w[i] - lr * v[i]
        elif kind == "rmsprop":
            beta2, eps = hp.get("beta2", 0.9), hp.get("eps", 1e-8)
            s[i] = beta2 * s[i] + (1 - beta2) * g[i] ** 2
            new[i] = w[i] - lr * g[i] / (math.sqrt(s[i]) + eps)
        elif kind == "adagrad":
            eps = hp.get("eps", 1e-8)
            s[i] = s[i] + g[i] ** 2
            new[i] = w[i] - lr * g[i] / (math.sqrt(s[i]) + eps)
        elif kind == "adam":
            b1, b2 = hp.get("beta1", 0.9), hp.get("beta2", 0.999)
            eps = hp.get("eps", 1e-8)
            v[i] = b1 * v[i] + (1 - b1) * g[i]
            s[i] = b2 * s[i] + (1 - b2) * g[i] ** 2
            if hp.get("bias_correction", True):
                v_hat = v[i] / (1 - b1**t)
                s_hat = s[i] / (1 - b2**t)
            else:
                v_hat, s_hat = v[i], s[i]
            new[i] = w[i] - lr * v_hat / (math.sqrt(s_hat) + eps)
        else:
            raise ValueError(kind)
    return new, g


def trajectory(kind, grad, start, steps, lrs, hp):
    """Positions 0..steps and the gradient each update used, by the formulas above."""
    w = list(start)
    state = {"v": [0.0, 0.0], "s": [0.0, 0.0]}
    path, grads = [list(w)], []
    for t in range(1, steps + 1):
        w, g = optimizer_step(kind, w, grad, state, lrs[t - 1], hp, t)
        path.append(list(w))
        grads.append(list(g))
    return path, grads


def ewa(theta, beta, bias_correction=False):
    v, out = 0.0, []
    for t, x in enumerate(theta, start=1):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta**t) if bias_correction else v)
    return out
