"""Scenes: what to compute and show, as plain data; load, validate and save as TOML.

A scene names a surface, a start, a number of steps and a list of optimizers, each with its
hyperparameters and learning-rate schedule (and, optionally, its own `start = [x, y]`, so
that one scene can race optimizers from different basins). Loading validates everything and fills in the
defaults, so a loaded `Scene` is complete; `save_scene` writes it back so that loading the
file gives an equal scene. Every problem is a `SceneError` whose message is one line naming
the file, the key and what is allowed.
"""

from __future__ import annotations

import math
import re
import sys
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from ravine.core.configs import check_optimizer_entry, check_unique_labels
from ravine.core.params import Param, SceneError, check_params, key_name, quote, read_text, show
from ravine.landscapes import SURFACES, builtin_names

MAX_STEPS = 1_000_000
MAX_RECORDED_STEPS = 10_000_000
"""Steps x optimizers in a scene (and trajectories x steps in simulate_batch with record=True):
each recorded step keeps about 80 bytes (position, loss, gradient, state), 0.8 GB in all."""
START_LIMIT = 1e6
STEPS = _STEPS = Param("steps", 200, kind="int", lo=1, hi=MAX_STEPS)
_START = Param("start", None, kind="floats", lo=-START_LIMIT, hi=START_LIMIT)


@dataclass
class OptimizerConfig:
    """One optimizer in a scene. params holds lr and the kind's hyperparameters."""

    kind: str
    label: str
    params: dict[str, Any]
    schedule: dict[str, Any] = field(default_factory=lambda: {"kind": "constant", "steps_per_epoch": 1})
    color: str | None = None
    enabled: bool = True
    start: tuple[float, float] | None = None
    """Where this optimizer starts; None: at the scene's start."""


@dataclass
class Scene:
    title: str
    surface: str
    start: tuple[float, float]
    steps: int
    optimizers: list[OptimizerConfig]
    surface_params: dict[str, Any] = field(default_factory=dict)
    network: Any = None  # a ravine.core.training.NetworkSpec, or None

    def with_(self, **changes) -> "Scene":
        return replace(self, **changes)


_TOP_KEYS = ("title", "surface", "expression", "domain", "minima", "surface_params", "start", "steps",
             "optimizers", "network")
CUSTOM = "custom"
"""surface = "custom": your own formula in `expression`, over `domain` (ravine.core.custom)."""
DEFAULT_SURFACE = "elongated_bowl"


def _where(source: str, key: str) -> str:
    return f"{source}: {key}" if source else key


def check_document(data: Any, source: str, what: str, keys: tuple[str, ...]) -> str:
    """The checks every file's top level shares (a scene's, a lesson's): a table, only the
    allowed keys, a string title. Returns the title."""
    if not isinstance(data, dict):
        raise SceneError(f"{source or what}: must be a table of a {what}'s keys (got {show(data)})")
    for key in data:
        if key not in keys:
            raise SceneError(f"{_where(source, key_name(key))}: unknown key (allowed: {', '.join(keys)})")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise SceneError(f"{_where(source, 'title')}: must be a string")
    return title


def scene_from_dict(data: dict[str, Any], source: str = "", base_dir: str = "") -> Scene:
    """Validate a scene given as plain data (as read from TOML); fill in the defaults.
    base_dir: the folder files named in the scene are relative to (the scene file's)."""
    title = check_document(data, source, "scene", _TOP_KEYS)
    network = None
    if "network" in data:
        from ravine.core.training import network_from_dict

        if not isinstance(data["network"], dict):
            raise SceneError(f"{_where(source, 'network')}: must be a table")
        network = network_from_dict(data["network"], _where(source, "network"), base_dir)
    if "surface" not in data and network is None:
        raise SceneError(f"{_where(source, 'surface')}: missing (one of: {', '.join(surface_names())})")
    name = data.get("surface", DEFAULT_SURFACE)
    sp = data.get("surface_params", {})
    if not isinstance(sp, dict):
        raise SceneError(f"{_where(source, 'surface_params')}: must be a table")
    if name == CUSTOM:
        name = _custom(data, sp, source)
    else:
        for key in ("expression", "domain", "minima"):
            if key in data:
                raise SceneError(f"{_where(source, key)}: only for surface = \"custom\" (your own formula)")
    if not isinstance(name, str) or name not in SURFACES:
        raise SceneError(f"{_where(source, 'surface')}: unknown surface {show(name)} "
                         f"(allowed: {', '.join(surface_names())})")
    surf = SURFACES[name]
    surface_params = check_params(sp, surf.params, _where(source, "surface_params"))

    if "start" in data:
        start = _check_start(data["start"], _where(source, "start"))
    else:
        start = tuple(float(v) for v in surf.start)
    steps = _STEPS.check(data.get("steps", _STEPS.default), _where(source, "steps"))

    opts = data.get("optimizers", [] if network is not None else None)
    if not isinstance(opts, list) or not all(isinstance(o, dict) for o in opts) or (not opts and network is None):
        raise SceneError(f"{_where(source, 'optimizers')}: needs at least one [[optimizers]] table "
                         "(or a [network] table)")
    configs = [_optimizer_from_dict(o, _where(source, f"optimizers[{i}]")) for i, o in enumerate(opts)]
    check_unique_labels([c.label for c in configs], _where(source, "optimizers"), "[[optimizers]] table")
    check_recorded(steps, len(configs), _where(source, "steps"))
    return Scene(title, name, start, steps, configs, surface_params, network)


