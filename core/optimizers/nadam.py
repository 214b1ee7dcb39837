"""NAdam: Adam with Nesterov momentum, in torch.optim.NAdam's form (Dozat 2016).

The step mixes the gradient of this update and the momentum V, weighted by a momentum
schedule mu_t = beta1*(1 - 0.5*0.96**(t*momentum_decay)) and its running product (the state
slot mu_product, the same on every coordinate); S is bias-corrected as in Adam.
"""

import dataclasses
import math

import numpy as np
from ravine.core.jit import jit

from ravine.core.narration import Explanation, Part
from ravine.core.optimizers import BETA1, BETA2, EPS, LR, Optimizer
from ravine.core.params import Param

NADAM_LR = dataclasses.replace(LR, default=0.002)  # torch.optim.NAdam's default
MOMENTUM_DECAY = Param(
    "momentum_decay", 0.004, lo=0.0,
    doc="psi in the momentum schedule mu_t = beta1*(1 - 0.5*0.96^(t*psi)): how fast the weight "
        "of V rises from beta1/2 toward beta1 (0.004, torch's default: mu_t stays near 0.45 "
        "for hundreds of updates at beta1 = 0.9)",
    ui_range=(0.0, 0.1))


@jit
def update(g, w, v, s, mu_product, lr, beta1, beta2, eps, momentum_decay, beta2_t, t):
    """mu_t = beta1*(1 - 0.5*0.96**(t*psi)), mu_{t+1} likewise, mu_product *= mu_t;
    V = beta1*V + (1-beta1)*dW;  S = beta2*S + (1-beta2)*dW**2;  D = sqrt(S/(1-beta2**t)) + eps;
    W -= lr*(1-mu_t)/(1-mu_product)*dW/D + lr*mu_{t+1}/(1-mu_product*mu_{t+1})*V/D"""
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_product = mu_product * mu
    v = beta1 * v + (1.0 - beta1) * g
    s = beta2 * s + (1.0 - beta2) * g * g
    denom = math.sqrt(s / (1.0 - beta2_t)) + eps
    step = (-lr * (1.0 - mu) / (1.0 - mu_product) * g / denom
            - lr * mu_next / (1.0 - mu_product * mu_next) * v / denom)
    return step, v, s, mu_product


def _mu(hp, t):
    return hp["beta1"] * (1 - 0.5 * 0.96 ** (t * hp["momentum_decay"]))


def reference(w, grad, state, lr, hp, t):
    b1, b2, g = hp["beta1"], hp["beta2"], grad(w)
    mu, mu_next = _mu(hp, t), _mu(hp, t + 1)
    prod = state["mu_product"] * mu
    v = b1 * state["v"] + (1 - b1) * g
    s = b2 * state["s"] + (1 - b2) * g**2
    denom = np.sqrt(s / (1 - b2**t)) + hp["eps"]
    new_w = w - lr * (1 - mu) / (1 - prod) * g / denom - lr * mu_next / (1 - prod * mu_next) * v / denom
    return new_w, {"v": v, "s": s, "mu_product": prod}


