"""Plain (mini-batch) gradient descent."""

from ravine.core.jit import jit

from ravine.core.optimizers import LR, Optimizer


@jit
def update(g, m, s, lr, b1, b2, eps, flag, c1, c2):
    """W -= lr * dW"""
    return -lr * g, m, s


OPTIMIZER = Optimizer(
    name="gd",
    description="gradient descent: a step against the gradient",
    formula="W -= lr*dW",
    params=(LR,),
    update=update,
)
