"""AdamW: Adam with decoupled weight decay, as torch.optim.AdamW does it.

The weights shrink by lr*weight_decay*W each update, apart from the Adam step (which is not
divided by sqrt(S), unlike an L2 term added to dW); the Adam step uses the gradient at the
weights before that shrink. Bias correction is always on (torch has no switch for it).
"""

import math

import numpy as np
from ravine.core.jit import jit

from ravine.core.narration import Explanation, Part
from ravine.core.optimizers import BETA1, BETA2, EPS, LR, WEIGHT_DECAY, Optimizer


@jit
def update(g, w, v, s, lr, beta1, beta2, eps, weight_decay, beta1_t, beta2_t):
    """V = beta1*V + (1-beta1)*dW;  S = beta2*S + (1-beta2)*dW**2;
    V^ = V/(1-beta1**t), S^ = S/(1-beta2**t);
    W -= lr*weight_decay*W + lr*V^/(sqrt(S^)+eps)  (dW taken at W before the decay)"""
    v = beta1 * v + (1.0 - beta1) * g
    s = beta2 * s + (1.0 - beta2) * g * g
    vh = v / (1.0 - beta1_t)
    sh = s / (1.0 - beta2_t)
    return -lr * weight_decay * w - lr * vh / (math.sqrt(sh) + eps), v, s


def reference(w, grad, state, lr, hp, t):
    b1, b2, g = hp["beta1"], hp["beta2"], grad(w)
    v = b1 * state["v"] + (1 - b1) * g
    s = b2 * state["s"] + (1 - b2) * g**2
    decayed = w * (1 - lr * hp["weight_decay"])  # torch: param.mul_(1 - lr * weight_decay)
    new_w = decayed - lr * (v / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + hp["eps"])
    return new_w, {"v": v, "s": s}


def explain(ctx):
    """Adam's lines (dW, V, S, the bias-correction factors, V^, S^, the per-axis factor), then
    the decay lr·weight_decay·W and W -= lr·weight_decay·W + lr·V^/(sqrt(S^)+eps).
    Parts: beta1·V + (1-beta1)·dW = V, V^, then the decay and the Adam step tail to head,
    their sum the step."""
    b1, b2, eps, wd, t = ctx.hp["beta1"], ctx.hp["beta2"], ctx.hp["eps"], ctx.hp["weight_decay"], ctx.t
    past, new = b1 * ctx.v_prev, (1.0 - b1) * ctx.g
    v = past + new
    s = b2 * ctx.s_prev + (1.0 - b2) * ctx.g * ctx.g
    c1, c2 = 1.0 - b1**t, 1.0 - b2**t
    vh, sh = v / c1, s / c2
    root = np.sqrt(sh)
    k = ctx.lr / (root + eps)
    adam = -k * vh
    decay = -ctx.lr * wd * ctx.W
    step = decay + adam
    lines = [f"dW (the gradient at W, before the decay) = {ctx.vec(ctx.g)}",
             f"V = beta1·V + (1-beta1)·dW = {ctx.num(b1)}·{ctx.vec(ctx.v_prev)} + "
             f"{ctx.num(1.0 - b1)}·{ctx.vec(ctx.g)} = {ctx.vec(v)}",
             f"S = beta2·S + (1-beta2)·dW^2 = {ctx.num(b2)}·{ctx.vec(ctx.s_prev)} + "
             f"{ctx.num(1.0 - b2)}·{ctx.vec(ctx.g)}^2 = {ctx.vec(s)}",
             f"bias correction at t = {t}: 1-beta1^t = 1-{ctx.num(b1)}^{t} = {ctx.num(c1)}, "
             f"1-beta2^t = 1-{ctx.num(b2)}^{t} = {ctx.num(c2)}",
             f"V^ = V/(1-beta1^t) = {ctx.vec(v)}/{ctx.num(c1)} = {ctx.vec(vh)}",
             f"S^ = S/(1-beta2^t) = {ctx.vec(s)}/{ctx.num(c2)} = {ctx.vec(sh)}",
             f"lr/(sqrt(S^)+eps) = {ctx.num(ctx.lr)}/({ctx.vec(root)} + {ctx.num(eps)}) = {ctx.vec(k)}",
             f"decay: -lr·weight_decay·W = -{ctx.num(ctx.lr)}·{ctx.num(wd)}·{ctx.vec(ctx.W)} = {ctx.vec(decay)}",
             f"W -= lr·weight_decay·W + lr·V^/(sqrt(S^)+eps): W = {ctx.vec(ctx.W)} + {ctx.vec(decay)} - "
             f"{ctx.vec(k)}·{ctx.vec(vh)} = {ctx.vec(ctx.W + step)}"]
    parts = [Part("beta1·V", past), Part("(1-beta1)·dW", new, origin="beta1·V"),
             Part("V", v, sum_of=("beta1·V", "(1-beta1)·dW")),
             Part("V^ = V/(1-beta1^t)", vh),
             Part("-lr·weight_decay·W (decay)", decay, move=True),
             Part("-lr·V^/(sqrt(S^)+eps) (Adam)", adam, origin="-lr·weight_decay·W (decay)", move=True),
             Part("step", step, step=True,
                  sum_of=("-lr·weight_decay·W (decay)", "-lr·V^/(sqrt(S^)+eps) (Adam)"))]
    return Explanation(lines, parts, k, "lr/(sqrt(S^)+eps)")


OPTIMIZER = Optimizer(
    name="adamw",
    description="AdamW (torch.optim.AdamW): Adam, bias-corrected, with decoupled weight decay",
    formula="V = b1*V + (1-b1)*dW; S = b2*S + (1-b2)*dW^2; W -= lr*wd*W + lr*V^/(sqrt(S^)+eps), "
    "V^ = V/(1-b1^t), S^ = S/(1-b2^t)",
    params=(LR, BETA1, BETA2, EPS, WEIGHT_DECAY),
    update=update,
    reference=reference,
    state=("v", "s"),
    powers=("beta1", "beta2"),
    direction="v",
    explain=explain,
    doc="weight_decay pulls W toward 0 by lr*weight_decay*W each update: on a surface, toward "
        "the origin (0, 0).",
)
