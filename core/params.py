"""Declared parameters: what a surface, an optimizer or a schedule accepts.

One `Param` says a parameter's name, type, default and allowed range. Scene validation, the
CLI listing and (later) the GUI controls all read these declarations, so a new optimizer,
schedule or surface only has to declare its parameters once.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Any

import numpy as np


class SceneError(ValueError):
    """A user-facing validation error: one line saying what is wrong and what is allowed."""


MAX_TEXT_BYTES = 10 * 2**20
"""The largest scene or lesson file read (10 MiB; the biggest built-in one is a few KiB)."""
MAX_CSV_BYTES = 100 * 2**20
"""The largest CSV dataset read (100 MiB, about 3 million points)."""


def quote(text: Any, limit: int = 60, marks: bool = True) -> str:
    """User text as a one-line message can show it: control characters (newlines, terminal
    escapes, bidi overrides...) escaped as Python's repr escapes them, and cut in the middle to
    about `limit` characters with "..." when longer. marks=True quotes it like repr
    ('label'); marks=False leaves it bare (for paths and labels that start a message)."""
    text = str(text)
    mark = ""
    if marks:
        mark = '"' if "'" in text and '"' not in text else "'"

    def esc(c: str) -> str:
        if c == mark or (c == "\\" and marks):
            return "\\" + c
        if c.isprintable() or c == " ":
            return c
        return repr(c)[1:-1]  # \n, \x1b, \u202e...

    limit = max(limit, 8)
    if len(text) <= limit:
        body = "".join(esc(c) for c in text)
        if len(body) <= limit:
            return f"{mark}{body}{mark}"
    head, tail = [], []
    room = (limit - 3) // 2
    for c in text:  # the start...
        if len(esc(c)) > room:
            break
        head.append(esc(c))
        room -= len(head[-1])
    room = limit - 3 - (limit - 3) // 2
    for c in reversed(text[len(head):]):  # ...and the end, where a path keeps its file name
        if len(esc(c)) > room:
            break
        tail.append(esc(c))
        room -= len(tail[-1])
    return f"{mark}{''.join(head)}...{''.join(reversed(tail))}{mark}"


def read_text(path, kind: str = "file", fmt: str = "text", limit: int | None = None) -> str:
    """A user's file as UTF-8 text (a leading byte-order mark dropped), or a one-line SceneError
    saying why not (kind names the file in the messages, fmt the format it should be in).

    Only regular files are read: a pipe, a device or a socket is refused before reading (a
    FIFO would block, /dev/zero never end), and so is a file over `limit` bytes (default
    MAX_CSV_BYTES for fmt "CSV", else MAX_TEXT_BYTES)."""
    import os
    import stat

    if limit is None:
        limit = MAX_CSV_BYTES if fmt == "CSV" else MAX_TEXT_BYTES
    name = quote(os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else path, 160, marks=False)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SceneError(f"{name}: no such {kind}") from None
    except IsADirectoryError:
        raise SceneError(f"{name}: is a folder, not a {kind}") from None
    except OSError as exc:
        raise SceneError(f"{name}: cannot read ({exc.strerror or exc})") from None
    except (ValueError, TypeError):  # a NUL character in the path, or no path at all
        raise SceneError(f"{name}: not a valid file name for a {kind}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SceneError(f"{name}: is a folder, not a {kind}")
        if not stat.S_ISREG(info.st_mode):
            raise SceneError(f"{name}: not a regular file (a pipe, a device or a socket); "
                             f"a {kind} must be a plain file")
        if info.st_size > limit:
            raise SceneError(f"{name}: too big for a {kind} ({_mib(info.st_size)}; the limit is {_mib(limit)})")
        chunks, size = [], 0
        while True:  # (read up to the limit even if the file grew since fstat)
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise SceneError(f"{name}: too big for a {kind} (over {_mib(limit)})")
    except OSError as exc:
        raise SceneError(f"{name}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, as some editors save UTF-8
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SceneError(f"{name}: not a text file ({fmt} must be UTF-8; line {line} is not)") from None


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size < 10 * 2**20 or size % 2**20 else f"{size // 2**20} MiB"


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
    choices: tuple[str, ...] | None = None
    """For a "str": the only values allowed (an editor offers them as a list)."""

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
        if self.choices:
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
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
            if not isinstance(value, (bool, np.bool_)):
                raise SceneError(f"{where}: must be {self.allowed()} (got {show(value)})")
            return bool(value)
        if self.kind == "str":
            if not isinstance(value, str) or not value.strip() or (self.choices and value not in self.choices):
                raise SceneError(f"{where}: must be {self.allowed()} (got {show(value)})")
            return value
        if self.kind in ("floats", "ints"):
            if not isinstance(value, (list, tuple)):
                raise SceneError(f"{where}: must be {self.allowed()} (got {show(value)})")
            scalar = "float" if self.kind == "floats" else "int"
            return [self._scalar(v, scalar, where) for v in value]
        return self._scalar(value, self.kind, where)

    def _scalar(self, value: Any, kind: str, where: str) -> Any:
        bad = f"{where}: must be {self.allowed()} (got {show(value)})"
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise SceneError(bad)  # (numpy's numbers are numbers too; a bool is not one)
        if kind == "int":
            if isinstance(value, numbers.Integral):
                value = int(value)
            else:
                value = float(value)
                if not value.is_integer():
                    raise SceneError(bad)
                value = int(value)
            if self.hi is None and abs(value) > MAX_INT:  # no int parameter is meant to be this big
                raise SceneError(bad)
        else:
            try:
                value = float(value)
            except OverflowError:  # an integer literal beyond the float range (~1.8e308)
                raise SceneError(f"{bad[:-1]}, beyond the float range +-1.8e308)") from None
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


def show(value: Any) -> str:
    """A user's value as a message shows it: short, on one line, with no control characters
    (a string quoted and cut, a table or a long list by what it is, a huge integer by its
    number of digits)."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value, _SHOW_LIMIT)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, numbers.Integral):
        value = int(value)
        if abs(value) >= 10**15:  # (str() of an int of over 4,300 digits raises)
            return f"an integer of {_digits(value)} digits"
        return str(value)
    if isinstance(value, numbers.Real):  # a float, or NumPy's float32...
        return str(float(value))
    if isinstance(value, (list, tuple)):
        if len(value) <= 8 and all(isinstance(v, (bool, numbers.Real, str)) for v in value):
            text = "[" + ", ".join(show(v) for v in value) + "]"
            if len(text) <= _SHOW_LIMIT:
                return text
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if value is None:
        return "nothing"
    return f"a {type(value).__name__}"


