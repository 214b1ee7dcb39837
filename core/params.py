"""Declared parameters: what a surface, an optimizer or a schedule accepts.

One `Param` says a parameter's name, type, default and allowed range. Scene validation, the
CLI listing and (later) the GUI controls all read these declarations, so a new optimizer,
schedule or surface only has to declare its parameters once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


class SceneError(ValueError):
    """A user-facing validation error: one line saying what is wrong and what is allowed."""


def read_text(path, kind: str = "file", fmt: str = "text") -> str:
    """A user's file as UTF-8 text, or a one-line SceneError saying why not
    (kind names the file in the messages, fmt the format it should be in)."""
    try:
        raw = open(path, "rb").read()
    except FileNotFoundError:
        raise SceneError(f"{path}: no such {kind}") from None
    except IsADirectoryError:
        raise SceneError(f"{path}: is a folder, not a {kind}") from None
    except OSError as exc:
        raise SceneError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SceneError(f"{path}: not a text file ({fmt} must be UTF-8)") from None


@dataclass(frozen=True)
class Param:
    """One parameter.

    kind: "float", "int", "bool", "str", "floats" (a list of floats) or "ints" (a list of ints).
    lo/hi bound the value (each element for lists); lo_open/hi_open make a bound strict.
    """

    name: str
    default: Any
    kind: str = "float"
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    doc: str = ""
    scale: str = "linear"
    """How a slider moves through the value: "linear", "log", or "log1m" (log(1 - value),
    for decay rates such as beta near 1)."""
    ui_range: tuple[float, float] | None = None
    """The slider's range, where it differs from (lo, hi); typed values may go further."""

    def slider_range(self) -> tuple[float, float]:
        """The range a slider covers: ui_range, else the bounds (open ends pulled in)."""
        if self.ui_range is not None:
            return self.ui_range
        lo = self.lo if self.lo is not None else 0.0
        hi = self.hi if self.hi is not None else max(10.0 * abs(self.default or 1), lo + 1)
        if self.hi_open:
            hi = hi - 1e-3 * (hi - lo)
        if self.lo_open:
            lo = lo + 1e-3 * (hi - lo)
        return float(lo), float(hi)

    def allowed(self) -> str:
        """The allowed values in words, e.g. 'a number in [0, 1)'."""
        noun = {
            "float": "a number",
            "int": "an integer",
            "bool": "true or false",
            "floats": "a list of numbers",
            "ints": "a list of integers",
            "str": "a non-empty string",
        }[self.kind]
        if self.kind in ("bool", "str"):
            return noun
        if self.lo is not None and self.hi is not None:
            left = "(" if self.lo_open else "["
            right = ")" if self.hi_open else "]"
            rng = f"{left}{_fmt(self.lo)}, {_fmt(self.hi)}{right}"
            return f"{noun} in {rng}" if self.kind in ("float", "int") else f"{noun}, each in {rng}"
        if self.lo is not None:
            rng = f"{'>' if self.lo_open else '>='} {_fmt(self.lo)}"
            return f"{noun} {rng}" if self.kind in ("float", "int") else f"{noun}, each {rng}"
        if self.hi is not None:
            rng = f"{'<' if self.hi_open else '<='} {_fmt(self.hi)}"
            return f"{noun} {rng}" if self.kind in ("float", "int") else f"{noun}, each {rng}"
        return noun

    def check(self, value: Any, where: str) -> Any:
        """Return `value` converted to this parameter's type, or raise SceneError."""
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise SceneError(f"{where}: must be {self.allowed()} (got {_show(value)})")
            return value
        if self.kind == "str":
            if not isinstance(value, str) or not value.strip():
                raise SceneError(f"{where}: must be {self.allowed()} (got {_show(value)})")
            return value
        if self.kind in ("floats", "ints"):
            if not isinstance(value, (list, tuple)):
                raise SceneError(f"{where}: must be {self.allowed()} (got {_show(value)})")
            scalar = "float" if self.kind == "floats" else "int"
            return [self._scalar(v, scalar, where) for v in value]
        return self._scalar(value, self.kind, where)

    def _scalar(self, value: Any, kind: str, where: str) -> Any:
        bad = f"{where}: must be {self.allowed()} (got {_show(value)})"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SceneError(bad)
        if kind == "int":
            if isinstance(value, float):
                if not value.is_integer():
                    raise SceneError(bad)
                value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise SceneError(bad)
        if self.lo is not None and (value < self.lo or (self.lo_open and value == self.lo)):
            raise SceneError(bad)
        if self.hi is not None and (value > self.hi or (self.hi_open and value == self.hi)):
            raise SceneError(bad)
        return value


def _fmt(x: float) -> str:
    if isinstance(x, int) or (x.is_integer() and abs(x) < 1e7):
        return str(int(x))
    return f"{x:g}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def check_params(params: dict[str, Any], declared: tuple[Param, ...], where: str) -> dict[str, Any]:
    """Validate a table of parameters against declarations; fill in defaults.

    Unknown keys are errors that name what is allowed.
    """
    by_name = {p.name: p for p in declared}
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key not in by_name:
            allowed = ", ".join(by_name) or "none"
            raise SceneError(f"{where}: unknown key '{key}' (allowed: {allowed})")
        out[key] = by_name[key].check(value, f"{where}.{key}")
    for p in declared:
        if p.name not in out:
            out[p.name] = list(p.default) if isinstance(p.default, (list, tuple)) else p.default
    return out
