"""Gradient descent with momentum, in the course's exponentially-weighted form."""

from ravine.core.jit import jit

from ravine.core.narration import Explanation, Part
from ravine.core.optimizers import BETA, LR, Optimizer


@jit
def update(g, w, v, lr, beta):
    """v = beta*v + (1-beta)*dW;  W -= lr*v"""
    v = beta * v + (1.0 - beta) * g
    return -lr * v, v


def reference(w, grad, state, lr, hp, t):
    v = hp["beta"] * state["v"] + (1 - hp["beta"]) * grad(w)
    return w - lr * v, {"v": v}


def velocity(ctx):
    """v = beta·v + (1-beta)·dW: the line and the parts beta·v, (1-beta)·dW (tail to head)
    and v, their sum."""
    beta = ctx.hp["beta"]
    past, new = beta * ctx.v_prev, (1.0 - beta) * ctx.g
    v = past + new
    line = (f"v = beta·v + (1-beta)·dW = {ctx.num(beta)}·{ctx.vec(ctx.v_prev)} + "
            f"{ctx.num(1.0 - beta)}·{ctx.vec(ctx.g)} = {ctx.vec(v)}")
    parts = [Part("beta·v", past), Part("(1-beta)·dW", new, origin="beta·v"),
             Part("v", v, sum_of=("beta·v", "(1-beta)·dW"))]
    return v, line, parts


def explain(ctx):
    """dW; v = beta·v + (1-beta)·dW; W -= lr·v, with this update's numbers."""
    v, line, parts = velocity(ctx)
    step = -ctx.lr * v
    return Explanation(
        [f"dW (the gradient at W) = {ctx.vec(ctx.g)}", line,
         f"W -= lr·v: W = {ctx.vec(ctx.W)} - {ctx.num(ctx.lr)}·{ctx.vec(v)} = {ctx.vec(ctx.W + step)}"],
        [*parts, Part("-lr·v = step", step, step=True)])


OPTIMIZER = Optimizer(
    name="momentum",
    description="momentum: steps along an exponentially weighted average of gradients",
    formula="v = beta*v + (1-beta)*dW; W -= lr*v",
    params=(LR, BETA),
    update=update,
    reference=reference,
    state=("v",),
    direction="v",
    explain=explain,
)
