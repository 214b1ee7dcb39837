"""The optimizers, one module each, discovered into one registry.

The contract (README, "Adding an optimizer", has a complete example). A module defines
`OPTIMIZER = Optimizer(...)` declaring:

- `params`: its hyperparameters (`Param`s; the first is `lr`; the others are numbers or
  booleans), with defaults, ranges and slider scales;
- `state`: the names of its state slots, any number (`("v", "s")` for Adam), each one number
  per weight that starts at 0 (or at its value in `initial`);
- `powers`: the decay-rate parameters whose powers beta**t it needs for bias correction
  (kept by the kernels as running products, see `next_power`);
- `update`, a scalar `@jit` function applied to every coordinate alike (a point of a 2-D
  surface or a weight of the network), whose arguments are, by name and in this order:

      update(g, w, *state, lr, *params, *(f"{p}_t" for p in powers)[, t]) -> (step, *new_state)

  g is the gradient of this coordinate, w its current value, lr this update's learning rate
  (the schedule applied), then the declared hyperparameters after lr, then beta**t for each
  declared power, then, if it asks for it by a last argument named t, the update's number
  (1-based). It returns the step alone when there is no state. The caller applies w += step.
- `reference`: the same update in plain NumPy, written from the formula and independently of
  `update` (the tests check one against the other for every registered optimizer):

      reference(w, grad, state, lr, hp, t) -> (new_w, new_state)

  w an array, grad(point) -> the gradient there, state a dict of arrays by slot name, hp all
  hyperparameters by name, t the 1-based update.

Optional: `eval_point(w, *state, lr, *params)`, where to take the gradient when it is not at w
(Nesterov's look-ahead); `explain(ctx)` for the step narration (ravine.core.narration);
`effective_lr(state, lr, hp, t)` the per-axis factor of the step for the inspector.

`_discover` checks each declaration against its functions' signatures when the registry is
built, and refuses (OptimizerError, naming the module) one that cannot be mapped: nothing is
dropped silently. The trajectory kernels and the optimizer's step in the network's training
kernel are generated from the declaration (ravine.core.kernels), so a new module works on the surfaces, in the network, the app, scenes
and renders with no other file touched. An optimizer written outside the package is added with
`register(OPTIMIZER)` before use, or by an entry point in the group "ravine.optimizers".
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ravine.core.jit import jit
from ravine.core.params import Param

# The parameter declarations the optimizers share, with the notes' defaults.
LR = Param("lr", 0.01, lo=0.0, lo_open=True, doc="learning rate alpha", scale="log",
           ui_range=(1e-4, 10.0))
# decay rates move on a log(1 - beta) scale: 0.9, 0.99 and 0.999 are evenly spaced
DECAY = {"lo": 0.0, "hi": 1.0, "hi_open": True, "scale": "log1m", "ui_range": (0.0, 0.9999)}
"""The range and slider scale of a decay rate: Param("rho", 0.9, doc=..., **DECAY)."""
BETA = Param("beta", 0.9, doc="momentum: weight of the past", **DECAY)
BETA1 = Param("beta1", 0.9, doc="first-moment decay (momentum)", **DECAY)
BETA2 = Param("beta2", 0.999, doc="second-moment decay (RMS)", **DECAY)
EPS = Param("eps", 1e-8, lo=0.0, lo_open=True, doc="added to sqrt(S) to avoid dividing by 0",
            scale="log", ui_range=(1e-10, 1.0))
BIAS_CORRECTION = Param("bias_correction", True, kind="bool", doc="divide by 1 - beta**t")
WEIGHT_DECAY = Param(
    "weight_decay", 0.01, lo=0.0,
    doc="decoupled weight decay: W -= lr*weight_decay*W each step (scaled by the schedule too); "
        "on a 2-D surface it pulls toward the origin",
    ui_range=(0.0, 1.0))

TINY = 1e-200
"""Powers beta**t below this are flushed to 0 (1 - beta**t is then 1 to the last bit, and no
denormal numbers slow the loops)."""


class OptimizerError(ValueError):
    """An optimizer declaration that the kernels cannot map: one line naming it and the fault."""


@jit
def next_power(power, beta):
    """beta**t from beta**(t-1): the running product the kernels keep for each declared power
    (one helper for the trajectory and the training kernels), flushed to 0 below TINY."""
    p = power * beta
    return p if p > TINY else 0.0


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its name, formula, hyperparameters, state and scalar `update` (see the
    module's docstring for the contract)."""

    name: str
    description: str
    formula: str
    params: tuple[Param, ...]
    update: Callable
    reference: Callable
    state: tuple[str, ...] = ()
    powers: tuple[str, ...] = ()
    initial: dict[str, float] = field(default_factory=dict)
    """Start values of state slots that do not start at 0 (e.g. a running product at 1)."""
    eval_point: Callable | None = None
    direction: str = "grad"
    """What the step follows: "grad" (dW itself) or "v" (the first moment / velocity)."""
    effective_lr: Callable | None = None
    """effective_lr(state, lr, hp, t) -> per-axis factor k with step = -k * direction, for the
    step inspector; None means lr on every axis."""
    explain: Callable | None = None
    """explain(ctx) -> ravine.core.narration.Explanation: plain Python (not jitted) that
    writes update ctx.t in the notes' notation with its numbers and names its parts as 2-D
    vectors; None: the narrator uses `formula` and the state."""
    doc: str = ""
    """Anything the user should know where they set it (shown under the optimizer's name)."""

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    @property
    def hyper(self) -> tuple[Param, ...]:
        """The hyperparameters after lr, in the order `update` takes them."""
        return self.params[1:]

    def hyper_table(self, values: dict[str, Any], n: int) -> np.ndarray:
        """(n, len(hyper)) float64: a row of the hyperparameters after lr for each of n
        trajectories or configurations (scalars broadcast; booleans as 0.0 / 1.0), defaults
        filled in. A slice of rows is contiguous, as the threads' pieces take them."""
        full = self.defaults()
        full.update(values)
        out = np.empty((n, len(self.hyper)))
        for i, p in enumerate(self.hyper):
            out[:, i] = np.broadcast_to(np.asarray(full[p.name], dtype=np.float64), (n,))
        return out

    def power_index(self) -> tuple[int, ...]:
        """For each declared power, its parameter's column in `hyper_table`."""
        names = [p.name for p in self.hyper]
        return tuple(names.index(p) for p in self.powers)

    def update_args(self) -> list[str]:
        """The argument names `update` has, in order (t last if it takes the update number)."""
        return ["g", "w", *self.state, "lr", *(p.name for p in self.hyper),
                *(f"{p}_t" for p in self.powers), *(["t"] if self.takes_t else [])]

    @property
    def takes_t(self) -> bool:
        """Whether `update` takes the update's number t as its last argument."""
        return (_args(self.update) or [""])[-1] == "t"

    def initial_state(self) -> np.ndarray:
        """(slots,) the start value of each state slot."""
        return np.array([float(self.initial.get(s, 0.0)) for s in self.state])

    def eval_args(self) -> list[str]:
        return ["w", *self.state, "lr", *(p.name for p in self.hyper)]


