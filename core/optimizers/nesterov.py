"""Nesterov momentum: the gradient is taken where momentum is about to carry W."""

from ravine.core.jit import jit

from ravine.core.optimizers import BETA, LR, Optimizer
from ravine.core.optimizers.momentum import update


@jit
def eval_point(w, m, lr, b1):
    """The look-ahead point W - lr*beta*v: where the momentum part of the step leads."""
    return w - lr * b1 * m


OPTIMIZER = Optimizer(
    name="nesterov",
    description="Nesterov momentum: momentum with the gradient taken at the look-ahead point",
    formula="g = dW(W - lr*beta*v); v = beta*v + (1-beta)*g; W -= lr*v",
    params=(LR, BETA),
    update=update,
    eval_point=eval_point,
    direction="v",
)
