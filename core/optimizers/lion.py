"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2).

Every coordinate moves by exactly lr (plus the decay) each update, in the direction of the
sign of C, an interpolation of the momentum and the gradient; the momentum is updated after
the step, with its own, slower decay beta2.
"""

import dataclasses

import numpy as np
from ravine.core.jit import jit

from ravine.core.narration import Explanation, Part
from ravine.core.optimizers import DECAY, LR, WEIGHT_DECAY, Optimizer
from ravine.core.params import Param

LION_LR = dataclasses.replace(LR, default=0.001, doc=LR.doc + " (each coordinate moves by lr a step)")
LION_BETA1 = Param("beta1", 0.9, doc="weight of the momentum v in the step's direction "
                   "C = beta1*v + (1-beta1)*dW", **DECAY)
LION_BETA2 = Param("beta2", 0.99, doc="momentum decay: v = beta2*v + (1-beta2)*dW, after the step",
                   **DECAY)
LION_WEIGHT_DECAY = dataclasses.replace(WEIGHT_DECAY, default=0.0)


@jit
def update(g, w, v, lr, beta1, beta2, weight_decay):
    """C = beta1*v + (1-beta1)*dW;  W -= lr*(sign(C) + weight_decay*W);
    v = beta2*v + (1-beta2)*dW  (sign(0) = 0)"""
    c = beta1 * v + (1.0 - beta1) * g
    if c > 0.0:
        sign = 1.0
    elif c < 0.0:
        sign = -1.0
    else:
        sign = c  # 0 stays 0 (a NaN stays NaN, as np.sign keeps it)
    v = beta2 * v + (1.0 - beta2) * g
    return -lr * (sign + weight_decay * w), v


def reference(w, grad, state, lr, hp, t):
    g = grad(w)
    c = hp["beta1"] * state["v"] + (1 - hp["beta1"]) * g
    new_w = w - lr * (np.sign(c) + hp["weight_decay"] * w)
    return new_w, {"v": hp["beta2"] * state["v"] + (1 - hp["beta2"]) * g}


def explain(ctx):
    """dW; C = beta1·v + (1-beta1)·dW; sign(C); the decay; W -= lr·(sign(C) + weight_decay·W);
    then v = beta2·v + (1-beta2)·dW for the next update. Parts: beta1·v + (1-beta1)·dW = C
    (tail to head), -lr·sign(C), the decay and the step."""
    b1, b2, wd = ctx.hp["beta1"], ctx.hp["beta2"], ctx.hp["weight_decay"]
    past, new = b1 * ctx.v_prev, (1.0 - b1) * ctx.g
    c = past + new
    sign = np.sign(c)
    v = b2 * ctx.v_prev + (1.0 - b2) * ctx.g
    move = -ctx.lr * sign
    decay = -ctx.lr * wd * ctx.W
    step = move + decay
    lines = [f"dW (the gradient at W) = {ctx.vec(ctx.g)}",
             f"C = beta1·v + (1-beta1)·dW = {ctx.num(b1)}·{ctx.vec(ctx.v_prev)} + "
             f"{ctx.num(1.0 - b1)}·{ctx.vec(ctx.g)} = {ctx.vec(c)}",
             f"sign(C) = {ctx.vec(sign)}: each coordinate moves by lr = {ctx.num(ctx.lr)}",
             f"v = beta2·v + (1-beta2)·dW (for the next update) = {ctx.num(b2)}·{ctx.vec(ctx.v_prev)} + "
             f"{ctx.num(1.0 - b2)}·{ctx.vec(ctx.g)} = {ctx.vec(v)}"]
    parts = [Part("beta1·v", past), Part("(1-beta1)·dW", new, origin="beta1·v"),
             Part("C", c, sum_of=("beta1·v", "(1-beta1)·dW"))]
    if wd:
        lines += [f"decay: -lr·weight_decay·W = -{ctx.num(ctx.lr)}·{ctx.num(wd)}·{ctx.vec(ctx.W)} = "
                  f"{ctx.vec(decay)}",
                  f"W -= lr·(sign(C) + weight_decay·W): W = {ctx.vec(ctx.W)} - {ctx.num(ctx.lr)}·"
                  f"{ctx.vec(sign)} + {ctx.vec(decay)} = {ctx.vec(ctx.W + step)}"]
        parts += [Part("-lr·sign(C)", move, move=True),
                  Part("-lr·weight_decay·W (decay)", decay, origin="-lr·sign(C)", move=True),
                  Part("step", step, step=True, sum_of=("-lr·sign(C)", "-lr·weight_decay·W (decay)"))]
    else:
        lines.append(f"W -= lr·(sign(C) + weight_decay·W), weight_decay = 0: W = {ctx.vec(ctx.W)} - "
                     f"{ctx.num(ctx.lr)}·{ctx.vec(sign)} = {ctx.vec(ctx.W + step)}")
        parts.append(Part("-lr·sign(C) = step", step, step=True))
    return Explanation(lines, parts)


OPTIMIZER = Optimizer(
    name="lion",
    description="Lion (Chen et al. 2023): steps of lr along the sign of a momentum-gradient mix",
    formula="C = b1*v + (1-b1)*dW; W -= lr*(sign(C) + wd*W); v = b2*v + (1-b2)*dW",
    params=(LION_LR, LION_BETA1, LION_BETA2, LION_WEIGHT_DECAY),
    update=update,
    reference=reference,
    state=("v",),
    direction="v",
    explain=explain,
    doc="weight_decay pulls W toward 0 by lr*weight_decay*W each update: on a surface, toward "
        "the origin (0, 0).",
)
