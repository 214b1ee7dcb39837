"""Adam: momentum and RMSprop together, with bias correction."""

import math

import numpy as np
from ravine.core.jit import jit

from ravine.core.narration import Explanation, Part
from ravine.core.optimizers import BETA1, BETA2, BIAS_CORRECTION, EPS, LR, Optimizer


@jit
def update(g, w, v, s, lr, beta1, beta2, eps, bias_correction, beta1_t, beta2_t):
    """V = beta1*V + (1-beta1)*dW;  S = beta2*S + (1-beta2)*dW**2;
    with bias correction V /= (1-beta1**t), S /= (1-beta2**t) (divided, not multiplied);
    W -= lr * V / (sqrt(S) + eps)"""
    v = beta1 * v + (1.0 - beta1) * g
    s = beta2 * s + (1.0 - beta2) * g * g
    if bias_correction:
        vh = v / (1.0 - beta1_t)
        sh = s / (1.0 - beta2_t)
    else:
        vh = v
        sh = s
    return -lr * vh / (math.sqrt(sh) + eps), v, s


def reference(w, grad, state, lr, hp, t):
    b1, b2, g = hp["beta1"], hp["beta2"], grad(w)
    v = b1 * state["v"] + (1 - b1) * g
    s = b2 * state["s"] + (1 - b2) * g**2
    if hp["bias_correction"]:
        step = lr * (v / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + hp["eps"])
    else:
        step = lr * v / (np.sqrt(s) + hp["eps"])
    return w - step, {"v": v, "s": s}


def effective_lr(state, lr, hp, t):
    """lr / (1 - beta1**t) / (sqrt(S / (1 - beta2**t)) + eps) per axis (without correction,
    lr / (sqrt(S) + eps)): the factor that multiplies V in the step."""
    s = state["s"]
    if hp["bias_correction"]:
        return lr / (1.0 - hp["beta1"] ** t) / (np.sqrt(s / (1.0 - hp["beta2"] ** t)) + hp["eps"])
    return lr / (np.sqrt(s) + hp["eps"])


def explain(ctx):
    """dW; V and S; with bias correction the factors 1-beta1^t, 1-beta2^t and V^, S^; the
    per-axis factor lr/(sqrt(S^)+eps) (the scale, multiplying V^); W -= lr·V^/(sqrt(S^)+eps).
    Parts: beta1·V + (1-beta1)·dW = V (tail to head), V^, the step."""
    b1, b2, eps, t = ctx.hp["beta1"], ctx.hp["beta2"], ctx.hp["eps"], ctx.t
    past, new = b1 * ctx.v_prev, (1.0 - b1) * ctx.g
    v = past + new
    s = b2 * ctx.s_prev + (1.0 - b2) * ctx.g * ctx.g
    lines = [f"dW (the gradient at W) = {ctx.vec(ctx.g)}",
             f"V = beta1·V + (1-beta1)·dW = {ctx.num(b1)}·{ctx.vec(ctx.v_prev)} + "
             f"{ctx.num(1.0 - b1)}·{ctx.vec(ctx.g)} = {ctx.vec(v)}",
             f"S = beta2·S + (1-beta2)·dW^2 = {ctx.num(b2)}·{ctx.vec(ctx.s_prev)} + "
             f"{ctx.num(1.0 - b2)}·{ctx.vec(ctx.g)}^2 = {ctx.vec(s)}"]
    parts = [Part("beta1·V", past), Part("(1-beta1)·dW", new, origin="beta1·V"),
             Part("V", v, sum_of=("beta1·V", "(1-beta1)·dW"))]
    if ctx.hp["bias_correction"]:
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        vh, sh, hat = v / c1, s / c2, "^"
        lines += [f"bias correction at t = {t}: 1-beta1^t = 1-{ctx.num(b1)}^{t} = {ctx.num(c1)}, "
                  f"1-beta2^t = 1-{ctx.num(b2)}^{t} = {ctx.num(c2)}",
                  f"V^ = V/(1-beta1^t) = {ctx.vec(v)}/{ctx.num(c1)} = {ctx.vec(vh)}",
                  f"S^ = S/(1-beta2^t) = {ctx.vec(s)}/{ctx.num(c2)} = {ctx.vec(sh)}"]
        parts.append(Part("V^ = V/(1-beta1^t)", vh))
    else:
        vh, sh, hat = v, s, ""
        lines.append("no bias correction: V and S are used as they are")
    root = np.sqrt(sh)
    k = ctx.lr / (root + eps)
    step = -k * vh
    scale_name = f"lr/(sqrt(S{hat})+eps)"
    lines += [f"{scale_name} = {ctx.num(ctx.lr)}/({ctx.vec(root)} + {ctx.num(eps)}) = {ctx.vec(k)}",
              f"W -= lr·V{hat}/(sqrt(S{hat})+eps), per axis: W = {ctx.vec(ctx.W)} - {ctx.vec(k)}·"
              f"{ctx.vec(vh)} = {ctx.vec(ctx.W + step)}"]
    parts.append(Part(f"-lr·V{hat}/(sqrt(S{hat})+eps) = step", step, step=True))
    return Explanation(lines, parts, k, scale_name)


OPTIMIZER = Optimizer(
    name="adam",
    description="Adam: momentum over RMSprop-scaled steps, bias-corrected",
    formula="V = b1*V + (1-b1)*dW; S = b2*S + (1-b2)*dW^2; W -= lr*V^/(sqrt(S^)+eps), "
    "V^ = V/(1-b1^t), S^ = S/(1-b2^t)",
    params=(LR, BETA1, BETA2, EPS, BIAS_CORRECTION),
    update=update,
    reference=reference,
    state=("v", "s"),
    powers=("beta1", "beta2"),
    direction="v",
    effective_lr=effective_lr,
    explain=explain,
)