_SHOW_LIMIT = 60
MAX_INT = 2**53
"""Integers beyond this are refused where a parameter declares no upper bound."""


def _digits(value: int) -> int:
    """How many decimal digits the integer has (without converting it to text)."""
    n = max(1, int(abs(value).bit_length() * 0.30102999566398120))
    return n + 1 if abs(value) >= 10**n else n


def check_params(params: dict[str, Any], declared: tuple[Param, ...], where: str) -> dict[str, Any]:
    """Validate a table of parameters against declarations; fill in defaults.

    Unknown keys are errors that name what is allowed.
    """
    if not isinstance(params, dict):
        raise SceneError(f"{where}: must be a table of parameters (got {show(params)})")
    by_name = {p.name: p for p in declared}
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key not in by_name:
            allowed = ", ".join(by_name) or "none"
            raise SceneError(f"{where}: unknown key {_key(key)} (allowed: {allowed})")
        out[key] = by_name[key].check(value, f"{where}.{key}")
    for p in declared:
        if p.name not in out:
            out[p.name] = list(p.default) if isinstance(p.default, (list, tuple)) else p.default
    return out


def _key(key: Any) -> str:
    """An unknown key as a message names it: quoted, escaped and short."""
    return quote(key, _SHOW_LIMIT) if isinstance(key, str) else show(key)


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")


def key_name(key: Any) -> str:
    """A key as a message's path names it (`optimizers[0].colour`): bare when it is a plain
    TOML key, else quoted and escaped (a key may hold a newline or an escape sequence)."""
    return key if isinstance(key, str) and _PLAIN_KEY.fullmatch(key) else _key(key)
