"""Headless renders: a scene to PNG, GIF or MP4, or to frames as NumPy arrays.

    from ravine.app import render
    render("scene.toml", "out.gif")                      # or a Scene object
    frames = render(scene, size=(640, 360), frames=20)   # (20, 360, 640, 3) uint8
    render_lesson("optimization", "handouts/")           # one PNG per slide of a lesson

Renders use the app's own view classes (map, curves, EWA, and the Network tab's boundaries
and curves: app/network_widgets.py), laid out on an offscreen canvas, so a render looks
exactly like the window. No display and no
QApplication are needed: if none exists, one is made on Qt's offscreen platform. Frames
are produced one at a time and streamed to the encoder (memory stays flat however long the
video); files are written to a temporary name and renamed when complete, so a failed or
interrupted render (Ctrl-C, SIGTERM, a full disk) leaves nothing behind; a symlink's target
is the file replaced, a pipe or a device is written through (see ravine.core.files). The
same scene and options give the same pixels.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ravine.app.registry import VIEWS as REGISTRY, render_views
from ravine.core.files import (Output, OutputError, check_distinct, deferred, scene_inputs, show_path,
                               stop_on_signals)
from ravine.core.params import quote

VIEWS = render_views()  # (kept for callers; the registry is the source)
THEMES = {
    "light": {"bg": "#FFFFFF", "fg": "#222222", "legend": (255, 255, 255, 215), "grid": 0.25},
    "dark": {"bg": "#16181D", "fg": "#E6E6E6", "legend": (30, 32, 38, 215), "grid": 0.2},
}
MAX_SIDE = 7680
FORMATS = (".png", ".gif", ".mp4")
FPS_RANGE = {".gif": (0.01, 50.0), ".mp4": (0.01, 120.0), ".png": (0.01, 120.0)}
"""Frame rates each format can hold: a GIF frame lasts a whole number of 1/100 s, and
browsers slow down frames shorter than 2/100 s; ffmpeg's MP4 takes 0.01 fps and more."""
MAX_FRAMES = 100_000


class RenderError(ValueError):
    """A problem with what was asked (size, path, format...): one line for the user."""


@dataclass
class RenderOptions:
    size: tuple[int, int] = (1280, 720)
    fps: float | None = None  # default: 30 for MP4, 20 for GIF
    frames: int | None = None
    seconds: float | None = None  # default 5 s
    step: int | None = None  # PNG: which step (default the last)
    views: Sequence[str] | None = None  # default: map + cost, or network for network scenes
    theme: str = "light"

    def check_frame(self) -> None:
        """The options every render has: the size and the theme."""
        w, h = self.size
        if not (16 <= w <= MAX_SIDE and 16 <= h <= MAX_SIDE):
            raise RenderError(f"--size: each side must be in 16..{MAX_SIDE} pixels (got {w}x{h})")
        if self.theme not in THEMES:
            raise RenderError(f"--theme: must be one of {', '.join(THEMES)} (got {quote(self.theme)})")

    def check(self, scene, fmt: str) -> None:
        self.check_frame()
        w, h = self.size
        if fmt == ".mp4" and (w % 2 or h % 2):
            raise RenderError(f"--size: MP4 needs an even width and height (got {w}x{h})")
        lo, hi = FPS_RANGE.get(fmt, FPS_RANGE[".mp4"])
        if self.fps is not None and not (lo <= self.fps <= hi):
            raise RenderError(f"--fps: {fmt[1:].upper()} takes a number in [{lo:g}, {hi:g}] (got {self.fps:g})")
        if self.frames is not None and not (1 <= self.frames <= MAX_FRAMES):
            raise RenderError(f"--frames: must be an integer in 1..{MAX_FRAMES} (got {self.frames})")
        if self.seconds is not None and not (0 < self.seconds <= 3600):
            raise RenderError(f"--seconds: must be a number in (0, 3600] (got {self.seconds:g})")
        if self.frames is not None and self.seconds is not None:
            raise RenderError("give --frames or --seconds, not both")
        if fmt != ".png" and self.frames is None and self.frame_count(fmt) > MAX_FRAMES:
            raise RenderError(f"--seconds x --fps: at most {MAX_FRAMES} frames "
                              f"(got {self.seconds or 5.0:g} s at {self.frame_rate(fmt):g} fps)")
        allowed = render_views()
        for v in self.views_for(scene):
            if v not in allowed:
                raise RenderError(f"--views: unknown view {quote(v)} (allowed: {', '.join(allowed)})")
        views = self.views_for(scene)
        if not views:
            raise RenderError(f"--views: name at least one of {', '.join(allowed)}")
        if "network" in views and scene.network is None:
            raise RenderError("--views network: the scene has no [network] table")
        surface_views = [v for v in views if REGISTRY[v].needs == "surface"]
        if surface_views and not scene.optimizers:
            raise RenderError(f"--views {'/'.join(surface_views)}: the scene has no [[optimizers]] on a surface "
                              "(use --views network)")
        if self.step is not None and not 0 <= self.step <= self.timeline_length(scene):
            raise RenderError(f"--step: must be in 0..{self.timeline_length(scene)} (got {self.step})")

    def views_for(self, scene) -> list[str]:
        if self.views:
            return list(self.views)
        return ["map", "cost"] if scene.optimizers else ["network"]

    def timeline_length(self, scene) -> int:
        """Steps on a surface, or epochs for a network-only render."""
        if "network" in self.views_for(scene) and not any(v in self.views_for(scene) for v in ("map", "cost", "lr")):
            return scene.network.epochs
        return scene.steps

    def frame_count(self, fmt: str) -> int:
        if self.frames is not None:
            return self.frames
        return max(1, int(round((self.seconds or 5.0) * self.frame_rate(fmt))))

    def frame_rate(self, fmt: str) -> float:
        return self.fps if self.fps is not None else (20.0 if fmt == ".gif" else 30.0)


