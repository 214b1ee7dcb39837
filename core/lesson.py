"""Lessons: an ordered list of slides for a classroom, each a scene set up to make one point.

A lesson is a TOML file. Loading it validates every slide and fully loads every slide's
scene, so that a mistake shows when the lesson is opened, not in the middle of a lecture.
Every problem is a `SceneError` whose message is one line naming the file, the slide and the
key, and what is allowed, e.g. ``lesson.toml: slides[2].speed: must be a number in [0.25, 8]
(got 20)``.

```toml
title = "Optimization algorithms, in order"      # optional

[[slides]]                                       # at least one; shown in this order
title = "Momentum"                               # optional, shown as the slide's heading
text = "v = beta*v + (1-beta)*dW; W -= lr*v"     # optional, a few plain sentences
scene = "momentum-ravine"                        # see below
tab = "optimizers"                               # optional: optimizers | network | ewa
views = ["map", "cost", "ewa"]                   # optional: which views to show
step = 0                                         # optional: starting step, or "end"
autoplay = true                                  # optional, default false
speed = 1.0                                      # optional: times the base speed, 0.25..8
inspect = "Momentum"                             # optional: the optimizer to inspect
narrate = true                                   # optional: narrated step mode, default false

[slides.ewa]                                     # optional: the EWA view's settings
# (keys after a [slides.ewa] or [slides.scene] header belong to that table: put them above)
beta = 0.9                                       # in [0, 1), default 0.9
bias_correction = true                           # default false
```

Keys of a slide:

- `scene`: a built-in example's name (``ravine list`` shows them); or the path of a scene
  file, which ends in ``.toml`` and is relative to the lesson file's folder; or an inline
  ``[slides.scene]`` table with the same keys as a scene file (its errors read
  ``slides[2].scene: optimizers[0].lr: ...``). Required, except on the ``ewa`` tab.
- `tab`: the app tab the slide opens: ``optimizers`` (the scene's surface and optimizers),
  ``network`` (the scene's [network]) or ``ewa`` (exponentially weighted averages). Default:
  ``network`` if the scene has a network and no optimizers, else ``optimizers``. The scene
  must have what the tab shows.
- `views`: a non-empty list of distinct view names from the app's list (the loader's
  `allowed_views`; by default map, cost, lr, inspector, narration, ewa, network). Default:
  not set, the app's usual views.
- `step`: where the animation starts: an integer from 0 to the scene's length (its steps,
  or its network's epochs on the network tab), or ``"end"`` for that length. Default 0.
- `autoplay`: start playing when the slide opens. `speed`: a multiple of the scene's base
  playback speed, in 0.25..8 (default 1).
- `inspect`: the label of an enabled [[optimizers]] entry of the scene, the one the step
  inspector and the narration follow (default: the app's choice). `narrate`: turn the
  narrated step mode on; the scene needs an enabled optimizer to narrate.
- `[slides.ewa]`: `beta` in [0, 1) and `bias_correction`, for the EWA view; only on a
  slide that shows it (``tab = "ewa"`` or ``"ewa"`` in `views`).

`load_lesson(path)` reads a file, `loads_lesson(text, source, base_dir)` reads text, and
`load_builtin_lesson(name)` one of the lessons shipped in core/lessons (`lesson_names()`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ravine.core.params import Param, SceneError, check_params, key_name, quote, read_text, show
from ravine.core.scene import Scene, check_document, example_names, load_example, load_scene, parse_toml, scene_from_dict

LESSON_VIEWS = ("map", "cost", "lr", "inspector", "narration", "ewa", "network")
"""The views a slide may name unless the app passes its own list."""
TABS = ("optimizers", "network", "ewa")
SPEED = Param("speed", 1.0, lo=0.25, hi=8.0, doc="a multiple of the scene's base playback speed")
EWA_PARAMS = (
    Param("beta", 0.9, lo=0.0, hi=1.0, hi_open=True, doc="V = beta*V + (1-beta)*theta"),
    Param("bias_correction", False, kind="bool", doc="show V / (1 - beta**t)"),
)
_TOP_KEYS = ("title", "slides")
_SLIDE_KEYS = ("title", "text", "scene", "tab", "views", "step", "autoplay", "speed", "inspect",
               "narrate", "ewa")


@dataclass(frozen=True)
class EwaSettings:
    """The EWA view's settings on a slide."""

    beta: float = 0.9
    bias_correction: bool = False


@dataclass
class Slide:
    """One slide, validated: every reference in it resolves.

    scene is the loaded scene (None only on an ewa slide that names none); scene_ref says
    where it came from: the example's name, the scene file's resolved path, or "" (inline, or
    no scene). step is resolved to a number ("end" becomes the scene's length: its steps, or
    its network's epochs on the network tab). views None means the app's usual views;
    inspect None means the app's choice; ewa None leaves the EWA view's settings as they are.
    """

    title: str = ""
    text: str = ""
    scene: Scene | None = None
    scene_ref: str = ""
    tab: str = "optimizers"
    views: tuple[str, ...] | None = None
    step: int = 0
    autoplay: bool = False
    speed: float = 1.0
    inspect: str | None = None
    narrate: bool = False
    ewa: EwaSettings | None = None


