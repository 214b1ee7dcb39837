"""AMSGrad: Adam that divides by the largest S seen so far (torch.optim.Adam(amsgrad=True)).

S can shrink after a burst of large gradients, and Adam's steps then grow again; AMSGrad
keeps S_max = max(S_max, S) and divides by its root instead, so a coordinate's scale never
grows back. V is bias-corrected as in Adam, and S_max by 1 - beta2**t as torch does.
"""

import math

import numpy as np
from ravine.core.jit import jit

from ravine.core.narration import Explanation, Part
from ravine.core.optimizers import BETA1, BETA2, EPS, LR, Optimizer


@jit
def update(g, w, v, s, s_max, lr, beta1, beta2, eps, beta1_t, beta2_t):
    """V = beta1*V + (1-beta1)*dW;  S = beta2*S + (1-beta2)*dW**2;  S_max = max(S_max, S);
    W -= lr * (V/(1-beta1**t)) / (sqrt(S_max/(1-beta2**t)) + eps)"""
    v = beta1 * v + (1.0 - beta1) * g
    s = beta2 * s + (1.0 - beta2) * g * g
    if not s <= s_max:  # (a NaN S is kept, as np.maximum and torch.maximum keep it)
        s_max = s
    return -lr * (v / (1.0 - beta1_t)) / (math.sqrt(s_max / (1.0 - beta2_t)) + eps), v, s, s_max


def reference(w, grad, state, lr, hp, t):
    b1, b2, g = hp["beta1"], hp["beta2"], grad(w)
    v = b1 * state["v"] + (1 - b1) * g
    s = b2 * state["s"] + (1 - b2) * g**2
    s_max = np.maximum(state["s_max"], s)
    step = lr * (v / (1 - b1**t)) / (np.sqrt(s_max / (1 - b2**t)) + hp["eps"])
    return w - step, {"v": v, "s": s, "s_max": s_max}


def effective_lr(state, lr, hp, t):
    """lr / (1 - beta1**t) / (sqrt(S_max / (1 - beta2**t)) + eps) per axis: the factor that
    multiplies V in the step."""
    return lr / (1.0 - hp["beta1"] ** t) / (np.sqrt(state["s_max"] / (1.0 - hp["beta2"] ** t)) + hp["eps"])


def explain(ctx):
    """dW; V and S as in Adam; S_max = max(S_max, S); the bias-correction factors, V^ and
    S_max^; the per-axis factor lr/(sqrt(S_max^)+eps) (the scale, multiplying V^);
    W -= lr·V^/(sqrt(S_max^)+eps). Parts: beta1·V + (1-beta1)·dW = V (tail to head), V^, the step."""
    b1, b2, eps, t = ctx.hp["beta1"], ctx.hp["beta2"], ctx.hp["eps"], ctx.t
    past, new = b1 * ctx.v_prev, (1.0 - b1) * ctx.g
    v = past + new
    s = b2 * ctx.s_prev + (1.0 - b2) * ctx.g * ctx.g
    m_prev = ctx.state_prev.get("s_max", np.zeros(2))
    m = np.maximum(m_prev, s)
    c1, c2 = 1.0 - b1**t, 1.0 - b2**t
    vh, mh = v / c1, m / c2
    root = np.sqrt(mh)
    k = ctx.lr / (root + eps)
    step = -k * vh
    lines = [f"dW (the gradient at W) = {ctx.vec(ctx.g)}",
             f"V = beta1·V + (1-beta1)·dW = {ctx.num(b1)}·{ctx.vec(ctx.v_prev)} + "
             f"{ctx.num(1.0 - b1)}·{ctx.vec(ctx.g)} = {ctx.vec(v)}",
             f"S = beta2·S + (1-beta2)·dW^2 = {ctx.num(b2)}·{ctx.vec(ctx.s_prev)} + "
             f"{ctx.num(1.0 - b2)}·{ctx.vec(ctx.g)}^2 = {ctx.vec(s)}",
             f"S_max = max(S_max, S) = max({ctx.vec(m_prev)}, {ctx.vec(s)}) = {ctx.vec(m)}",
             f"bias correction at t = {t}: 1-beta1^t = 1-{ctx.num(b1)}^{t} = {ctx.num(c1)}, "
             f"1-beta2^t = 1-{ctx.num(b2)}^{t} = {ctx.num(c2)}",
             f"V^ = V/(1-beta1^t) = {ctx.vec(v)}/{ctx.num(c1)} = {ctx.vec(vh)}",
             f"S_max^ = S_max/(1-beta2^t) = {ctx.vec(m)}/{ctx.num(c2)} = {ctx.vec(mh)}",
             f"lr/(sqrt(S_max^)+eps) = {ctx.num(ctx.lr)}/({ctx.vec(root)} + {ctx.num(eps)}) = {ctx.vec(k)}",
             f"W -= lr·V^/(sqrt(S_max^)+eps), per axis: W = {ctx.vec(ctx.W)} - {ctx.vec(k)}·"
             f"{ctx.vec(vh)} = {ctx.vec(ctx.W + step)}"]
    parts = [Part("beta1·V", past), Part("(1-beta1)·dW", new, origin="beta1·V"),
             Part("V", v, sum_of=("beta1·V", "(1-beta1)·dW")),
             Part("V^ = V/(1-beta1^t)", vh),
             Part("-lr·V^/(sqrt(S_max^)+eps) = step", step, step=True)]
    return Explanation(lines, parts, k, "lr/(sqrt(S_max^)+eps)")


OPTIMIZER = Optimizer(
    name="amsgrad",
    description="AMSGrad (torch Adam, amsgrad=True): Adam divided by the largest S so far",
    formula="V = b1*V + (1-b1)*dW; S = b2*S + (1-b2)*dW^2; S_max = max(S_max, S); "
    "W -= lr*V^/(sqrt(S_max^)+eps), V^ = V/(1-b1^t), S_max^ = S_max/(1-b2^t)",
    params=(LR, BETA1, BETA2, EPS),
    update=update,
    reference=reference,
    state=("v", "s", "s_max"),
    powers=("beta1", "beta2"),
    direction="v",
    effective_lr=effective_lr,
    explain=explain,
)