def _app():
    """The QApplication, made on the offscreen platform if the caller has none."""
    from PyQt6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is None:
        from PyQt6 import QtCore

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

        def messages(kind, context, text):  # the offscreen platform's notice is not news
            if "propagateSizeHints" not in text:
                sys.stderr.write(text + "\n")

        QtCore.qInstallMessageHandler(messages)
        app = QtWidgets.QApplication(sys.argv[:1])
    return app


class Canvas:
    """The views of a render, laid out in one offscreen widget: map on the left, the others
    stacked on its right (or all stacked without a map).

    header: a slide's (title, text, note) drawn above the views, for lesson handouts; the
    note (lesson and slide number) goes at the right of the title. ewa: the EWA view's
    settings (an EwaSettings); without it a render shows beta 0.9 with bias correction on.
    scene may be None when the only view is ewa."""

    def __init__(self, scene, options: RenderOptions, header: tuple[str, str, str] | None = None,
                 ewa=None):
        from PyQt6 import QtCore, QtWidgets

        from ravine.app.model import SceneModel

        self.app = _app()
        from ravine.app.window import roomy_pixmap_cache

        roomy_pixmap_cache()  # big canvases keep their static items cached too
        self.scene = scene
        views = options.views_for(scene)
        self.widget = QtWidgets.QWidget()
        self.widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.header = None
        if header is None:
            layout = QtWidgets.QHBoxLayout(self.widget)
        else:
            outer = QtWidgets.QVBoxLayout(self.widget)
            outer.setContentsMargins(0, 0, 0, 0)
            outer.setSpacing(0)
            self.header = slide_header(*header, size=options.size, theme=options.theme)
            outer.addWidget(self.header)
            layout = QtWidgets.QHBoxLayout()
            outer.addLayout(layout, 1)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        side = QtWidgets.QVBoxLayout()
        side.setSpacing(0)
        self.model = SceneModel(scene) if scene is not None and scene.optimizers else None
        self.network = None
        self.map = None
        self.ewa = None
        self.ewa_settings = ewa
        from ravine.app.registry import build

        build(self, views, lambda w, k: layout.addWidget(w, k), lambda w, k: side.addWidget(w, k))
        if side.count():
            layout.addLayout(side, 2 if layout.count() else 1)
        self.widget.setFixedSize(*options.size)  # the size asked for, whatever the views would like
        apply_theme(self.widget, options.theme)
        self.widget.show()
        self._settle()
        if self.map is not None:
            self.map.fit()  # the aspect-locked map, fitted to its final size
            self._settle()

    def _settle(self) -> None:
        """Let the layout reach its final geometry (pyqtgraph exports need this)."""
        self.widget.layout().activate()
        for _ in range(3):
            self.app.sendPostedEvents()
            self.app.processEvents()

    def show(self, t: int) -> None:
        """Move every view to step (or epoch) t."""
        if self.model is not None:
            self.model.set_step(t)
        if self.network is not None:
            self.network.show_epoch(t if self.model is None else
                                    int(round(t / max(1, self.scene.steps) * self.scene.network.epochs)))
        self.app.processEvents()

    def frame(self) -> np.ndarray:
        """The canvas as an (h, w, 3) uint8 RGB array."""
        from PyQt6 import QtGui

        image = self.widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB888)
        w, h = image.width(), image.height()
        ptr = image.constBits()
        ptr.setsize(image.sizeInBytes())
        rows = np.frombuffer(ptr, np.uint8).reshape(h, image.bytesPerLine())
        return rows[:, : w * 3].reshape(h, w, 3).copy()

    def close(self) -> None:
        if self.network is not None:
            self.network.close()
        self.widget.close()
        self.widget.deleteLater()
        self.app.processEvents()


