"""The `ravine` command.

    ravine                      open the app on the default scene (needs a display)
    ravine SCENE [--present]    open the app on a scene file or built-in example
                                (--present: presentation mode, full screen)
    ravine lesson [LESSON]      open a lesson (a .toml file or a built-in lesson's name)
                                in presentation mode
    ravine list                 surfaces, optimizers, schedules, examples and lessons
    ravine run SCENE [--csv F]  compute a scene headless; a summary, or every step as CSV
    ravine train SCENE          train a scene's [network] headless
    ravine map SCENE            convergence map of an optimizer over two hyperparameters
    ravine basins SCENE         basins of attraction of an optimizer over a grid of starts
    ravine tune SCENE           each optimizer's best lr by a log-spaced sweep (a fair race)
    ravine render ...           PNG, GIF or MP4 of a scene; PNG handouts of a lesson

Every mistake a user can make ends in one line on stderr and exit status 2, never a
traceback; Ctrl-C ends a command with status 130 and SIGTERM with 143. Output files are
written whole or not at all (see ravine.core.files), and an output that is one of the
command's inputs or another of its outputs is refused. Qt is imported only when a window
is opened.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from pathlib import Path

EXIT_USAGE = 2
COMMANDS = ("list", "run", "train", "map", "basins", "tune", "render", "app", "lesson", "warmup")


class UsageError(Exception):
    """A mistake on the command line or in an input file: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of usage + message
        raise UsageError(f"{message} (see 'ravine --help')")


def _label(text: str, limit: int = 60) -> str:
    """A user's name for something (a label, a title) as a message or a table shows it."""
    from ravine.core.params import quote

    return quote(text, limit, marks=False)


def _scene_path(arg: str) -> Path | None:
    """The scene file `arg` names, or None for a built-in example's name (a name that is not
    a file, has no folder in it and does not end in .toml)."""
    if "\0" in arg:
        raise UsageError(f"{_label(arg)}: not a valid file name (it holds a NUL character)")
    path = Path(arg)
    if path.exists() or arg.endswith(".toml") or os.sep in arg or "/" in arg:
        return path
    return None


def _resolve_scene(arg: str):
    """A scene from a path, or a built-in example's name when no such file exists."""
    from ravine.core import SceneError, example_names, load_example, load_scene

    path = _scene_path(arg)
    if path is not None:
        return load_scene(path)
    if arg in example_names():
        return load_example(arg)
    raise SceneError(f"{_label(arg)}: no such scene file or example (examples: {', '.join(example_names())})")


def _summary(scene, sim) -> str:
    labels = [_label(t.label) for t in sim]
    from ravine.core.scene import surface_label

    lines = [f"{_label(scene.title or 'scene', 160)}: {_label(surface_label(scene.surface), 100)}, "
             f"start ({scene.start[0]:g}, "
             f"{scene.start[1]:g}), {scene.steps} steps"]
    width = max(map(len, labels)) if labels else 5
    lines.append(f"  {'optimizer':<{width}}  {'x':>11} {'y':>11} {'loss':>12}")
    for t, label in zip(sim, labels):
        x, y = t.path[-1]
        note = f"   diverged at step {t.diverged_at}" if t.diverged_at is not None else ""
        lines.append(f"  {label:<{width}}  {x:11.5g} {y:11.5g} {t.loss[-1]:12.5g}{note}")
    return "\n".join(lines)