def surface_names() -> list[str]:
    """The surfaces a scene may name: the built-in ones and "custom" (not the registered
    formulas' internal names)."""
    return [*builtin_names(), CUSTOM]


def is_custom(name: str) -> bool:
    """Whether `name` is a formula's (ravine.core.custom registers them as custom_<hash>)."""
    return name.startswith(f"{CUSTOM}_")


def surface_label(name: str) -> str:
    """A surface as messages and titles name it: a formula by itself, not its internal hash."""
    return f"your own f = {SURFACES[name].formula}" if is_custom(name) and name in SURFACES else name


def _custom(data: dict[str, Any], params: dict[str, Any], source: str) -> str:
    """Register the scene's formula (see ravine.core.custom); its internal name."""
    from ravine.core.custom import DEFAULT_DOMAIN, custom_surface

    if "expression" not in data:
        raise SceneError(f"{_where(source, 'expression')}: missing (surface = \"custom\" needs a formula in x "
                         "and y, such as expression = \"x**2 + 10*sin(y)**2\")")
    try:
        surf = custom_surface(data["expression"], params, data.get("domain", DEFAULT_DOMAIN),
                              minima=data.get("minima", ()))
    except SceneError as exc:  # (its message starts with the key: expression, domain, minima...)
        raise SceneError(_where(source, str(exc))) from None
    return surf.name


def check_recorded(steps: int, optimizers: int, where: str = "steps") -> None:
    """Refuse a scene whose recorded steps (steps x optimizers, enabled or not) exceed
    MAX_RECORDED_STEPS, before anything is computed."""
    if steps * optimizers > MAX_RECORDED_STEPS:
        raise SceneError(f"{where}: {steps:,} steps x {optimizers} optimizers is {steps * optimizers:,} recorded "
                         f"steps; at most {MAX_RECORDED_STEPS:,} (fewer steps or optimizers)")


def _check_start(value: Any, where: str) -> tuple[float, float]:
    start = _START.check(value, where)
    if len(start) != 2:
        raise SceneError(f"{where}: must be two numbers [x, y] (got {len(start)})")
    return (start[0], start[1])


def _optimizer_from_dict(data: dict[str, Any], where: str) -> OptimizerConfig:
    """One [[optimizers]] table: the shared optimizer keys plus an optional own `start`."""
    entry = check_optimizer_entry(data, where, extra_keys=("start",))
    if "start" in data:
        entry["start"] = _check_start(data["start"], f"{where}.start")
    return OptimizerConfig(**entry)


MAX_NESTING = 16
"""Arrays and tables nested deeper than this are refused (a scene needs at most 8 levels)."""


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """TOML text as plain data, or a one-line SceneError naming `source` (and the line where
    TOML says it). Refused besides invalid TOML: arrays or tables nested deeper than
    MAX_NESTING levels, and integers longer than Python converts (4,300 digits)."""
    if not isinstance(text, str):
        raise TypeError(f"TOML text must be a str, not {type(text).__name__}")
    too_deep = f"{source}: arrays or tables nested too deep (at most {MAX_NESTING} levels)"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SceneError(f"{source}: not valid TOML: {_one_line(str(exc))}") from None
    except RecursionError:
        raise SceneError(too_deep) from None
    except ValueError:  # tomllib lets Python's int() limit through (sys.get_int_max_str_digits)
        raise SceneError(f"{source}: not valid TOML: {_long_number(text)}") from None
    if _depth(data) > MAX_NESTING:
        raise SceneError(too_deep)
    return data


def _one_line(text: str, limit: int = 160) -> str:
    """tomllib's message on one line and short (it may quote a key: keep the position)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    at = text.rfind(" (at ")
    tail = text[at:] if at > 0 else ""
    return text[:limit - len(tail)] + "..." + tail


def _long_number(text: str) -> str:
    """Where the number too long for Python's int() is, in words."""
    limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
    match = re.search(r"[0-9][0-9_]{%d,}" % limit, text)
    if match is None:
        return "a value Python cannot read"
    line = text.count("\n", 0, match.start()) + 1
    return f"an integer of more than {limit:,} digits (line {line})"