def slide_header(title: str, text: str, note: str, size: tuple[int, int], theme: str):
    """A handout's heading, a QWidget drawn above the views: the slide's title in a strip (the
    note, the lesson's title and the slide's number, at its right), the slide's text wrapped
    below it, and a rule under both; its labels are .title, .note and .text. Font sizes
    follow the canvas (30 px title and 19 px text at 1280x720) down to the views' own."""
    from PyQt6 import QtCore, QtGui, QtWidgets

    scale = min(size[0] / 1280, size[1] / 720)
    fg, bg = QtGui.QColor(THEMES[theme]["fg"]), QtGui.QColor(THEMES[theme]["bg"])
    muted = QtGui.QColor((fg.red() + bg.red()) // 2, (fg.green() + bg.green()) // 2,
                         (fg.blue() + bg.blue()) // 2).name()
    widget = QtWidgets.QWidget()
    widget.setObjectName("slideHeader")
    box = QtWidgets.QVBoxLayout(widget)
    pad = round(14 * scale)
    box.setContentsMargins(round(20 * scale), pad, round(20 * scale), pad)
    box.setSpacing(round(6 * scale))

    def label(words: str, px: float, least: int, bold: bool = False, color: str | None = None):
        lab = QtWidgets.QLabel(words)
        lab.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        font = QtGui.QFont(lab.font())
        font.setPixelSize(max(least, round(px * scale)))  # never smaller than the views' text
        font.setBold(bold)
        lab.setFont(font)
        if color:
            lab.setStyleSheet(f"color: {color};")
        return lab

    row = QtWidgets.QHBoxLayout()
    widget.title = label(title or "(untitled slide)", 30, 16, bold=True)
    widget.title.setObjectName("slideTitle")
    row.addWidget(widget.title, 1)
    widget.note = label(note, 16, 11, color=muted)
    widget.note.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
    row.addWidget(widget.note, 0)
    box.addLayout(row)
    widget.text = label(" ".join(text.split()), 19, 13)
    widget.text.setObjectName("slideText")
    widget.text.setWordWrap(True)
    widget.text.setVisible(bool(text.strip()))
    box.addWidget(widget.text)
    rule = QtWidgets.QFrame()
    rule.setFixedHeight(max(1, round(2 * scale)))
    rule.setStyleSheet(f"background: {muted};")
    box.addSpacing(round(4 * scale))
    box.addWidget(rule)
    widget.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Maximum)
    return widget


def apply_theme(root, name: str) -> None:
    """Colour every pyqtgraph view under `root` (and the Qt widgets around them)."""
    import pyqtgraph as pg

    from ravine.app.views import unclamp

    theme = THEMES[name]
    fg = pg.mkColor(theme["fg"])
    root.setStyleSheet(f"background: {theme['bg']}; color: {theme['fg']};")
    views = [w for w in [root, *root.findChildren(pg.GraphicsView)] if isinstance(w, pg.GraphicsView)]
    for view in views:
        view.setBackground(theme["bg"])
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setPen(fg)
                item.setTextPen(fg)
            elif isinstance(item, pg.LegendItem):
                item.setBrush(pg.mkBrush(theme["legend"]))
                item.setLabelTextColor(fg)
                for _, label in item.items:
                    label.setText(label.text, color=theme["fg"])
            elif isinstance(item, pg.PlotItem):
                item.titleLabel.setText(item.titleLabel.text, color=theme["fg"])
                unclamp(item.titleLabel)