def _outputs(wanted: list[tuple[str, str | None]], inputs: list[tuple[str, object]]) -> dict:
    """The command's outputs, checked before any work: each a file that can be written (its
    temporary file made now), none of them an input or another output. {option: Output}."""
    from ravine.core.files import Output, OutputError, check_distinct, show_path

    made: dict = {}
    try:
        for option, dest in wanted:
            if dest is None:
                continue
            try:
                made[option] = Output(dest)
            except OutputError as exc:
                if exc.errno == errno.EISDIR:
                    example = "weights.json" if option == "--weights" else "out.csv"
                    raise UsageError(f"{option} {show_path(dest)}: is a folder; give a file name such as "
                                     f"{show_path(Path(dest) / example)}") from None
                raise UsageError(f"{option} {show_path(dest)}: {exc}") from None
        try:
            check_distinct(list(made.items()), inputs)
        except OutputError as exc:
            raise UsageError(str(exc)) from None
        for option, out in made.items():
            try:
                out.prepare()
            except OSError as exc:
                raise UsageError(f"{option} {show_path(out.given)}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        _discard(made)
        raise
    return made


def _discard(outputs: dict) -> None:
    for out in outputs.values():
        out.discard()


def _write(outputs: dict, produce: dict) -> None:
    """Write every output ({option: function(text file)}), then put them all in place: one
    that cannot be written leaves none of them (UsageError naming it)."""
    from ravine.core.files import show_path

    option = None
    try:
        for option, fill in produce.items():
            fill(outputs[option].open())
            outputs[option].finish()
        for option in produce:
            outputs[option].commit()
    except OSError as exc:
        if isinstance(exc, BrokenPipeError) and outputs[option].kind == "stdout":
            raise  # the reader left (ravine ... | head): main() says nothing
        raise UsageError(f"{option} {show_path(outputs[option].given)}: cannot write "
                         f"({exc.strerror or exc})") from None
    finally:
        _discard(outputs)


def _scene_inputs(arg: str, scene) -> list:
    from ravine.core.files import scene_inputs

    path = _scene_path(arg)
    return scene_inputs(scene, path if path is not None and path.is_file() else None)


def cmd_run(args) -> int:
    from ravine.core import simulate
    from ravine.core.export import write_trajectories_csv

    scene = _resolve_scene(args.scene)
    if not scene.optimizers:
        raise UsageError(f"{_label(args.scene)}: has no [[optimizers]] on a surface; it trains a network: "
                         f"use 'ravine train {_label(args.scene)}'")
    outputs = _outputs([("--csv", args.csv)], _scene_inputs(args.scene, scene))
    try:
        sim = simulate(scene)
        for t in sim:
            if t.diverged_at is not None:
                print(f"{_label(t.label)} diverged at step {t.diverged_at}", file=sys.stderr)
        if args.csv is None:
            print(_summary(scene, sim))
            return 0
        _write(outputs, {"--csv": lambda fh: write_trajectories_csv(sim, fh)})
    finally:
        _discard(outputs)
    return 0


def cmd_train(args) -> int:
    from ravine.core.training import Trainer, training_csv, weights_json

    scene = _resolve_scene(args.scene)
    if scene.network is None:
        raise UsageError(f"{_label(args.scene)}: has no [network] table to train (examples with one: "
                         "course-adam, course-decay, minibatch-noise)")
    spec = scene.network
    outputs = _outputs([("--weights", args.weights), ("--csv", args.csv)], _scene_inputs(args.scene, scene))
    try:
        trainer = Trainer(spec)
        trainer.step()
        runs = trainer.runs()
        for r in runs:
            if r.diverged_at is not None:
                print(f"{_label(r.label)} diverged at epoch {r.diverged_at}", file=sys.stderr)
        produce = {}
        if args.weights is not None:
            produce["--weights"] = lambda fh: fh.write(weights_json(runs, spec))
        if args.csv is not None:
            produce["--csv"] = lambda fh: fh.write(training_csv(runs))
        _write(outputs, produce)
    finally:
        _discard(outputs)
    if args.csv == "-" or args.weights == "-":
        return 0
    width = max(len(_label(r.label)) for r in runs)
    print(f"{_label(scene.title or 'network', 160)}: {spec.dataset} (n={len(trainer.y_all)}), layers {spec.layers}, "
          f"{spec.epochs} epochs, {len(trainer.y)} training / {len(trainer.y_test)} test examples")
    print(f"  {'config':<{width}}  {'batch':>5} {'cost':>10} {'train acc':>9} {'test acc':>9}")
    for r in runs:
        if r.epochs_done == 0:
            print(f"  {_label(r.label):<{width}}  diverged in the first epoch")
            continue
        test = f"{r.test_accuracy[-1]:9.3f}" if len(trainer.y_test) else f"{'-':>9}"
        note = f"   diverged at epoch {r.diverged_at}" if r.diverged_at is not None else ""
        print(f"  {_label(r.label):<{width}}  {r.batch_size:5d} {r.epoch_cost[-1]:10.4g} "
              f"{r.train_accuracy[-1]:9.3f} {test}{note}")
    return 0


def _explorer_scene(args):
    """The scene of an explorer command, with its steps overridden by --steps."""
    from ravine.core.scene import STEPS

    scene = _resolve_scene(args.scene)
    if not scene.optimizers:
        raise UsageError(f"{_label(args.scene)}: has no [[optimizers]] on a surface to explore")
    if args.steps is not None:
        scene.steps = STEPS.check(args.steps, "--steps")
    return scene


def _explore(args, compute, csv_text, draw, summary) -> int:
    """Shared by map, basins and tune: outputs checked first, then the computation, then
    the CSV (--csv) and the picture (-o, PNG) written whole, or a summary on stdout."""
    scene = _explorer_scene(args)
    if args.output is not None and not str(args.output).lower().endswith(".png"):
        raise UsageError(f"-o {_quote(args.output)}: the picture is a PNG; give a name ending in .png")
    outputs = _outputs([("--csv", args.csv), ("-o", args.output)], _scene_inputs(args.scene, scene))
    try:
        result = compute(scene)
        produce = {}
        if args.csv is not None:
            produce["--csv"] = lambda fh: fh.write(csv_text(result))
        if args.output is not None:
            png = draw(scene, result)
            produce["-o"] = lambda fh: fh.buffer.write(png) if hasattr(fh, "buffer") else fh.write(png)
        _write(outputs, produce)
    finally:
        _discard(outputs)
    if args.csv != "-":
        print(summary(scene, result))
    return 0


def _where_on(scene) -> str:
    from ravine.core.scene import surface_label

    return _label(surface_label(scene.surface), 100)


def _tolerance_args(args) -> dict:
    from ravine.core.simulation import TOL

    return {"tol": TOL.check(args.tol, "--tol"), "criterion": args.criterion}


def cmd_map(args) -> int:
    from ravine.app.explorer_views import map_png
    from ravine.core.explorers import _config, convergence_map, default_axes, parse_axis

    def compute(scene):
        cfg = _config(scene, args.optimizer if args.optimizer is not None else 0)
        x, y = default_axes(cfg.kind)
        if args.x is not None:
            x = parse_axis(args.x, cfg.kind, "--x")
            y = None if args.y is None and args.x is not None and y is not None and y.name == x.name else y
        if args.y is not None:
            y = parse_axis(args.y, cfg.kind, "--y")
        return convergence_map(scene, cfg.label, x, y, **_tolerance_args(args))

    def summary(scene, m) -> str:
        import numpy as np

        reached = m.steps_to_tol >= 0
        line = (f"{_label(m.label)} on {_where_on(scene)}, {m.steps} steps: {int(reached.sum())} of {reached.size} cells "
                f"reach {m.criterion} <= {m.tol:g}, {int((m.diverged_at >= 0).sum())} diverge")
        if reached.any():
            i, j = np.unravel_index(np.where(reached, m.steps_to_tol, np.iinfo(np.int64).max).argmin(), reached.shape)
            at = f"{m.x.name} = {m.xs[j]:.4g}" + (f", {m.y.name} = {m.ys[i]:.4g}" if m.y else "")
            line += f"; fastest {at} in {int(m.steps_to_tol[i, j])} steps"
        return line

    return _explore(args, compute, lambda m: m.csv(), map_png, summary)


def cmd_basins(args) -> int:
    from ravine.app.explorer_views import basins_png
    from ravine.core.explorers import GRID, basins

    def compute(scene):
        return basins(scene, args.optimizer if args.optimizer is not None else 0, GRID.check(args.grid, "--grid"),
                      **_tolerance_args(args))

    def summary(scene, b) -> str:
        parts = [f"({x:.3g}, {y:.3g}): {int((b.minimum == k).sum())}" for k, (x, y) in enumerate(b.minima)]
        elsewhere = int(((b.minimum < 0) & (b.diverged_at < 0)).sum())
        return (f"{_label(b.label)} on {_where_on(scene)}, {b.minimum.size} starts: " + ", ".join(parts)
                + f"; elsewhere {elsewhere}, diverged {int((b.diverged_at >= 0).sum())}")

    return _explore(args, compute, lambda b: b.csv(), basins_png, summary)


def cmd_tune(args) -> int:
    from ravine.app.explorer_views import tune_png
    from ravine.core.explorers import Axis, tune, tune_csv

    def compute(scene):
        parts = args.lrs.split(":")
        try:
            low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
            if len(parts) != 3:
                raise ValueError
        except (ValueError, IndexError):
            raise UsageError(f"--lrs {_quote(args.lrs)}: must be LOW:HIGH:COUNT, e.g. 1e-5:10:64") from None
        return tune(scene, Axis("lr", low, high, "log", count), by=args.by, **_tolerance_args(args))

    def summary(scene, results) -> str:
        width = max(len(_label(r.label)) for r in results)
        lines = [f"{_label(scene.title or 'scene', 160)}: the best lr of each, by {args.by}"]
        for r in results:
            lines.append(f"  {_label(r.label):<{width}}  lr {r.best_lr:10.4g}   final loss {r.final_loss[r.chosen]:.4g}"
                         + (f", {int(r.steps_to_tol[r.chosen])} steps to tol" if r.steps_to_tol[r.chosen] >= 0 else ""))
        return "\n".join(lines)

    return _explore(args, compute, tune_csv, tune_png, summary)


def _size(text: str) -> tuple[int, int]:
    import re

    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m:
        raise UsageError(f"--size: must be WIDTHxHEIGHT, e.g. 1280x720 (got {_quote(text)})")
    return int(m.group(1)), int(m.group(2))


def _quote(text: str) -> str:
    from ravine.core.params import quote

    return quote(text)


def cmd_render(args) -> int:
    from ravine.app.rendering import FORMATS, RenderError, render
    from ravine.core import SceneError, example_names, load_example
    from ravine.core.files import show_path

    if args.lesson is not None:
        return _render_lesson(args)
    if (args.scene is None) == (args.example is None):
        raise UsageError("render: give a scene file, a folder of scenes, --example NAME or --lesson LESSON")
    if args.output is None:
        raise UsageError("render: -o OUT is required (a .png, .gif or .mp4 file, or a folder)")
    options = dict(size=_size(args.size), fps=args.fps, frames=args.frames, seconds=args.seconds,
                   step=args.step, theme=args.theme, quiet=args.quiet,
                   views=[v.strip() for v in args.views.split(",") if v.strip()] if args.views else None)
    if args.example is not None:
        if args.example not in example_names():
            raise UsageError(f"--example: unknown example {_quote(args.example)} (allowed: {', '.join(example_names())})")
        jobs = [(f"example {args.example}", lambda: load_example(args.example), [], Path(args.output))]
    elif _scene_path(args.scene) is not None and _scene_path(args.scene).is_dir():
        folder, out_dir = Path(args.scene), Path(args.output)
        if out_dir.suffix.lower() in FORMATS:
            raise UsageError(f"-o {show_path(out_dir)}: rendering a folder needs an output folder")
        fmt = "." + (args.format or "gif")
        scenes = sorted(folder.glob("*.toml"))
        if not scenes:
            raise UsageError(f"{show_path(folder)}: no .toml scene files in this folder")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"-o {show_path(out_dir)}: cannot make this folder ({exc.strerror or exc})") from None
        jobs = [(show_path(p), lambda p=p: p, [], out_dir / (p.stem + fmt)) for p in scenes]  # (render knows p)
    else:
        if "\0" in args.output:
            raise UsageError(f"-o {show_path(args.output)}: not a valid file name (it holds a NUL character)")
        path = _scene_path(args.scene)
        inputs = [("the scene file", path)] if path is not None and path.is_file() else []
        jobs = [(args.scene, lambda: _resolve_scene(args.scene), inputs, Path(args.output))]
    failed = 0
    for name, get_scene, inputs, out in jobs:
        try:
            scene = get_scene()
            path = render(scene, out, inputs=inputs, **options)
        except (SceneError, RenderError) as exc:
            _say(exc)
            failed += 1
            continue
        if not args.quiet and len(jobs) > 1:
            print(f"{name} -> {show_path(path)}")
    return EXIT_USAGE if failed else 0