def _args(fn: Callable) -> list[str] | None:
    fn = getattr(fn, "py_func", fn)
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in sig.parameters.values()):
        return None
    return list(sig.parameters)


def check(opt: Any, where: str = "") -> "Optimizer":
    """opt if the kernels can map its declaration, else OptimizerError naming what is wrong."""
    where = where or getattr(opt, "name", "?")
    if not isinstance(opt, Optimizer):
        raise OptimizerError(f"{where}: OPTIMIZER must be an Optimizer (got {type(opt).__name__})")

    def fail(msg: str):
        raise OptimizerError(f"optimizer {opt.name!r} ({where}): {msg}")

    if not (isinstance(opt.name, str) and opt.name.isidentifier() and opt.name == opt.name.lower()
            and not opt.name.startswith("_")):
        raise OptimizerError(f"{where}: an optimizer's name must be a lower-case identifier (got {opt.name!r})")
    if not opt.params or opt.params[0].name != "lr":
        fail("its first parameter must be lr (ravine.core.optimizers.LR)")
    names = [p.name for p in opt.params]
    slots = list(opt.state)
    for n in names + slots:
        if not (isinstance(n, str) and n.isidentifier()) or n in ("g", "w", "t"):
            fail(f"{n!r} cannot name a parameter or a state slot (an identifier other than g, w, t)")
    if len(set(names + slots)) != len(names) + len(slots):
        fail("a name is declared twice among its parameters and state slots")
    for p in opt.hyper:
        if p.kind not in ("float", "bool"):
            fail(f"parameter {p.name!r} is of kind {p.kind!r}; the kernels take numbers (float) and booleans")
    floats = {p.name for p in opt.hyper if p.kind == "float"}
    for p in opt.powers:
        if p not in floats:
            fail(f"power {p!r} is not one of its number parameters ({', '.join(sorted(floats)) or 'none'})")
    for name, fn, needs in (("update", opt.update, opt.update_args()), ("eval_point", opt.eval_point, opt.eval_args())):
        if fn is None and name == "eval_point":
            continue
        if not hasattr(fn, "py_func"):
            fail(f"{name} must be a jitted function (decorate it with ravine.core.jit.jit)")
        got = _args(fn)
        if got != needs:
            fail(f"{name}'s arguments are ({', '.join(got or ['?'])}); its declaration needs ({', '.join(needs)})")
    if _args(opt.reference) != ["w", "grad", "state", "lr", "hp", "t"]:
        fail("reference must be reference(w, grad, state, lr, hp, t) -> (new_w, new_state)")
    unknown = set(opt.initial) - set(slots)
    if unknown:
        fail(f"initial names {sorted(unknown)[0]!r}, which is not one of its state slots")
    if opt.direction != "grad" and opt.direction not in slots:
        fail(f"direction {opt.direction!r} must be 'grad' or one of its state slots")
    return opt


