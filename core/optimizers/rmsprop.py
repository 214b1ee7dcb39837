"""RMSprop: divide each coordinate's step by the root of its mean squared gradient."""

import dataclasses
import math

import numpy as np
from ravine.core.jit import jit

from ravine.core.narration import per_axis_step
from ravine.core.optimizers import BETA2, EPS, LR, Optimizer

# RMSprop's usual decay is 0.9 (Hinton's lecture, Keras): with 0.999 and S starting at 0 the
# first steps are ~30x too long, since there is no bias correction.
BETA2 = dataclasses.replace(BETA2, default=0.9, doc="mean-square decay")


@jit
def update(g, w, s, lr, beta2, eps):
    """S = beta2*S + (1-beta2)*dW**2;  W -= lr*dW/(sqrt(S)+eps)"""
    s = beta2 * s + (1.0 - beta2) * g * g
    return -lr * g / (math.sqrt(s) + eps), s


def reference(w, grad, state, lr, hp, t):
    g = grad(w)
    s = hp["beta2"] * state["s"] + (1 - hp["beta2"]) * g**2
    return w - lr * g / (np.sqrt(s) + hp["eps"]), {"s": s}


def effective_lr(state, lr, hp, t):
    """lr / (sqrt(S) + eps) per axis: small where gradients have been large."""
    return lr / (np.sqrt(state["s"]) + hp["eps"])


def explain(ctx):
    """dW; S = beta2·S + (1-beta2)·dW^2; the per-axis factor lr/(sqrt(S)+eps) (the scale);
    W -= lr·dW/(sqrt(S)+eps). Parts: dW, plain GD's -lr·dW for comparison, the step."""
    beta2, eps = ctx.hp["beta2"], ctx.hp["eps"]
    s = beta2 * ctx.s_prev + (1.0 - beta2) * ctx.g * ctx.g
    return per_axis_step(ctx, s, eps, [f"S = beta2·S + (1-beta2)·dW^2 = {ctx.num(beta2)}·{ctx.vec(ctx.s_prev)} + "
                                       f"{ctx.num(1.0 - beta2)}·{ctx.vec(ctx.g)}^2 = {ctx.vec(s)}"])


OPTIMIZER = Optimizer(
    name="rmsprop",
    description="RMSprop: per-coordinate steps scaled by 1/sqrt(mean square gradient)",
    formula="S = beta2*S + (1-beta2)*dW^2; W -= lr*dW/(sqrt(S)+eps)",
    params=(LR, BETA2, EPS),
    update=update,
    reference=reference,
    state=("s",),
    effective_lr=effective_lr,
    explain=explain,
)