_bar_open = False  # a progress line is on the terminal, not yet ended by a newline


def _progress(done: int, total: int, t0: float, quiet: bool, unit: str = "frames") -> None:
    """A progress bar on a terminal, for renders that take more than a second."""
    global _bar_open
    elapsed = time.perf_counter() - t0
    if quiet or elapsed < 1.0 or not sys.stderr.isatty():
        return
    rate = done / elapsed if elapsed > 0 else 0.0
    left = (total - done) / rate if rate > 0 else 0.0
    width = 30
    per = "fps" if unit == "frames" else f"{unit}/s"
    bar = "#" * int(width * done / total) + "." * (width - int(width * done / total))
    sys.stderr.write(f"\r[{bar}] {done}/{total} {unit}  {rate:5.1f} {per}  {left:5.1f} s left ")
    _bar_open = done != total
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _end_progress() -> None:
    """End a progress line cut short (by an error or Ctrl-C), so a message starts a new line."""
    global _bar_open
    if _bar_open:
        _bar_open = False
        try:
            sys.stderr.write("\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


class _Busy:
    """While one long step runs (simulating and drawing a heavy scene): after a second, a line
    on the terminal saying what is being done and for how long, from a thread (the step itself
    may be numba or Qt code that returns only when done). Nothing when quiet or not a tty."""

    def __init__(self, what: str, quiet: bool):
        self.what = what
        self.on = not quiet and _isatty(sys.stderr)
        self.stop = threading.Event()
        self.thread = None
        self.shown = 0

    def __enter__(self):
        if self.on:
            self.thread = threading.Thread(target=self._run, name="ravine-busy", daemon=True)
            self.t0 = time.perf_counter()
            self.thread.start()
        return self

    def _run(self) -> None:
        if self.stop.wait(1.0):
            return
        spin = "|/-\\"
        k = 0
        while True:
            line = f"\r{self.what} {spin[k % 4]} {time.perf_counter() - self.t0:4.0f} s "
            try:
                sys.stderr.write(line)
                sys.stderr.flush()
            except (OSError, ValueError):
                return
            self.shown = len(line)
            k += 1
            if self.stop.wait(0.25):
                return

    def __exit__(self, *exc):
        if self.thread is not None:
            self.stop.set()
            self.thread.join()
            if self.shown:
                try:
                    sys.stderr.write("\r" + " " * self.shown + "\r")
                    sys.stderr.flush()
                except (OSError, ValueError):
                    pass
        return False


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _work(scene, options: RenderOptions) -> str:
    """What building a canvas computes, in words (for the busy line)."""
    views = options.views_for(scene)
    parts = []
    if scene.optimizers and any(v in views for v in ("map", "cost", "lr")):
        n = sum(c.enabled for c in scene.optimizers)
        parts.append(f"simulating {scene.steps:,} steps x {n} optimizer{'s' if n != 1 else ''}")
    if scene.network is not None and "network" in views:
        parts.append(f"training {scene.network.epochs:,} epochs")
    return ", ".join(parts + ["drawing"])


def _canvas(scene, options: RenderOptions, what: str = "", quiet: bool = True) -> "Canvas":
    """A Canvas made with signals deferred (Qt calls back into Python while it lays out and
    paints, and pyqtgraph swallows exceptions raised there), with the busy line on."""
    with _Busy(f"{what}: {_work(scene, options)}" if what else _work(scene, options), quiet), deferred():
        return Canvas(scene, options)


def _shot(canvas: "Canvas", t: int) -> np.ndarray:
    """The canvas at step t, as an (h, w, 3) array (Qt paints here: signals deferred)."""
    with deferred():
        canvas.show(t)
        return canvas.frame()


def _close(canvas: "Canvas") -> None:
    with deferred():
        canvas.close()


def _steps(n: int, length: int) -> list[int]:
    """Which step each of n frames shows: evenly from 0 to length."""
    if n == 1:
        return [length]
    return [int(round(i * length / (n - 1))) for i in range(n)]


def iter_frames(scene, options: RenderOptions | None = None, fmt: str = ".mp4",
                quiet: bool = True) -> Iterator[np.ndarray]:
    """The frames of an animation, one (h, w, 3) array at a time."""
    options = options or RenderOptions()
    canvas = _canvas(scene, options, quiet=quiet)
    try:
        yield from _frames(canvas, scene, options, fmt, quiet)
    finally:
        _close(canvas)


def _frames(canvas: "Canvas", scene, options: RenderOptions, fmt: str, quiet: bool) -> Iterator[np.ndarray]:
    """The animation's frames from a canvas, with the progress bar."""
    steps = _steps(options.frame_count(fmt), options.timeline_length(scene))
    t0 = time.perf_counter()
    try:
        for i, t in enumerate(steps):
            frame = _shot(canvas, t)
            yield frame
            _progress(i + 1, len(steps), t0, quiet)
    finally:
        _end_progress()


def _load(scene):
    from ravine.core import Scene, load_scene

    if isinstance(scene, Scene):
        return scene
    return load_scene(scene)


def render(scene, out=None, *, size=(1280, 720), fps=None, frames=None, seconds=None, step=None,
           views=None, theme="light", quiet=True, inputs=()):
    """Render `scene` (a Scene, or the path of a scene file).

    With `out` ending in .png (one frame: `step`, default the last), .gif or .mp4, writes
    that file and returns its Path. Without `out`, returns the frames of the animation as
    one (n, h, w, 3) uint8 array. See RenderOptions for the options; RenderError or
    SceneError (one line each) when something asked for cannot be done.

    The file is written whole or not at all: under a temporary name, renamed when complete;
    an error, a full disk, Ctrl-C or SIGTERM (raised as KeyboardInterrupt) leave nothing.
    An `out` that is the scene's file, its dataset or one of `inputs` (paths, or (what, path)
    pairs) is refused.
    """
    source = None if _is_scene(scene) else scene
    scene = _load(scene)
    options = RenderOptions(tuple(int(v) for v in size), fps, frames, seconds, step,
                            list(views) if views else None, theme)
    if out is None:
        options.check(scene, ".mp4")
        with stop_on_signals():
            return np.stack(list(iter_frames(scene, options, ".mp4", quiet)))
    name = show_path(out)
    if "\0" in os.fspath(out):
        raise RenderError(f"{name}: not a valid file name (it holds a NUL character)")
    out = Path(out)
    fmt = out.suffix.lower()
    if fmt not in FORMATS:
        raise RenderError(f"{name}: unknown format {quote(out.suffix or '(none)')} (allowed: {', '.join(FORMATS)})")
    options.check(scene, fmt)
    if out.is_dir():
        raise RenderError(f"{name}: is a folder; give a file name such as {show_path(out / ('scene' + fmt))}")
    writer = {".png": _write_png, ".gif": _write_gif, ".mp4": _write_mp4}[fmt]
    try:
        target = Output(out, suffix=f".partial{fmt}")
        check_distinct([("-o", target)], scene_inputs(scene, source)
                       + [item if isinstance(item, tuple) else ("an input", item) for item in inputs])
    except OSError as exc:
        raise RenderError(exc.strerror if exc.strerror.startswith("-o ") else f"{name}: {exc.strerror}") from None
    try:
        with stop_on_signals():
            try:
                target.prepare()
                writer(scene, options, target.path(), quiet, name)
                target.commit()
            except OSError as exc:
                raise RenderError(f"{name}: cannot write ({exc.strerror or exc})") from None
            except RenderError as exc:
                raise RenderError(f"{name}: {exc}") from None
    finally:
        target.discard()
    return out


def _is_scene(scene) -> bool:
    from ravine.core import Scene

    return isinstance(scene, Scene)


def _write_png(scene, options: RenderOptions, path: Path, quiet: bool, name: str = "") -> None:
    canvas = _canvas(scene, options, name, quiet)
    try:
        with _Busy(f"{name}: drawing" if name else "drawing", quiet):
            frame = _shot(canvas, options.timeline_length(scene) if options.step is None else options.step)
    finally:
        _close(canvas)
    _save_png(frame, path)


def png_bytes(frame: np.ndarray) -> bytes:
    """An (h, w, 3) uint8 frame as PNG file contents (encoded by Qt)."""
    from PyQt6 import QtCore, QtGui

    h, w, _ = frame.shape
    frame = np.ascontiguousarray(frame)
    image = QtGui.QImage(frame.data, w, h, 3 * w, QtGui.QImage.Format.Format_RGB888)
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RenderError("Qt could not encode the PNG")
    buffer.close()
    return bytes(data)


def _save_png(frame: np.ndarray, path: Path) -> None:
    """Encoded in memory, written by Python: a full disk is an OSError that says so."""
    data = png_bytes(frame)
    with open(path, "wb") as fh:
        fh.write(data)


def _need(module: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise RenderError(f"{what} needs the package '{module.split('.')[0]}': "
                          "pip install 'ravine[video]' (Pillow and imageio-ffmpeg)") from None


def _write_gif(scene, options: RenderOptions, path: Path, quiet: bool, name: str = "") -> None:
    """GIF through Pillow, one frame at a time: one palette made from the first and the last
    frames (the last has every path drawn), and after the first frame only the rectangle
    that changed (the surface under the paths stays put), kept on top of the frames before."""
    Image = _need("PIL.Image", "GIF export")
    GifImagePlugin = _need("PIL.GifImagePlugin", "GIF export")
    duration = max(10, int(round(1000.0 / options.frame_rate(".gif") / 10.0)) * 10)  # in 1/100 s
    canvas = _canvas(scene, options, name, quiet)
    try:
        last = _shot(canvas, options.timeline_length(scene))
        frames = _frames(canvas, scene, options, ".gif", quiet)
        try:
            with open(path, "wb") as fp:
                _gif_frames(fp, frames, last, scene, duration, Image, GifImagePlugin)
        finally:
            frames.close()
    finally:
        _close(canvas)


def _gif_frames(fp, frames, last, scene, duration, Image, GifImagePlugin) -> None:
    """The GIF into fp: its header, one palette from the first and the last frames, then each
    frame as the rectangle that changed."""
    palette = None
    previous = None
    for frame in frames:
        if palette is None:
            source = np.concatenate([frame, last, _swatches(scene, frame.shape[1])])
            palette = Image.fromarray(source).quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                       dither=Image.Dither.NONE)
        q = Image.fromarray(frame).quantize(palette=palette, dither=Image.Dither.NONE)
        indices = np.asarray(q)
        if previous is None:
            header, _ = GifImagePlugin.getheader(q, info={"loop": 0, "duration": duration})
            for chunk in header:
                fp.write(chunk)
            box = (0, 0, q.width, q.height)
        else:
            rows, cols = np.nonzero(indices != previous)
            box = ((int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)
                   if rows.size else (0, 0, 1, 1))
        for chunk in GifImagePlugin.getdata(q.crop(box), offset=box[:2], duration=duration, disposal=1):
            fp.write(chunk)
        previous = indices
    fp.write(b";")


def _swatches(scene, width: int) -> np.ndarray:
    """Rows of the series' exact colours, heavy enough that the palette keeps them exact."""
    from ravine.app.style import PALETTE

    network = scene.network.configs if scene.network is not None else []
    colors = [c.color for c in [*scene.optimizers, *network] if c.color] + PALETTE
    rows = np.zeros((48 * len(colors), width, 3), np.uint8)
    for k, c in enumerate(colors):
        rows[48 * k: 48 * (k + 1)] = [int(c[i: i + 2], 16) for i in (1, 3, 5)]
    return rows


def _write_mp4(scene, options: RenderOptions, path: Path, quiet: bool, name: str = "") -> None:
    """MP4 (H.264) through imageio-ffmpeg's bundled ffmpeg, frames piped as they come. ffmpeg's
    exit status is checked (a full disk may only show when it closes the file); it runs in its
    own session, so Ctrl-C reaches Ravine only, which stops it."""
    import subprocess
    import tempfile
    from fractions import Fraction

    iio = _need("imageio_ffmpeg", "MP4 export")
    try:
        exe = iio.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise RenderError(f"MP4 export: no ffmpeg found ({quote(exc, 120, marks=False)})") from None
    w, h = options.size
    fps = Fraction(options.frame_rate(".mp4")).limit_denominator(100_000)
    cmd = [exe, "-y", "-nostdin", "-loglevel", "error", "-f", "rawvideo", "-vcodec", "rawvideo",
           "-s", f"{w}x{h}", "-pix_fmt", "rgb24", "-r", str(fps), "-i", "pipe:0", "-an",
           "-vcodec", "libx264", "-pix_fmt", "yuv420p", "-crf", "20", "-preset", "veryfast",
           "-f", "mp4", str(path)]
    with tempfile.TemporaryFile() as log:
        ffmpeg = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log,
                                  start_new_session=True)
        done = False
        try:
            stopped = False
            for frame in iter_frames(scene, options, ".mp4", quiet):
                if frame.shape[:2] != (h, w):  # a device pixel ratio other than 1
                    raise RenderError(f"rendered {frame.shape[1]}x{frame.shape[0]} instead of {w}x{h}")
                try:
                    ffmpeg.stdin.write(np.ascontiguousarray(frame).tobytes())
                except (BrokenPipeError, ConnectionResetError):
                    stopped = True  # ffmpeg has stopped: its message below
                    break
            try:
                ffmpeg.stdin.close()
            except (BrokenPipeError, ConnectionResetError):
                stopped = True
            code = ffmpeg.wait()
            done = True
            if code != 0 or stopped:
                log.seek(0)
                raise RenderError(f"ffmpeg could not write the MP4 ({_ffmpeg_says(log.read(), code)})")
        finally:
            if not done:
                ffmpeg.kill()
                ffmpeg.wait()
                try:
                    ffmpeg.stdin.close()
                except OSError:
                    pass
    if os.path.getsize(path) == 0:
        raise RenderError("ffmpeg wrote an empty MP4")


