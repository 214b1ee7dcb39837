"""Adadelta (Zeiler 2012), in torch.optim.Adadelta's form.

Each coordinate's step is dW scaled by RMS(past updates)/RMS(gradients): u, the mean square
of past updates, gives the step its units, so it needs no learning rate (lr = 1, torch's
default, is the paper's method; lr scales the update).
"""

import dataclasses
import math

import numpy as np
from ravine.core.jit import jit

from ravine.core.narration import Explanation, Part
from ravine.core.optimizers import DECAY, LR, Optimizer
from ravine.core.params import Param

ADADELTA_LR = dataclasses.replace(LR, default=1.0, doc="learning rate alpha, scaling delta (1: Zeiler's method)")
RHO = Param("rho", 0.9, doc="decay of both mean squares: S of the gradients, u of the past updates delta",
            **DECAY)
ADADELTA_EPS = Param("eps", 1e-6, lo=0.0, lo_open=True, scale="log", ui_range=(1e-10, 1.0),
                     doc="added inside both roots, sqrt(u+eps)/sqrt(S+eps); with u starting at 0 "
                         "it sets the size of the first steps (about lr*sqrt(eps/(1-rho)))")


@jit
def update(g, w, s, u, lr, rho, eps):
    """S = rho*S + (1-rho)*dW**2;  delta = sqrt(u+eps)/sqrt(S+eps)*dW;
    u = rho*u + (1-rho)*delta**2;  W -= lr*delta"""
    s = rho * s + (1.0 - rho) * g * g
    delta = math.sqrt(u + eps) / math.sqrt(s + eps) * g
    u = rho * u + (1.0 - rho) * delta * delta
    return -lr * delta, s, u


def reference(w, grad, state, lr, hp, t):
    rho, eps, g = hp["rho"], hp["eps"], grad(w)
    s = rho * state["s"] + (1 - rho) * g**2
    delta = np.sqrt(state["u"] + eps) / np.sqrt(s + eps) * g
    u = rho * state["u"] + (1 - rho) * delta**2
    return w - lr * delta, {"s": s, "u": u}


def explain(ctx):
    """dW; S = rho·S + (1-rho)·dW^2; the factor sqrt(u+eps)/sqrt(S+eps) (u from before this
    update); delta; u = rho·u + (1-rho)·delta^2; W -= lr·delta. Parts: dW, delta, the step."""
    rho, eps = ctx.hp["rho"], ctx.hp["eps"]
    u_prev = ctx.state_prev.get("u", np.zeros(2))
    s = rho * ctx.s_prev + (1.0 - rho) * ctx.g * ctx.g
    top, bottom = np.sqrt(u_prev + eps), np.sqrt(s + eps)
    factor = top / bottom
    delta = factor * ctx.g
    u = rho * u_prev + (1.0 - rho) * delta * delta
    step = -ctx.lr * delta
    lines = [f"dW (the gradient at W) = {ctx.vec(ctx.g)}",
             f"S = rho·S + (1-rho)·dW^2 = {ctx.num(rho)}·{ctx.vec(ctx.s_prev)} + "
             f"{ctx.num(1.0 - rho)}·{ctx.vec(ctx.g)}^2 = {ctx.vec(s)}",
             f"sqrt(u+eps)/sqrt(S+eps) (u: the mean square of past updates) = {ctx.vec(top)}/"
             f"{ctx.vec(bottom)} = {ctx.vec(factor)}",
             f"delta = sqrt(u+eps)/sqrt(S+eps)·dW = {ctx.vec(factor)}·{ctx.vec(ctx.g)} = {ctx.vec(delta)}",
             f"u = rho·u + (1-rho)·delta^2 = {ctx.num(rho)}·{ctx.vec(u_prev)} + "
             f"{ctx.num(1.0 - rho)}·{ctx.vec(delta)}^2 = {ctx.vec(u)}",
             f"W -= lr·delta: W = {ctx.vec(ctx.W)} - {ctx.num(ctx.lr)}·{ctx.vec(delta)} = {ctx.vec(ctx.W + step)}"]
    parts = [Part("dW", ctx.g), Part("delta", delta, move=True), Part("-lr·delta = step", step, step=True)]
    return Explanation(lines, parts)


OPTIMIZER = Optimizer(
    name="adadelta",
    description="Adadelta (torch.optim.Adadelta): dW scaled by RMS of past updates (u) over RMS of dW (S)",
    formula="S = rho*S + (1-rho)*dW^2; D = sqrt(u+eps)/sqrt(S+eps)*dW; u = rho*u + (1-rho)*D^2; W -= lr*D",
    params=(ADADELTA_LR, RHO, ADADELTA_EPS),
    update=update,
    reference=reference,
    state=("s", "u"),
    explain=explain,
    doc="u is the mean square of past updates: it starts at 0, so the first steps are about "
        "lr*sqrt(eps/(1-rho)) long whatever the gradient, and grow as u does.",
)
