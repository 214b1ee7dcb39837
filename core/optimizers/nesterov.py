"""Nesterov momentum: the gradient is taken where momentum is about to carry W."""

from ravine.core.jit import jit

from ravine.core.narration import Explanation, Part
from ravine.core.optimizers import BETA, LR, Optimizer
from ravine.core.optimizers.momentum import update, velocity


@jit
def eval_point(w, v, lr, beta):
    """The look-ahead point W - lr*beta*v: where the momentum part of the step leads."""
    return w - lr * beta * v


def reference(w, grad, state, lr, hp, t):
    beta = hp["beta"]
    v = beta * state["v"] + (1 - beta) * grad(w - lr * beta * state["v"])
    return w - lr * v, {"v": v}


def explain(ctx):
    """The look-ahead W - lr·beta·v, dW there, then momentum's v and W -= lr·v: the step is
    the jump to the look-ahead plus the correction -lr·(1-beta)·dW from there."""
    beta = ctx.hp["beta"]
    jump = -ctx.lr * beta * ctx.v_prev
    v, line, parts = velocity(ctx)
    fix = -ctx.lr * (1.0 - beta) * ctx.g
    step = -ctx.lr * v
    return Explanation(
        [f"look-ahead = W - lr·beta·v = {ctx.vec(ctx.W)} - {ctx.num(ctx.lr)}·{ctx.num(beta)}·"
         f"{ctx.vec(ctx.v_prev)} = {ctx.vec(ctx.W + jump)}",
         f"dW (the gradient at the look-ahead, not at W) = {ctx.vec(ctx.g)}", line,
         f"step = -lr·beta·v - lr·(1-beta)·dW = {ctx.vec(jump)} + {ctx.vec(fix)} = {ctx.vec(step)}",
         f"W -= lr·v: W = {ctx.vec(ctx.W)} - {ctx.num(ctx.lr)}·{ctx.vec(v)} = {ctx.vec(ctx.W + step)}"],
        [*parts,
         Part("-lr·beta·v (to the look-ahead)", jump, move=True),
         Part("-lr·(1-beta)·dW (correction)", fix, origin="-lr·beta·v (to the look-ahead)", move=True),
         Part("-lr·v = step", step, step=True,
              sum_of=("-lr·beta·v (to the look-ahead)", "-lr·(1-beta)·dW (correction)"))])


OPTIMIZER = Optimizer(
    name="nesterov",
    description="Nesterov momentum: momentum with the gradient taken at the look-ahead point",
    formula="g = dW(W - lr*beta*v); v = beta*v + (1-beta)*g; W -= lr*v",
    params=(LR, BETA),
    update=update,
    reference=reference,
    state=("v",),
    eval_point=eval_point,
    direction="v",
    explain=explain,
)