def _ffmpeg_says(log: bytes, code: int) -> str:
    """ffmpeg's last message, on one line without its [muxer @ 0x...] prefix."""
    import re

    lines = [re.sub(r"^(\[[^\]]*\]\s*)+", "", line).strip()
             for line in log.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line and not line.startswith("Last message repeated")]
    if not lines:
        return f"exit status {code}"
    said = lines[-1]
    for line in lines:  # the cause, when it names one everybody knows
        if "No space left on device" in line or "Permission denied" in line:
            said = line
            break
    return quote(said, 160, marks=False)


# Lesson handouts: one PNG per slide.

def resolve_lesson(ref):
    """A Lesson from a Lesson, the path of a lesson file, or a built-in lesson's name (a path
    when such a file exists, ends in .toml or has a folder in it). SceneError (one line)."""
    from ravine.core import SceneError
    from ravine.core.lesson import Lesson, load_builtin_lesson, lesson_names, load_lesson

    if isinstance(ref, Lesson):
        return ref
    text = str(ref)
    path = Path(ref)
    if path.exists() or text.endswith(".toml") or os.sep in text or "/" in text:
        return load_lesson(path, allowed_views=tuple(REGISTRY))
    if text in lesson_names():
        return load_builtin_lesson(text, allowed_views=tuple(REGISTRY))
    raise SceneError(f"{text}: no such lesson file or built-in lesson (built-in lessons: "
                     f"{', '.join(lesson_names())}; or a path to a .toml lesson file)")


