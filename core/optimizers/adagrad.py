"""AdaGrad: divide each coordinate's step by the root of its summed squared gradients."""

import math

import numpy as np
from ravine.core.jit import jit

from ravine.core.narration import per_axis_step
from ravine.core.optimizers import EPS, LR, Optimizer


@jit
def update(g, w, s, lr, eps):
    """S += dW**2;  W -= lr*dW/(sqrt(S)+eps)"""
    s = s + g * g
    return -lr * g / (math.sqrt(s) + eps), s


def reference(w, grad, state, lr, hp, t):
    g = grad(w)
    s = state["s"] + g**2
    return w - lr * g / (np.sqrt(s) + hp["eps"]), {"s": s}


def effective_lr(state, lr, hp, t):
    """lr / (sqrt(S) + eps) per axis: small where gradients have been large."""
    return lr / (np.sqrt(state["s"]) + hp["eps"])


def explain(ctx):
    """dW; S += dW^2; the per-axis factor lr/(sqrt(S)+eps) (the scale);
    W -= lr·dW/(sqrt(S)+eps). Parts: dW, plain GD's -lr·dW for comparison, the step."""
    eps = ctx.hp["eps"]
    s = ctx.s_prev + ctx.g * ctx.g
    return per_axis_step(ctx, s, eps, [f"S += dW^2: S = {ctx.vec(ctx.s_prev)} + {ctx.vec(ctx.g)}^2 = {ctx.vec(s)}"])


OPTIMIZER = Optimizer(
    name="adagrad",
    description="AdaGrad: per-coordinate steps that shrink with the summed squared gradient",
    formula="S += dW^2; W -= lr*dW/(sqrt(S)+eps)",
    params=(LR, EPS),
    update=update,
    reference=reference,
    state=("s",),
    effective_lr=effective_lr,
    explain=explain,
)