@dataclass
class Lesson:
    title: str
    slides: list[Slide] = field(default_factory=list)
    source: str = ""  # the file it was read from (or "lesson NAME" for a built-in one)


def _where(source: str, key: str) -> str:
    return f"{source}: {key}" if source else key


def lesson_from_dict(data: dict[str, Any], source: str = "", base_dir: str = "",
                     allowed_views: Iterable[str] = LESSON_VIEWS) -> Lesson:
    """Validate a lesson given as plain data (as read from TOML); load every slide's scene.
    base_dir: the folder scene files named by the slides are relative to (the lesson's)."""
    views = _allowed_views(allowed_views)
    title = check_document(data, source, "lesson", _TOP_KEYS)
    raw = data.get("slides")
    if raw is None or raw == []:
        raise SceneError(f"{_where(source, 'slides')}: a lesson needs at least one [[slides]] table")
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise SceneError(f"{_where(source, 'slides')}: must be [[slides]] tables (got {_kind(raw)})")
    slides = [_slide(s, _where(source, f"slides[{i}]"), base_dir, views) for i, s in enumerate(raw)]
    return Lesson(title, slides, source)


def _allowed_views(allowed: Iterable[str]) -> tuple[str, ...]:
    if isinstance(allowed, str):
        raise TypeError("allowed_views: a list of view names, not one string")
    out = tuple(allowed)
    if not out or not all(isinstance(v, str) and v for v in out):
        raise TypeError(f"allowed_views: a non-empty list of view names (got {out!r})")
    return out


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    return show(value)


def _slide(data: dict[str, Any], where: str, base_dir: str, allowed_views: tuple[str, ...]) -> Slide:
    for key in data:
        if key not in _SLIDE_KEYS:
            raise SceneError(f"{where}.{key_name(key)}: unknown key (allowed: {', '.join(_SLIDE_KEYS)})")
    out = Slide()
    for key in ("title", "text"):
        value = data.get(key, "")
        if not isinstance(value, str):
            raise SceneError(f"{where}.{key}: must be a string (got {_kind(value)})")
        setattr(out, key, value)

    tab = data.get("tab")
    if tab is not None and tab not in TABS:
        raise SceneError(f"{where}.tab: must be one of {', '.join(TABS)} (got {_kind(tab)})")
    if "scene" in data:
        out.scene, out.scene_ref = _scene(data["scene"], f"{where}.scene", base_dir)
    elif tab != "ewa":
        raise SceneError(f"{where}.scene: missing (an example name, a path to a .toml scene file, "
                         "or a [slides.scene] table; only a slide with tab = \"ewa\" may have none)")
    scene = out.scene
    if tab is None:
        tab = "network" if scene.network is not None and not scene.optimizers else "optimizers"
    elif tab == "network" and scene.network is None:
        raise SceneError(f"{where}.tab: \"network\" needs a scene with a [network] table; this "
                         "scene has none (allowed here: optimizers, ewa)")
    elif tab == "optimizers" and not scene.optimizers:  # (a scene is required off the ewa tab)
        raise SceneError(f"{where}.tab: \"optimizers\" needs a scene with [[optimizers]] tables; this "
                         "scene has none (allowed here: network, ewa)")
    out.tab = tab

    if "views" in data:
        out.views = _views(data["views"], f"{where}.views", allowed_views)

    if "step" in data:
        out.step = _step(data["step"], f"{where}.step", scene, tab)
    for key in ("autoplay", "narrate"):
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise SceneError(f"{where}.{key}: must be true or false (got {_kind(value)})")
        setattr(out, key, value)
    if "speed" in data:
        out.speed = SPEED.check(data["speed"], f"{where}.speed")

    enabled = [c.label for c in scene.optimizers if c.enabled] if scene is not None else []
    if "inspect" in data:
        label = data["inspect"]
        labels = [c.label for c in scene.optimizers] if scene is not None else []
        if not isinstance(label, str) or label not in labels:
            allowed = f"allowed: {', '.join(enabled)}" if enabled else "the scene has no [[optimizers]]"
            raise SceneError(f"{where}.inspect: no optimizer labelled {_kind(label)} in the scene ({allowed})")
        if label not in enabled:
            raise SceneError(f"{where}.inspect: {show(label)} is disabled in the scene (enabled: "
                             f"{', '.join(enabled) or 'none'})")
        out.inspect = label
    if out.narrate and not enabled:
        raise SceneError(f"{where}.narrate: the scene has no enabled [[optimizers]] to narrate")

    if "ewa" in data:
        table = data["ewa"]
        if not isinstance(table, dict):
            raise SceneError(f"{where}.ewa: must be a table (keys: beta, bias_correction; got {_kind(table)})")
        if tab != "ewa" and "ewa" not in (out.views or ()):
            raise SceneError(f"{where}.ewa: this slide does not show the EWA view "
                             "(set tab = \"ewa\" or add \"ewa\" to views)")
        out.ewa = EwaSettings(**check_params(table, EWA_PARAMS, f"{where}.ewa"))
    return out


