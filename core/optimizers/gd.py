"""Plain (mini-batch) gradient descent."""

from ravine.core.jit import jit

from ravine.core.narration import Explanation, Part
from ravine.core.optimizers import LR, Optimizer


@jit
def update(g, w, lr):
    """W -= lr * dW"""
    return -lr * g


def reference(w, grad, state, lr, hp, t):
    return w - lr * grad(w), {}


def explain(ctx):
    """dW, then W -= lr·dW with this update's numbers; parts dW and the step -lr·dW."""
    step = -ctx.lr * ctx.g
    return Explanation(
        [f"dW (the gradient at W) = {ctx.vec(ctx.g)}",
         f"W -= lr·dW: W = {ctx.vec(ctx.W)} - {ctx.num(ctx.lr)}·{ctx.vec(ctx.g)} "
         f"= {ctx.vec(ctx.W + step)}"],
        [Part("dW", ctx.g), Part("-lr·dW = step", step, step=True)])


OPTIMIZER = Optimizer(
    name="gd",
    description="gradient descent: a step against the gradient",
    formula="W -= lr*dW",
    params=(LR,),
    update=update,
    reference=reference,
    explain=explain,
)
