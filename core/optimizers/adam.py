"""Adam: momentum and RMSprop together, with bias correction."""

import math

import numpy as np
from ravine.core.jit import jit

from ravine.core.optimizers import BETA1, BETA2, BIAS_CORRECTION, EPS, LR, Optimizer


@jit
def update(g, m, s, lr, b1, b2, eps, flag, c1, c2):
    """V = beta1*V + (1-beta1)*dW;  S = beta2*S + (1-beta2)*dW**2;
    with bias correction V /= (1-beta1**t), S /= (1-beta2**t) (divided, not multiplied);
    W -= lr * V / (sqrt(S) + eps)"""
    m = b1 * m + (1.0 - b1) * g
    s = b2 * s + (1.0 - b2) * g * g
    if flag:
        mh = m / c1
        sh = s / c2
    else:
        mh = m
        sh = s
    return -lr * mh / (math.sqrt(sh) + eps), m, s



def effective_lr(s, lr, hp, t):
    """lr / (1 - beta1**t) / (sqrt(S / (1 - beta2**t)) + eps) per axis (without correction,
    lr / (sqrt(S) + eps)): the factor that multiplies V in the step."""
    if hp["bias_correction"]:
        return lr / (1.0 - hp["beta1"] ** t) / (np.sqrt(s / (1.0 - hp["beta2"] ** t)) + hp["eps"])
    return lr / (np.sqrt(s) + hp["eps"])


OPTIMIZER = Optimizer(
    name="adam",
    description="Adam: momentum over RMSprop-scaled steps, bias-corrected",
    formula="V = b1*V + (1-b1)*dW; S = b2*S + (1-b2)*dW^2; W -= lr*V^/(sqrt(S^)+eps), "
    "V^ = V/(1-b1^t), S^ = S/(1-b2^t)",
    params=(LR, BETA1, BETA2, EPS, BIAS_CORRECTION),
    update=update,
    direction="v",
    effective_lr=effective_lr,
)