def _render_lesson(args) -> int:
    """ravine render --lesson LESSON -o DIR: one PNG handout per slide."""
    from ravine.app.rendering import RenderError, render_lesson, resolve_lesson

    if args.scene is not None or args.example is not None:
        raise UsageError("render: give a scene, --example NAME or --lesson LESSON, one of them")
    fixed = [flag for flag, value in (("--step", args.step), ("--views", args.views), ("--fps", args.fps),
                                      ("--seconds", args.seconds), ("--frames", args.frames),
                                      ("--format", args.format)) if value is not None]
    if fixed:
        raise UsageError(f"render --lesson: {fixed[0]} is set by each slide (allowed with --lesson: "
                         "-o DIR, --size, --theme, --quiet)")
    if args.output is None:
        raise UsageError("render --lesson: -o DIR is required (the folder for one PNG per slide)")
    lesson = resolve_lesson(args.lesson)
    try:
        paths = render_lesson(lesson, args.output, size=_size(args.size), theme=args.theme, quiet=args.quiet)
    except RenderError as exc:
        raise UsageError(str(exc)) from None
    if not args.quiet:
        from ravine.core.files import show_path

        for slide, path in zip(lesson.slides, paths):
            print(f"{_label(slide.title or 'slide', 160)} -> {show_path(path)}")
    return 0