def _scene(ref: Any, where: str, base_dir: str) -> tuple[Scene, str]:
    """The slide's scene and where it came from (an example name, a resolved path, or "")."""
    if isinstance(ref, dict):
        return scene_from_dict(ref, where, base_dir), ""
    if not isinstance(ref, str) or not ref.strip():
        raise SceneError(f"{where}: must be an example name, a path to a .toml scene file, or a "
                         f"[slides.scene] table (got {_kind(ref)})")
    names = example_names()
    if ref in names:
        try:
            return load_example(ref), ref
        except SceneError as exc:
            raise SceneError(f"{where}: {exc}") from None
    if not (ref.endswith(".toml") or "/" in ref or "\\" in ref):
        raise SceneError(f"{where}: unknown example {show(ref)} (allowed: {', '.join(names)}; "
                         "or a path to a scene file ending in .toml)")
    if "\x00" in ref:
        raise SceneError(f"{where}: {show(ref)} is not a valid file name (it holds a NUL character)")
    try:
        path = Path(ref).expanduser()
    except RuntimeError:  # ~someone who has no home folder here
        raise SceneError(f"{where}: {show(ref)}: no home folder for {show(ref.split('/')[0])}") from None
    if not path.is_absolute():
        path = Path(base_dir) / path
    try:
        return load_scene(path), str(path)
    except SceneError as exc:
        raise SceneError(f"{where}: {exc}") from None


def _views(value: Any, where: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise SceneError(f"{where}: must be a list of view names (allowed: {', '.join(allowed)}; "
                         f"got {_kind(value)})")
    if not value:
        raise SceneError(f"{where}: name at least one view (allowed: {', '.join(allowed)})")
    seen: list[str] = []
    for v in value:
        if not isinstance(v, str) or v not in allowed:
            raise SceneError(f"{where}: unknown view {_kind(v)} (allowed: {', '.join(allowed)})")
        if v in seen:
            raise SceneError(f"{where}: {show(v)} is named twice")
        seen.append(v)
    return tuple(seen)


def _step(value: Any, where: str, scene: Scene | None, tab: str) -> int:
    if scene is None:
        raise SceneError(f"{where}: this slide has no scene to step through")
    if tab == "network":
        length, unit = scene.network.epochs, "the network's epochs"
    else:
        length, unit = scene.steps, "the scene's steps"
    if value == "end":
        return length
    if isinstance(value, str):
        raise SceneError(f"{where}: must be an integer in [0, {length}] ({unit}) or \"end\" (got {show(value)})")
    try:
        step = Param("step", 0, kind="int", lo=0, hi=length).check(value, where)
    except SceneError:
        raise SceneError(f"{where}: must be an integer in [0, {length}] ({unit}) or \"end\" "
                         f"(got {_kind(value)})") from None
    return step


def loads_lesson(text: str, source: str = "<lesson>", base_dir: str = "",
                 allowed_views: Iterable[str] = LESSON_VIEWS) -> Lesson:
    """Parse and validate a lesson's TOML text; scene files are found relative to base_dir."""
    return lesson_from_dict(parse_toml(text, source), source, base_dir, allowed_views)


def load_lesson(path, allowed_views: Iterable[str] = LESSON_VIEWS) -> Lesson:
    """Load and validate a lesson file (and every scene it names); SceneError (one line) on
    any problem."""
    path = Path(path)
    text = read_text(path, "lesson file", "TOML")
    return loads_lesson(text, quote(str(path), 160, marks=False), str(path.parent), allowed_views)


def lesson_names() -> list[str]:
    """The built-in lessons (core/lessons/*.toml), by name."""
    folder = resources.files("ravine.core") / "lessons"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_builtin_lesson(name: str, allowed_views: Iterable[str] = LESSON_VIEWS) -> Lesson:
    """A built-in lesson by name (see `lesson_names()`)."""
    if name not in lesson_names():
        raise SceneError(f"unknown lesson {show(name)} (allowed: {', '.join(lesson_names())})")
    folder = resources.files("ravine.core") / "lessons"
    text = (folder / f"{name}.toml").read_text("utf-8")
    return loads_lesson(text, f"lesson {name}", str(folder), allowed_views)


DEFAULT_LESSON = "optimization"