def explain(ctx):
    """dW; mu_t and mu_{t+1}; mu_product; V and S; S^ and the per-axis factor lr/(sqrt(S^)+eps)
    (the scale); the weights of dW and of V; W -= the two parts. Parts: beta1·V + (1-beta1)·dW
    = V (tail to head), then the gradient part and the momentum part of the step, tail to head,
    their sum the step."""
    b1, b2, eps, psi, t = ctx.hp["beta1"], ctx.hp["beta2"], ctx.hp["eps"], ctx.hp["momentum_decay"], ctx.t
    mu, mu_next = _mu(ctx.hp, t), _mu(ctx.hp, t + 1)
    # the product before this update: 1 at t = 1 (the slot's start value)
    prod_prev = 1.0 if t == 1 else float(ctx.state_prev["mu_product"][0])
    prod = float(ctx.state["mu_product"][0]) if "mu_product" in ctx.state else prod_prev * mu
    past, new = b1 * ctx.v_prev, (1.0 - b1) * ctx.g
    v = past + new
    s = b2 * ctx.s_prev + (1.0 - b2) * ctx.g * ctx.g
    c2 = 1.0 - b2**t
    sh = s / c2
    root = np.sqrt(sh)
    k = ctx.lr / (root + eps)
    a = (1.0 - mu) / (1.0 - prod)
    b = mu_next / (1.0 - prod * mu_next)
    gpart = -k * a * ctx.g
    vpart = -k * b * v
    step = gpart + vpart
    lines = [f"dW (the gradient at W) = {ctx.vec(ctx.g)}",
             f"mu_t = beta1·(1 - 0.5·0.96^(t·momentum_decay)) = {ctx.num(b1)}·(1 - 0.5·0.96^({t}·"
             f"{ctx.num(psi)})) = {ctx.num(mu)}, mu_(t+1) = {ctx.num(mu_next)}",
             f"mu_product = mu_product·mu_t = {ctx.num(prod_prev)}·{ctx.num(mu)} = {ctx.num(prod)}",
             f"V = beta1·V + (1-beta1)·dW = {ctx.num(b1)}·{ctx.vec(ctx.v_prev)} + "
             f"{ctx.num(1.0 - b1)}·{ctx.vec(ctx.g)} = {ctx.vec(v)}",
             f"S = beta2·S + (1-beta2)·dW^2 = {ctx.num(b2)}·{ctx.vec(ctx.s_prev)} + "
             f"{ctx.num(1.0 - b2)}·{ctx.vec(ctx.g)}^2 = {ctx.vec(s)}",
             f"bias correction at t = {t}: 1-beta2^t = 1-{ctx.num(b2)}^{t} = {ctx.num(c2)}, "
             f"S^ = S/(1-beta2^t) = {ctx.vec(sh)}",
             f"lr/(sqrt(S^)+eps) = {ctx.num(ctx.lr)}/({ctx.vec(root)} + {ctx.num(eps)}) = {ctx.vec(k)}",
             f"weight of dW: (1-mu_t)/(1-mu_product) = {ctx.num(a)}; weight of V: "
             f"mu_(t+1)/(1-mu_product·mu_(t+1)) = {ctx.num(b)}",
             f"W -= lr·((1-mu_t)/(1-mu_product)·dW + mu_(t+1)/(1-mu_product·mu_(t+1))·V)/(sqrt(S^)+eps): "
             f"W = {ctx.vec(ctx.W)} - {ctx.vec(k)}·({ctx.num(a)}·{ctx.vec(ctx.g)} + {ctx.num(b)}·"
             f"{ctx.vec(v)}) = {ctx.vec(ctx.W + step)}"]
    gname = "-lr·(1-mu_t)/(1-mu_product)·dW/(sqrt(S^)+eps) (gradient part)"
    vname = "-lr·mu_(t+1)/(1-mu_product·mu_(t+1))·V/(sqrt(S^)+eps) (momentum part)"
    parts = [Part("beta1·V", past), Part("(1-beta1)·dW", new, origin="beta1·V"),
             Part("V", v, sum_of=("beta1·V", "(1-beta1)·dW")),
             Part(gname, gpart, move=True),
             Part(vname, vpart, origin=gname, move=True),
             Part("step", step, step=True, sum_of=(gname, vname))]
    return Explanation(lines, parts, k, "lr/(sqrt(S^)+eps)")


OPTIMIZER = Optimizer(
    name="nadam",
    description="NAdam (torch.optim.NAdam): Adam with Nesterov momentum and a momentum schedule mu_t",
    formula="mu_t = b1*(1-0.5*0.96^(t*momentum_decay)); P = P*mu_t; V = b1*V + (1-b1)*dW; "
    "S = b2*S + (1-b2)*dW^2; W -= lr*((1-mu_t)/(1-P)*dW + mu_(t+1)/(1-P*mu_(t+1))*V)/(sqrt(S^)+eps), "
    "P = mu_product, S^ = S/(1-b2^t)",
    params=(NADAM_LR, BETA1, BETA2, EPS, MOMENTUM_DECAY),
    update=update,
    reference=reference,
    state=("v", "s", "mu_product"),
    powers=("beta2",),
    initial={"mu_product": 1.0},
    direction="v",
    explain=explain,
)