def slide_views(slide) -> list[str]:
    """The views a slide's handout shows, from the registry: the ewa tab its EWA view, the
    network tab the network; the optimizers tab the registered views of that tab the slide
    names (map and cost if it names none); plus ewa or network when the slide names them."""
    named = [v for v in (slide.views or ()) if v in REGISTRY and REGISTRY[v].make is not None]
    if slide.tab == "ewa":
        return ["ewa"]
    if slide.tab == "network":
        views = ["network"]
    else:
        views = [v for v in named if REGISTRY[v].tab == "optimizers"] or ["map", "cost"]
        if "network" in named and slide.scene.network is not None:
            views.append("network")
    if "ewa" in named:
        views.append("ewa")
    return views


def slide_step(slide, options: RenderOptions) -> int:
    """The step (epoch on the network tab) a slide's handout shows: the end of the animation
    when the slide autoplays or starts at 0 (a handout shows where the animation goes, not its
    empty start), else the slide's own `step`."""
    if slide.scene is None or options.views_for(slide.scene) == ["ewa"]:
        return 0
    length = options.timeline_length(slide.scene)
    if slide.autoplay or slide.step == 0:
        return length
    return min(slide.step, length)


def slide_filename(number: int, title: str, digits: int = 2) -> str:
    """``01-mini-batch-gradient-descent.png``: the slide's number and a slug of its title."""
    import re
    import unicodedata

    words = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"['`]", "", words)
    slug = re.sub(r"[^a-z0-9]+", "-", words).strip("-")[:60].rstrip("-") or "slide"
    return f"{number:0{digits}d}-{slug}.png"