def _depth(data: Any) -> int:
    """How deep lists and tables nest in parsed TOML (iteratively: no recursion limit)."""
    deepest, todo = 0, [(data, 0)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        depth += 1
        if depth > MAX_NESTING:
            return depth
        deepest = max(deepest, depth)
        todo.extend((v, depth) for v in value if isinstance(v, (list, dict)))
    return deepest


def loads_scene(text: str, source: str = "<scene>", base_dir: str = "") -> Scene:
    """Parse and validate TOML text."""
    return scene_from_dict(parse_toml(text, source), source, base_dir)


def load_scene(path) -> Scene:
    """Load and validate a scene file; SceneError (one line) on any problem."""
    path = Path(path)
    text = read_text(path, "scene file", "TOML")
    return loads_scene(text, quote(str(path), 160, marks=False), str(path.parent))


# ---------------------------------------------------------------------------------- writing


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value} to a scene")
        return repr(value)  # shortest text that reads back to the same float
    if isinstance(value, str):
        escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\t", "\\t").replace("\r", "\\r"))
        escaped = "".join(c if " " <= c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped)
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps_scene(scene: Scene) -> str:
    """The scene as TOML text; `loads_scene(dumps_scene(s)) == s`."""
    lines = []
    if scene.title:
        lines.append(f"title = {_toml_value(scene.title)}")
    if is_custom(scene.surface):
        surf = SURFACES[scene.surface]
        lines.append(f"surface = {_toml_value(CUSTOM)}")
        lines.append(f"expression = {_toml_value(surf.formula)}")
        lines.append(f"domain = {_toml_value([list(axis) for axis in surf.domain])}")
        if surf.minima:
            lines.append(f"minima = {_toml_value([list(m) for m in surf.minima])}")
    else:
        lines.append(f"surface = {_toml_value(scene.surface)}")
    lines.append(f"start = {_toml_value([float(v) for v in scene.start])}")
    lines.append(f"steps = {int(scene.steps)}")
    if scene.surface_params:
        lines += ["", "[surface_params]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in scene.surface_params.items()]
    for cfg in scene.optimizers:
        lines += ["", "[[optimizers]]", f"kind = {_toml_value(cfg.kind)}",
                  f"label = {_toml_value(cfg.label)}"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in cfg.params.items()]
        if cfg.color:
            lines.append(f"color = {_toml_value(cfg.color)}")
        if not cfg.enabled:
            lines.append("enabled = false")
        if cfg.start is not None:
            lines.append(f"start = {_toml_value([float(v) for v in cfg.start])}")
        if cfg.schedule != {"kind": "constant", "steps_per_epoch": 1}:
            lines += ["", "[optimizers.schedule]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in cfg.schedule.items()]
    if scene.network is not None:
        net = scene.network.to_dict()
        lines += ["", "[network]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in net.items() if k not in ("data", "configs")]
        lines += ["", "[network.data]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in net["data"].items()]
        for cfg in net["configs"]:
            lines += ["", "[[network.configs]]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in cfg.items() if k != "schedule"]
            if cfg["schedule"] != {"kind": "constant", "steps_per_epoch": 1}:
                lines += ["", "[network.configs.schedule]"]
                lines += [f"{k} = {_toml_value(v)}" for k, v in cfg["schedule"].items()]
    return "\n".join(lines) + "\n"


def save_scene(scene: Scene, path) -> None:
    """Write the scene as TOML, atomically: a failed write leaves no half-written file."""
    write_text_atomic(Path(path), dumps_scene(scene))


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all (see ravine.core.files.Output): a temporary
    file beside it renamed into place, keeping an overwritten file's mode (a new one gets the
    umask's); a symlink's target is the file replaced; a pipe or a device is written straight
    through; a folder or a socket is refused (OSError, its strerror one line)."""
    from ravine.core.files import Output

    out = Output(path)
    try:
        out.open().write(text)
        out.commit()
    finally:
        out.discard()


# ---------------------------------------------------------------------------------- examples


def example_names() -> list[str]:
    """The built-in example scenes (core/scenes/*.toml), by name."""
    folder = resources.files("ravine.core") / "scenes"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_example(name: str) -> Scene:
    """A built-in example scene by name (see `example_names()`)."""
    if name not in example_names():
        raise SceneError(f"unknown example scene {show(name)} (allowed: {', '.join(example_names())})")
    text = (resources.files("ravine.core") / "scenes" / f"{name}.toml").read_text("utf-8")
    return loads_scene(text, f"example {name}")


DEFAULT_EXAMPLE = "momentum-ravine"