OPTIMIZERS: dict[str, Optimizer] = {}
ORDER = ("gd", "momentum", "nesterov", "rmsprop", "adagrad", "adam")
"""The course's six first, in the notes' order; the others after them by name."""


def register(opt: Optimizer, replace: bool = False) -> Optimizer:
    """Add an optimizer written outside the package (checked as the built-in ones are). It is
    then available everywhere by its name: scenes, simulate_batch, the network, the app.
    An existing name is refused unless replace=True."""
    check(opt, getattr(getattr(opt.update, "py_func", opt.update), "__module__", "?"))
    if opt.name in OPTIMIZERS and not replace and OPTIMIZERS[opt.name] is not opt:
        raise OptimizerError(f"optimizer {opt.name!r} is already registered (replace=True to override)")
    OPTIMIZERS[opt.name] = opt
    _sort()
    return opt


def unregister(name: str) -> None:
    """Remove a registered optimizer (the built-in ones too, e.g. in a test)."""
    OPTIMIZERS.pop(name, None)


def _sort() -> None:
    items = sorted(OPTIMIZERS.items(), key=lambda kv: (ORDER.index(kv[0]) if kv[0] in ORDER else len(ORDER), kv[0]))
    OPTIMIZERS.clear()
    OPTIMIZERS.update(items)


def _discover() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        opt = getattr(module, "OPTIMIZER", None)
        if opt is not None:
            OPTIMIZERS[check(opt, module.__name__).name] = opt
    try:
        from importlib.metadata import entry_points

        for ep in entry_points(group="ravine.optimizers"):
            opt = ep.load()
            if opt.name not in OPTIMIZERS:
                OPTIMIZERS[check(opt, f"entry point {ep.name}").name] = opt
    except OptimizerError:
        raise
    except Exception as exc:  # a broken third-party package must not stop Ravine
        import warnings

        warnings.warn(f"ravine: an optimizer entry point failed to load: {exc}", stacklevel=2)
    _sort()


_discover()

__all__ = ["OPTIMIZERS", "Optimizer", "OptimizerError", "register", "unregister", "check", "next_power",
           "LR", "BETA", "BETA1", "BETA2", "EPS", "BIAS_CORRECTION", "WEIGHT_DECAY", "DECAY", "TINY"]