def slide_canvas(lesson, index: int, options: RenderOptions) -> Canvas:
    """The offscreen canvas of slide `index` of `lesson` (with its heading and settings),
    moved to the step its handout shows."""
    from ravine.core.lesson import EwaSettings

    slide = lesson.slides[index]
    views = slide_views(slide)
    slide_options = RenderOptions(options.size, views=views, theme=options.theme)
    note = f"{lesson.title}   {index + 1}/{len(lesson.slides)}" if lesson.title else f"{index + 1}/{len(lesson.slides)}"
    ewa = (slide.ewa or EwaSettings()) if "ewa" in views else None
    canvas = Canvas(slide.scene, slide_options, header=(slide.title, slide.text, note), ewa=ewa)
    if canvas.model is not None and (slide.inspect or slide.narrate):  # what the slide explains
        canvas.model.set_view(inspected=slide.inspect or canvas.model.view.inspected,
                              narrate=slide.narrate or canvas.model.view.narrate)
    canvas.show(slide_step(slide, slide_options))
    return canvas


def render_lesson(lesson, out_dir, size=(1280, 720), theme="light", quiet=False) -> list[Path]:
    """One PNG handout per slide of `lesson` (a Lesson, a lesson file's path or a built-in
    lesson's name) in the folder `out_dir` (made if missing), named like
    ``01-mini-batch-gradient-descent.png``; returns their paths, in slide order.

    Each handout is the slide's title and text above the views the slide shows (see
    `slide_views`), with the slide's scene and EWA settings, at the step `slide_step` gives
    (the end of the animation, unless the slide starts at a later step and does not play).
    All files are written to temporary names and renamed only when every slide has been
    rendered: a failure, a full disk, Ctrl-C or SIGTERM leave no new file behind (and no
    folder that was made for them). RenderError or SceneError, one line each, when something
    cannot be done.
    """
    lesson = resolve_lesson(lesson)
    options = RenderOptions(tuple(int(v) for v in size), theme=theme)
    options.check_frame()
    name = show_path(out_dir)
    if "\0" in os.fspath(out_dir):
        raise RenderError(f"{name}: not a valid folder name (it holds a NUL character)")
    out_dir = Path(out_dir)
    if out_dir.suffix.lower() in FORMATS:
        raise RenderError(f"{name}: a lesson renders one PNG per slide into a folder; "
                          f"give a folder, e.g. {show_path(out_dir.with_suffix(''))}/")
    if out_dir.exists() and not out_dir.is_dir():
        raise RenderError(f"{name}: is a file; give a folder for the slides' PNGs")
    made = []
    p = out_dir
    while not p.exists() and p != p.parent:
        made.append(p)
        p = p.parent
    digits = max(2, len(str(len(lesson.slides))))
    names = [slide_filename(k + 1, s.title, digits) for k, s in enumerate(lesson.slides)]
    outputs: list[Output] = []
    source = getattr(lesson, "source", None)
    inputs = [("the lesson file", source)] if isinstance(source, str) and os.path.isfile(source) else []

    try:
        with stop_on_signals():
            try:
                out_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RenderError(f"{name}: cannot make this folder ({exc.strerror or exc})") from None
            try:
                for file in names:
                    outputs.append(Output(out_dir / file, suffix=".partial.png"))
                    check_distinct([("-o", outputs[-1])], inputs)
                    outputs[-1].prepare()
            except OSError as exc:
                raise RenderError(f"{show_path(out_dir / names[len(outputs) - 1])}: {exc.strerror}"
                                  if isinstance(exc, OutputError) else
                                  f"{name}: cannot write the slides' PNGs here ({exc.strerror or exc})") from None
            t0 = time.perf_counter()
            try:
                for k, out in enumerate(outputs):
                    with deferred():
                        canvas = slide_canvas(lesson, k, options)
                        try:
                            frame = canvas.frame()
                        finally:
                            canvas.close()
                    _save_png(frame, out.path())
                    _progress(k + 1, len(outputs), t0, quiet, unit="slides")
                for out in outputs:
                    out.finish()
                for out in outputs:
                    out.commit()
            except OSError as exc:
                raise RenderError(f"{name}: cannot write the slides' PNGs ({exc.strerror or exc})") from None
            finally:
                _end_progress()
    except BaseException:
        for out in outputs:
            out.discard()
        for d in made:  # innermost first
            try:
                d.rmdir()
            except OSError:
                break
        raise
    return [out_dir / file for file in names]
