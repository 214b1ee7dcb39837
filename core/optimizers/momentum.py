"""Gradient descent with momentum, in the course's exponentially-weighted form."""

from ravine.core.jit import jit

from ravine.core.optimizers import BETA, LR, Optimizer


@jit
def update(g, m, s, lr, b1, b2, eps, flag, c1, c2):
    """v = beta*v + (1-beta)*dW;  W -= lr*v"""
    m = b1 * m + (1.0 - b1) * g
    return -lr * m, m, s


OPTIMIZER = Optimizer(
    name="momentum",
    description="momentum: steps along an exponentially weighted average of gradients",
    formula="v = beta*v + (1-beta)*dW; W -= lr*v",
    params=(LR, BETA),
    update=update,
    direction="v",
)