def _resolve_lesson(arg: str | None):
    from ravine.app.rendering import resolve_lesson
    from ravine.core.lesson import DEFAULT_LESSON

    return resolve_lesson(DEFAULT_LESSON if arg is None else arg)


def cmd_warmup(args) -> int:
    """Compile every kernel (or the examples' with --examples) on all cores, once."""
    from ravine.core.warmup import describe, warmup

    if args.jobs is not None and not 1 <= args.jobs <= 256:
        raise UsageError(f"--jobs: must be an integer in 1..256 (got {args.jobs})")
    t0 = time.perf_counter()
    tty = sys.stderr.isatty() and not args.quiet

    def progress(done, total, job, seconds):
        if tty:
            bar = "#" * (30 * done // total) + "." * (30 - 30 * done // total)
            sys.stderr.write(f"\r[{bar}] {done}/{total} kernels  {describe(job)[:40]:<40}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    results = warmup(examples_only=args.examples, workers=args.jobs, progress=progress)
    wall = time.perf_counter() - t0
    if not args.quiet:
        slow = sorted(results, key=lambda r: -r[1])[:3]
        print(f"{len(results)} kernel groups ready in {wall:.1f} s "
              f"(slowest: {', '.join(f'{describe(j)} {s:.1f} s' for j, s in slow)})")
    return 0


def cmd_lesson(args) -> int:
    lesson = _resolve_lesson(args.lesson)  # a broken lesson says so before any window opens
    _check_display()
    from ravine.app.window import run_lesson

    return run_lesson(lesson)


def cmd_list(args) -> int:
    from ravine.core.optimizers import OPTIMIZERS
    from ravine.core.scene import example_names, load_example
    from ravine.core.schedules import SCHEDULES
    from ravine.landscapes import SURFACES

    def params(declared):
        return ", ".join(f"{p.name}={p.default}" for p in declared)

    from ravine.core.scene import is_custom

    print("surfaces:")
    for s in SURFACES.values():
        if is_custom(s.name):
            continue
        extra = f"  [{params(s.params)}]" if s.params else ""
        print(f"  {s.name:<16} {s.description}{extra}")
    print(f"  {'custom':<16} your own formula: expression = \"x**2 + 10*sin(y)**2\", domain = [[-5, 5], [-5, 5]]")
    print("optimizers:")
    for o in OPTIMIZERS.values():
        print(f"  {o.name:<16} {o.formula}  [{params(o.params)}]")
    print("schedules:")
    for sch in SCHEDULES.values():
        print(f"  {sch.name:<16} {sch.formula}  [{params(sch.all_params())}]")
    from ravine.core.datasets import DATASETS

    print("datasets (for [network] scenes):")
    for d in DATASETS.values():
        print(f"  {d.name:<16} {d.description}  [{params(d.params)}]")
    print("examples:")
    for name in example_names():
        scene = load_example(name)
        what = "ravine train" if scene.network is not None and not scene.optimizers else "ravine run"
        print(f"  {name:<22} {scene.title}  ({what})")
    from ravine.core.lesson import lesson_names, load_builtin_lesson

    print("lessons (ravine lesson NAME; handouts: ravine render --lesson NAME -o DIR/):")
    for name in lesson_names():
        lesson = load_builtin_lesson(name)
        n = len(lesson.slides)
        print(f"  {name:<22} {lesson.title or name}  ({n} slide{'s' if n != 1 else ''})")
    return 0


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True  # the user chose a platform (offscreen, xcb, wayland...)
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True  # macOS and Windows always have a screen session


def _missing_x11_library() -> str | None:
    """Qt aborts the whole process when its X11 platform plugin cannot load (Qt 6.5+ needs
    libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1... that desktops usually have, not all).
    Load the plugin the way Qt would, first, so a missing library becomes one line naming the
    package to install."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY") or platform not in ("", "xcb"):
        return None
    if os.environ.get("WAYLAND_DISPLAY") and not platform:
        return None  # Qt prefers Wayland there
    import ctypes
    import re
    from pathlib import Path

    try:
        import PyQt6
    except ImportError:
        return None
    plugin = Path(PyQt6.__file__).parent / "Qt6" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        m = re.search(r"(lib[\w.+-]+?)\.so\.(\d+)", str(exc))
        return f"{m.group(1)}{m.group(2)}" if m else str(exc)
    return None


def _check_display() -> None:
    """Before any window: a display to show it on, and the X11 libraries Qt needs there."""
    if not _has_display():
        raise UsageError("no display found (DISPLAY is not set): the app needs a screen; headless, use "
                         "'ravine render SCENE -o OUT.gif' or 'ravine run SCENE --csv OUT.csv' (see 'ravine list')")
    missing = _missing_x11_library()
    if missing:
        raise UsageError(f"Qt needs the system library {missing} to open a window on X11: install it "
                         f"(Debian/Ubuntu: sudo apt-get install {missing}); meanwhile 'ravine render' works")


def cmd_app(scene_arg: str | None, present: bool = False) -> int:
    from ravine.core.scene import DEFAULT_EXAMPLE

    scene = _resolve_scene(scene_arg or DEFAULT_EXAMPLE)
    path = Path(scene_arg) if scene_arg and Path(scene_arg).is_file() else None
    _check_display()
    from ravine.app.window import run_app

    if present:
        return run_app(scene, path, present=True)
    return run_app(scene, path)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ravine")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ravine",
        usage="ravine [SCENE] [--present] | ravine {list,run,train,map,basins,tune,render,app,lesson,warmup} ...",
        description="Ravine: see how neural-network optimizers behave. With no command, "
                    "opens the app on SCENE (a .toml file or an example name) or the default scene; "
                    "--present opens it in presentation mode, full screen.",
        epilog="examples:\n  ravine list\n  ravine run momentum-ravine --csv out.csv\n"
               "  ravine train course-adam --csv costs.csv\n  ravine render --example momentum-ravine -o m.gif\n"
               "  ravine my-scene.toml\n  ravine momentum-ravine --present\n"
               "  ravine lesson                      (the built-in lesson, full screen)\n"
               "  ravine lesson my-lesson.toml\n  ravine render --lesson optimization -o handouts/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ravine {_version()}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sub.add_parser("list", help="list surfaces, optimizers, schedules, example scenes and lessons")
    run = sub.add_parser("run", help="compute a scene headless")
    run.add_argument("scene", help="a scene .toml file, or the name of a built-in example")
    run.add_argument("--csv", metavar="OUT.csv",
                     help="write optimizer,step,x,y,loss,lr rows to this file ('-' for stdout)")
    tr = sub.add_parser("train", help="train a scene's [network] configurations headless")
    tr.add_argument("scene", help="a scene .toml file with a [network] table, or an example name")
    tr.add_argument("--csv", metavar="OUT.csv",
                    help="write config,epoch,cost,train_accuracy,test_accuracy,lr rows ('-' for stdout)")
    tr.add_argument("--weights", metavar="OUT.json",
                    help="write every configuration's trained W[l] and b[l] as JSON ('-' for stdout)")
    def explorer(name: str, help_text: str):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("scene", help="a scene .toml file, or the name of a built-in example")
        p.add_argument("--steps", type=int, help="updates per trajectory (default: the scene's)")
        p.add_argument("--tol", type=float, default=1e-6, help="tolerance of the convergence criterion (1e-6)")
        p.add_argument("--criterion", choices=["auto", "loss", "grad"], default="auto",
                       help="loss: f - min f (surfaces whose minimum is known); grad: the gradient's norm; "
                            "auto (default): loss where the minimum is known, else grad")
        p.add_argument("--csv", metavar="OUT.csv", help="write the table to this file ('-' for stdout)")
        p.add_argument("-o", "--output", metavar="OUT.png", help="draw it to this PNG")
        return p

    mp = explorer("map", "convergence map of one optimizer over two of its hyperparameters")
    mp.add_argument("--optimizer", metavar="LABEL", help="the scene's optimizer (default: the first)")
    mp.add_argument("--x", metavar="AXIS", help="NAME:LOW:HIGH:SCALE:COUNT, SCALE lin|log|log1m "
                                                "(default lr:0.0001:1:log:64)")
    mp.add_argument("--y", metavar="AXIS", help="the second hyperparameter (default: the optimizer's first "
                                                "after lr, e.g. beta:0:0.999:log1m:32)")
    bs = explorer("basins", "basins of attraction: where one optimizer ends from each start of a grid")
    bs.add_argument("--optimizer", metavar="LABEL", help="the scene's optimizer (default: the first)")
    bs.add_argument("--grid", type=int, default=200, help="starts along each axis (default 200)")
    tn = explorer("tune", "each optimizer's best lr by a log-spaced sweep, for a fair race")
    tn.add_argument("--lrs", default="1e-5:10:64", metavar="LOW:HIGH:COUNT",
                    help="the lrs swept, log-spaced (default 1e-5:10:64)")
    tn.add_argument("--by", choices=["final", "steps"], default="final",
                    help="final: the lowest final loss; steps: the fewest steps to the tolerance")
    rd = sub.add_parser("render", help="render a scene to PNG, GIF or MP4 without a display",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  ravine render momentum-ravine.toml -o ravine.gif\n"
                               "  ravine render --example plateau-crawl -o plateau.mp4 --size 1920x1080\n"
                               "  ravine render scenes/ -o renders/ --format gif\n"
                               "  ravine render --lesson optimization -o handouts/\n\n"
                               "--lesson writes one PNG per slide (01-title.png, ...): the slide's title and\n"
                               "text above its views, with its scene and EWA settings, at the end of its\n"
                               "animation (or at its step, if it starts at a later step and does not play).")
    rd.add_argument("scene", nargs="?", help="a scene file, a folder of scenes, or an example name")
    rd.add_argument("-o", "--output", metavar="OUT",
                    help="OUT.png, OUT.gif or OUT.mp4 (a folder for a folder of scenes or a lesson)")
    rd.add_argument("--example", metavar="NAME", help="render a built-in example scene (see 'ravine list')")
    rd.add_argument("--lesson", metavar="LESSON",
                    help="PNG handouts of a lesson (a .toml file or a built-in lesson's name), one per slide")
    rd.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT in pixels (default 1280x720)")
    rd.add_argument("--fps", type=float, help="frames per second (default 30 for MP4, 20 for GIF)")
    rd.add_argument("--seconds", type=float, help="length of the animation (default 5)")
    rd.add_argument("--frames", type=int, help="number of frames (instead of --seconds)")
    rd.add_argument("--step", type=int, help="PNG: the step to show (default the last; not with --lesson)")
    from ravine.app.registry import render_views

    rd.add_argument("--views", help=f"comma-separated, from {', '.join(render_views())} "
                                    "(default map,cost; network for network scenes; "
                                    "with --lesson each slide chooses)")
    rd.add_argument("--theme", default="light", help="light or dark")
    rd.add_argument("--format", choices=["png", "gif", "mp4"], help="for a folder of scenes (default gif)")
    rd.add_argument("--quiet", action="store_true", help="no progress bar")
    wu = sub.add_parser("warmup", help="compile every kernel once, on all cores (so nothing waits later)")
    wu.add_argument("--examples", action="store_true", help="only what the built-in examples need")
    wu.add_argument("--jobs", type=int, help="worker processes (default: the machine's cores)")
    wu.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    app = sub.add_parser("app", help="open the app (the default with no command)")
    app.add_argument("scene", nargs="?", help="a scene file or example name")
    app.add_argument("--present", action="store_true", help="presentation mode, full screen")
    ls = sub.add_parser("lesson", help="open a lesson in presentation mode, full screen")
    ls.add_argument("lesson", nargs="?",
                    help="a lesson .toml file or a built-in lesson's name (default: the built-in one; "
                         "see 'ravine list')")
    return parser


def _one_line(message: str) -> str:
    """The last safety net: any message on one line, with no control characters, not huge."""
    from ravine.core.params import quote

    return quote(str(message), 1000, marks=False)  # (a newline shows as \n)


def _say(message) -> None:
    """One line on stderr, "ravine: " first (a stderr that cannot be written is let be)."""
    try:
        print(f"ravine: {_one_line(message)}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _stdout_failed(exc: OSError) -> int:
    """Standard output cannot be written (full, closed): said once, and the rest dropped so
    that Python's own flush at exit does not fail again with a traceback-like message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    if isinstance(exc, BrokenPipeError):
        return 0  # the reader left (ravine ... | head): nothing to say
    _say(f"cannot write to standard output ({exc.strerror or exc})")
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    from ravine.core import SceneError
    from ravine.core.files import Interrupted, stop_on_signals

    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if any("\0" in a for a in argv):
            raise UsageError("an argument holds a NUL character")
        from ravine.core.threads import env_threads

        try:
            env_threads()
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if not argv:
            return cmd_app(None)
        if argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
            # `ravine SCENE [--present]` and `ravine --present` open the app: `ravine app ...`
            words = []
            for a in argv:  # the words before the first option
                if a.startswith("-"):
                    break
                words.append(a)
            if len(words) > 1:
                raise UsageError(f"unknown command {_quote(words[0])} (commands: {', '.join(COMMANDS)}; "
                                 "or ravine SCENE [--present] to open a scene)")
            argv = ["app", *argv]
        args = build_parser().parse_args(argv)
        if args.command in ("app", "lesson"):  # windows: the event loop handles the signals
            return cmd_lesson(args) if args.command == "lesson" else cmd_app(args.scene, present=args.present)
        command = {"list": cmd_list, "run": cmd_run, "train": cmd_train, "render": cmd_render,
                   "warmup": cmd_warmup, "map": cmd_map, "basins": cmd_basins, "tune": cmd_tune}[args.command]
        with stop_on_signals():
            code = command(args)
            sys.stdout.flush()
        return code
    except Interrupted as exc:
        _say(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except (UsageError, SceneError) as exc:
        _say(exc)
        return EXIT_USAGE
    except OSError as exc:
        if exc.filename is None and _is_stdout_error(exc):
            return _stdout_failed(exc)
        _say(f"{exc.strerror or exc}" + (f": {_one_line(exc.filename)}" if exc.filename else ""))
        return EXIT_USAGE
    except ValueError as exc:  # RenderError and the core's checks are ValueErrors with one-line messages
        from ravine.app.rendering import RenderError

        if not isinstance(exc, RenderError):
            raise
        _say(exc)
        return EXIT_USAGE


def _is_stdout_error(exc: OSError) -> bool:
    """Whether the error came from writing standard output (nothing else is written without
    a file name in ravine's commands)."""
    try:
        sys.stdout.flush()
    except OSError:
        return True
    except ValueError:
        return False
    return exc.errno in (errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EBADF)


if __name__ == "__main__":
    sys.exit(main())
