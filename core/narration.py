"""Narrated step mode: what update t of a trajectory did, as arrows and as equations.

Each optimizer module may declare `explain(ctx) -> Explanation`: plain Python that writes
its update in the notes' notation (dW, v, V, S, beta, beta1, beta2, eps, lr, W) with this
update's numbers, and names the parts of the update as 2-D vectors with their true lengths.
`narrate` builds the context from a Trajectory and adds a header; a module without
`explain` is narrated generically from its `formula` and its state. Nothing here imports
Qt, and the registry is imported lazily (the optimizer modules import this module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ravine.core.slots import NamedSlots, slot

DOT = "·"
"""The multiplication sign in displayed text."""


def num(x: float, digits: int = 4) -> str:
    """x with `digits` significant digits, short: 0.05, -1.212, 1e-8, 2.5e6, never -0."""
    x = float(x)
    if x == 0.0:
        return "0"
    text = f"{x:.{digits}g}"
    text = re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)
    return "0" if re.fullmatch(r"-0(\.0*)?", text) else text


def vec(v, digits: int = 4) -> str:
    """A 2-vector as (a, b), each number as `num` writes it."""
    a, b = np.asarray(v, dtype=np.float64)
    return f"({num(a, digits)}, {num(b, digits)})"


@dataclass
class Part:
    """One arrow of an update: `vec` (true length, in its own units) drawn from `origin`.

    origin is "W" (the position before the update) or the name of another part, at whose
    tip this one starts (tail to head). sum_of names the parts this one is the sum of (it
    closes their chain); step marks the part that is the step W_new - W. move marks a
    displacement of W (the step and the pieces it is made of, in W's own units, which the
    map draws at its own scale); the other parts are gradient-like (dW, v, V^) and share
    one scale of their own.
    """

    name: str
    vec: np.ndarray
    origin: str = "W"
    sum_of: tuple[str, ...] = ()
    step: bool = False
    move: bool = False

    def __post_init__(self):
        self.vec = np.asarray(self.vec, dtype=np.float64).reshape(2)
        self.move = self.move or self.step


@dataclass
class Explanation:
    """What an optimizer's `explain` returns: equation lines with numbers, the parts, and
    optionally the per-axis factor `scale` (e.g. lr/(sqrt(S)+eps)) with its `scale_name`."""

    lines: list[str]
    parts: list[Part]
    scale: np.ndarray | None = None
    scale_name: str = ""


@dataclass
class StepContext(NamedSlots):
    """The numbers of update t, for `explain`: g the gradient it used (Nesterov: at the
    look-ahead point), state_prev and state the optimizer's state slots before and after it
    by their declared names (v_prev/s_prev and v/s read the slots "v" and "s", zero where
    the optimizer has none), lr the learning rate of this update, hp all hyperparameters
    (defaults filled in), W the position before and W_new the position after."""

    t: int
    g: np.ndarray
    state_prev: dict[str, np.ndarray]
    state: dict[str, np.ndarray]
    lr: float
    hp: dict[str, Any]
    W: np.ndarray
    W_new: np.ndarray
    digits: int = 4

    def _like(self) -> np.ndarray:
        return self.g

    @property
    def v_prev(self) -> np.ndarray:
        return slot(self.state_prev, "v", self.g)

    @property
    def s_prev(self) -> np.ndarray:
        return slot(self.state_prev, "s", self.g)

    def num(self, x: float) -> str:
        return num(x, self.digits)

    def vec(self, v) -> str:
        return vec(v, self.digits)


@dataclass
class Narration:
    """Update t of optimizer `kind`: a header, the equation lines, the parts as arrows and
    the optional per-axis scale. `text` is all of it, one equation a line."""

    kind: str
    t: int
    lr: float
    W: np.ndarray
    W_new: np.ndarray
    header: str
    lines: list[str]
    parts: list[Part] = field(default_factory=list)
    scale: np.ndarray | None = None
    scale_name: str = ""

    @property
    def text(self) -> str:
        return "\n".join([self.header, *self.lines])

    def part(self, name: str) -> Part:
        for p in self.parts:
            if p.name == name:
                return p
        raise KeyError(f"no part {name!r} (parts: {', '.join(p.name for p in self.parts)})")

    @property
    def step(self) -> Part:
        """The part that is the step W_new - W."""
        return next(p for p in self.parts if p.step)

    def tail(self, name: str) -> np.ndarray:
        """Where part `name` starts on the map: W, or the tip of its origin part."""
        origin = self.part(name).origin
        return self.W.copy() if origin == "W" else self.tip(origin)

    def tip(self, name: str) -> np.ndarray:
        """Where part `name` ends on the map: its tail plus its vector."""
        return self.tail(name) + self.part(name).vec


def per_axis_step(ctx: "StepContext", s: np.ndarray, eps: float, first: list[str]) -> Explanation:
    """The explanation of an update W -= lr·dW/(sqrt(S)+eps) (RMSprop, AdaGrad): `first`
    (the lines that made S), then the per-axis learning rate, the step and its parts."""
    root = np.sqrt(s)
    k = ctx.lr / (root + eps)
    step = -k * ctx.g
    return Explanation(
        [f"dW (the gradient at W) = {ctx.vec(ctx.g)}", *first,
         f"lr/(sqrt(S)+eps) = {ctx.num(ctx.lr)}/({ctx.vec(root)} + {ctx.num(eps)}) = {ctx.vec(k)}",
         f"W -= lr·dW/(sqrt(S)+eps), per axis: W = {ctx.vec(ctx.W)} - {ctx.vec(k)}·{ctx.vec(ctx.g)} "
         f"= {ctx.vec(ctx.W + step)}"],
        [Part("dW", ctx.g), Part("-lr·dW (plain GD)", -ctx.lr * ctx.g, move=True),
         Part("-lr·dW/(sqrt(S)+eps) = step", step, step=True)],
        k, "lr/(sqrt(S)+eps)")


def _display(formula: str) -> str:
    return formula.replace("**", "^").replace("*", DOT)


def _slot_name(name: str) -> str:
    """The notes write the second moment as a capital S."""
    return "S" if name == "s" else name


def explain_generic(opt, ctx: StepContext) -> Explanation:
    """For an optimizer that declares no `explain`: its formula, its hyperparameters, the
    gradient, its state before and after, and the step it took."""
    step = ctx.W_new - ctx.W
    hyper = [f"{p.name} = {ctx.num(ctx.hp[p.name]) if p.kind != 'bool' else ctx.hp[p.name]}"
             for p in opt.params if p.name != "lr"]
    lines = [f"{opt.name}: {_display(opt.formula)}",
             ", ".join([f"lr = {ctx.num(ctx.lr)}", *hyper]),
             f"dW = {ctx.vec(ctx.g)}"]
    parts = [Part("dW", ctx.g)]
    for name, after in ctx.state.items():  # every slot the optimizer declares, by its name
        lines.append(f"{_slot_name(name)}: {ctx.vec(ctx.state_prev[name])} -> {ctx.vec(after)}")
        if name == opt.direction:
            parts.append(Part(name, after))
    lines.append(f"W = W + step = {ctx.vec(ctx.W)} + {ctx.vec(step)} = {ctx.vec(ctx.W_new)}")
    parts.append(Part("step", step, step=True))
    scale = None
    if opt.effective_lr is not None:
        scale = np.asarray(opt.effective_lr(ctx.state, ctx.lr, ctx.hp, ctx.t), dtype=np.float64)
    return Explanation(lines, parts, scale, "effective lr" if scale is not None else "")


def context(traj, params: dict, t: int, digits: int = 4, opt=None) -> StepContext:
    """The StepContext of update t (1 <= t <= traj.steps_done), as `step_info` reads it:
    the state before update 1 is zero. opt defaults to the registered `traj.kind`."""
    if not 1 <= t <= traj.steps_done:
        raise ValueError(f"update {t} is not in 1..{traj.steps_done}")
    if opt is None:
        from ravine.core.optimizers import OPTIMIZERS
        opt = OPTIMIZERS[traj.kind]
    return StepContext(
        t=t, g=traj.grad[t - 1].copy(),
        state_prev={k: a[t - 2].copy() if t > 1 else np.full(2, float(opt.initial.get(k, 0.0)))
                    for k, a in traj.state.items()},
        state={k: a[t - 1].copy() for k, a in traj.state.items()}, lr=float(traj.lr[t - 1]),
        hp={**opt.defaults(), **params}, W=traj.path[t - 1].copy(), W_new=traj.path[t].copy(),
        digits=digits)


def narrate(traj, params: dict, t: int, schedule: str | dict | None = None, *,
            digits: int = 4, opt=None) -> Narration:
    """Narration of update t of `traj`, run with hyperparameters `params` (an
    OptimizerConfig's params). schedule (a name or a schedule table) is named in the header.
    opt overrides the registered optimizer `traj.kind` (for one not in the registry)."""
    if opt is None:
        from ravine.core.optimizers import OPTIMIZERS
        opt = OPTIMIZERS[traj.kind]
    ctx = context(traj, params, t, digits, opt)
    explain = getattr(opt, "explain", None)
    ex = explain(ctx) if explain is not None else explain_generic(opt, ctx)
    header = f"update t = {t} of {traj.steps_done}, lr = {ctx.num(ctx.lr)}"
    notes = []
    if schedule is not None:
        notes.append(f"schedule: {schedule.get('kind', 'constant') if isinstance(schedule, dict) else schedule}")
    lr0 = params.get("lr")
    if lr0 is not None and ctx.num(lr0) != ctx.num(ctx.lr):
        notes.append(f"lr0 = {ctx.num(lr0)}")
    if notes:
        header += f" ({', '.join(notes)})"
    return Narration(opt.name, t, ctx.lr, ctx.W, ctx.W_new, header, list(ex.lines), list(ex.parts),
                     None if ex.scale is None else np.asarray(ex.scale, dtype=np.float64),
                     ex.scale_name)
