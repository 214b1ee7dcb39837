"""Lessons: the built-in lesson (and the claims its slides make), scenes by example name, by
file and inline, and one clear line per mistake naming the slide and the key."""

import os
import re

import numpy as np
import pytest

from ravine.core import (EwaSettings, Lesson, SceneError, Slide, load_builtin_lesson, load_example,
                         load_lesson, loads_lesson, lesson_names, simulate)
from ravine.core.lesson import LESSON_VIEWS
from ravine.core.schedules import lr_per_step
from ravine.core.stepinfo import step_info
from ravine.landscapes import get_surface

# ------------------------------------------------------------------------------ the built-in one


def test_the_builtin_lesson_loads_every_slide_and_its_scene():
    assert "optimization" in lesson_names()
    lesson = load_builtin_lesson("optimization")
    assert isinstance(lesson, Lesson) and lesson.title and lesson.source == "lesson optimization"
    assert 10 <= len(lesson.slides) <= 14
    for i, slide in enumerate(lesson.slides):
        assert isinstance(slide, Slide)
        assert slide.title and slide.text, i
        assert len(slide.text.split()) <= 60, (i, slide.title)  # read from the back of a room
        assert "\n" not in slide.text
        if slide.tab == "ewa":
            assert slide.scene is None and slide.ewa is not None
        else:
            assert slide.scene is not None
            assert (slide.scene.network is not None) if slide.tab == "network" else slide.scene.optimizers
    titles = [s.title for s in lesson.slides]
    # the notes' order
    order = ["Mini-batch", "Exponentially", "Bias correction", "momentum", "RMSprop", "Adam",
             "Learning-rate decay", "Local optima", "Saddle", "Plateaus"]
    where = [next(i for i, t in enumerate(titles) if word in t) for word in order]
    assert where == sorted(where), titles


def test_the_builtin_lesson_follows_the_errata():
    text = {s.title: s.text for s in load_builtin_lesson("optimization").slides}
    assert "S = beta2*S + (1-beta2)*dW^2" in text["RMSprop"]
    assert "W = W - lr*dW/(sqrt(S)+eps)" in text["RMSprop"]
    assert "S = beta2*S + (1-beta2)*dW^2" in text["Adam"]  # dW squared (the notes' S_db lacks it)
    assert "0.1, 0.067, 0.05, 0.04" in text["Learning-rate decay"]  # not the notes' 0.67
    assert "1 - beta^t" in text["Bias correction"]


def test_the_decay_numbers_on_the_slide():
    lr = lr_per_step({"kind": "inverse_time", "decay_rate": 1.0, "steps_per_epoch": 1}, 0.2, 4)
    assert lr == pytest.approx([0.1, 0.2 / 3, 0.05, 0.04])


def test_what_the_momentum_rmsprop_adam_and_plateau_slides_say():
    ravine = load_example("momentum-ravine")
    kappa = ravine.surface_params["kappa"]
    gd, momentum = (next(c for c in ravine.optimizers if c.label == k) for k in ("GD", "Momentum"))
    assert gd.params["lr"] < 2 / kappa == 0.04 and momentum.params["lr"] == 0.3
    sim = {t.label: t for t in simulate(ravine)}
    first = {k: int(np.argmax(t.loss < 1e-4)) for k, t in sim.items()}
    assert min(first, key=first.get) == "Momentum", first

    rms = load_builtin_lesson("optimization").slides[4]
    assert rms.title == "RMSprop" and rms.inspect == "RMSprop"
    traj = simulate(rms.scene)[1]
    cfg = rms.scene.optimizers[1]
    for t in (1, 5, 20, 50):
        along, across = step_info(traj, cfg.params, t).effective_lr
        assert 0.018 < along < 0.045 and 0.0006 < across < 0.002, (t, along, across)

    bias = {t.label: t for t in simulate(load_example("adam-bias-correction"))}
    first_step = np.abs(bias["Adam (no correction)"].step_taken[0]) / 0.4
    assert first_step == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-3)  # about 3.2 (eps aside)
    assert bias["Adam (bias-corrected)"].loss[-1] < 1e-6
    assert bias["Adam (no correction)"].loss[-1] > 0.99  # lost on the plateau

    plateau = {t.label: t.loss[-1] for t in simulate(load_example("plateau-crawl"))}
    assert plateau["GD"] > 0.99 and plateau["Momentum"] > 0.99
    assert plateau["RMSprop"] < 1e-3 and plateau["Adam"] < 1e-3

    decay = {t.label: t.path[-50:] for t in simulate(load_example("lr-decay"))}
    assert np.ptp(decay["RMSprop, lr 0.1"], axis=0).min() > 0.05  # keeps bouncing
    assert np.ptp(decay["RMSprop, lr 0.1 decayed"], axis=0).max() < 0.005  # settles


def test_the_course_experiment_on_the_adam_slide():
    from ravine.core.training import train

    acc = {r.label: r.train_accuracy[-1] for r in train(load_example("course-adam").network)}
    assert f"{100 * acc['Adam']:.2f}" == "94.33"  # as the slide says
    assert f"{100 * acc['GD']:.2f}" == f"{100 * acc['Momentum']:.2f}" == "71.67"


# ---------------------------------------------------------------- the local-optima examples

CAMEL_LOCAL = {(-1.60710475, -0.56865145): 2.10425031, (1.60710475, 0.56865145): 2.10425031,
               (-1.70360671, 0.79608357): -0.21546382, (1.70360671, -0.79608357): -0.21546382}
"""The six-hump camel's four non-global minima (Molga & Smutnicki list them as
+-(1.7036, -0.7961) and +-(1.6071, 0.5687); refined here by Newton's method)."""


def _final(name):
    return {t.label: t for t in simulate(load_example(name))}


def test_the_camel_local_minima_are_minima():
    surf = get_surface("six_hump_camel")
    p = surf.packed()
    for (x, y), f in CAMEL_LOCAL.items():
        assert np.abs(surf.grad(x, y, p)).max() < 1e-6
        assert surf.value(x, y, p) == pytest.approx(f, abs=1e-7)


def test_himmelblau_four_starts_four_minima():
    runs = _final("local-optima-himmelblau")
    minima = np.array(get_surface("himmelblau").minima)
    reached = set()
    for t in runs.values():
        assert t.diverged_at is None
        d = np.linalg.norm(minima - t.path[-1], axis=1)
        assert d.min() < 1e-3, (t.label, t.path[-1])
        reached.add(int(d.argmin()))
    assert reached == {0, 1, 2, 3}
    starts = np.array([t.path[0] for t in runs.values()])
    assert sorted(map(tuple, starts)) == [(-0.75, -1.25), (-0.75, -0.25), (0.25, -1.25), (0.25, -0.25)]
    for t in runs.values():  # the labels say where each starts
        assert f"({t.path[0][0]:g}, {t.path[0][1]:g})" in t.label


def test_camel_gd_stops_in_a_local_minimum_momentum_reaches_a_global_one():
    scene = load_example("local-optima-camel")
    runs = _final("local-optima-camel")
    assert runs["GD"].path[-1] == pytest.approx((-1.60710475, -0.56865145), abs=1e-3)
    assert runs["GD"].loss[-1] == pytest.approx(2.10, abs=0.005)
    assert runs["Momentum"].path[-1] == pytest.approx(get_surface("six_hump_camel").minima[0], abs=1e-3)
    assert runs["Momentum"].loss[-1] == pytest.approx(-1.03, abs=0.005)
    assert scene.optimizers[0].params["lr"] == scene.optimizers[1].params["lr"]  # "the same lr"
    # "no guarantee": a little further in, momentum stops in the local minimum too
    other = simulate(scene.with_(start=(-1.9, -0.5)))
    assert other[1].path[-1] == pytest.approx((-1.60710475, -0.56865145), abs=1e-3)


def test_rastrigin_every_optimizer_stops_in_the_pit_next_to_the_start():
    runs = _final("local-optima-rastrigin")
    assert set(runs) == {"GD", "Momentum", "RMSprop", "Adam"}
    for t in runs.values():
        assert t.path[-1] == pytest.approx((-1.99, 2.985), abs=0.01), t.label
        assert t.loss[-1] == pytest.approx(12.9, abs=0.1), t.label


# ----------------------------------------------------------------------- the format

SCENE_FILE = """\
title = "from a file"
surface = "booth"
steps = 40

[[optimizers]]
kind = "gd"
label = "GD"
lr = 0.02
"""


def test_example_file_and_inline_scenes(tmp_path, monkeypatch):
    (tmp_path / "scenes").mkdir()
    (tmp_path / "scenes" / "mine.toml").write_text(SCENE_FILE)
    lesson_path = tmp_path / "lesson.toml"
    lesson_path.write_text("""\
title = "Three ways to name a scene"

[[slides]]
scene = "saddle-escape"

[[slides]]
scene = "scenes/mine.toml"
step = "end"

[[slides]]
title = "inline"
views = ["map", "inspector"]
inspect = "Adam"
narrate = true
autoplay = true
speed = 0.5

[slides.scene]
surface = "rosenbrock"
steps = 30

[[slides.scene.optimizers]]
kind = "adam"
label = "Adam"
lr = 0.1
start = [-1.0, 2.0]
""")
    monkeypatch.chdir(tmp_path / "scenes")  # relative paths follow the lesson file, not the cwd
    lesson = load_lesson(os.path.relpath(lesson_path))
    example, from_file, inline = lesson.slides
    assert example.scene == load_example("saddle-escape") and example.scene_ref == "saddle-escape"
    assert example.tab == "optimizers" and example.step == 0 and example.views is None
    assert from_file.scene.title == "from a file"
    assert from_file.scene_ref == os.path.join("..", "scenes", "mine.toml")
    assert from_file.step == 40  # "end": the scene's steps
    assert inline.scene.surface == "rosenbrock" and inline.scene_ref == ""
    assert inline.scene.optimizers[0].start == (-1.0, 2.0)
    assert inline.views == ("map", "inspector") and inline.inspect == "Adam"
    assert inline.narrate and inline.autoplay and inline.speed == 0.5
    assert inline.ewa is None and not example.autoplay and example.speed == 1.0


def test_defaults_and_tabs():
    lesson = loads_lesson('[[slides]]\nscene = "course-decay"\nstep = "end"\n'
                          '[[slides]]\ntab = "ewa"\n[slides.ewa]\nbeta = 0.5\n'
                          '[[slides]]\ntab = "ewa"\nscene = "plateau-crawl"\n')
    net, ewa_only, ewa_with_scene = lesson.slides
    assert lesson.title == "" and net.title == "" and net.text == ""
    assert net.tab == "network" and net.step == 5000  # a network's "end" is its last epoch
    assert ewa_only.scene is None and ewa_only.ewa == EwaSettings(0.5, False)
    assert ewa_with_scene.scene.surface == "plateau" and ewa_with_scene.ewa is None
    assert Slide().tab == "optimizers" and Slide().views is None


def test_the_app_passes_its_own_views():
    text = '[[slides]]\nscene = "saddle-escape"\nviews = ["map", "explorer"]\n'
    with pytest.raises(SceneError, match=r"unknown view 'explorer' \(allowed: map, cost, lr, inspector, "):
        loads_lesson(text)
    assert loads_lesson(text, allowed_views=("map", "explorer")).slides[0].views == ("map", "explorer")
    assert LESSON_VIEWS == ("map", "cost", "lr", "inspector", "narration", "ewa", "network")


GOOD = """\
title = "t"
[[slides]]
title = "one"
scene = "saddle-escape"
[[slides]]
title = "two"
scene = "momentum-ravine"
speed = 2.0
[[slides]]
title = "three"
scene = "saddle-escape"
"""


def slide(index, extra):
    """GOOD with `extra` lines added to slide `index` (0-based)."""
    parts = GOOD.split("[[slides]]\n")
    parts[index + 1] = parts[index + 1] + extra + "\n"
    return "[[slides]]\n".join(parts)


BAD = [
    (slide(1, "").replace("speed = 2.0", "speed = 20"),
     r"^L: slides\[1\]\.speed: must be a number in \[0.25, 8\] \(got 20\)$"),
    (slide(1, "").replace("speed = 2.0", "speed = 0.1"), r"^L: slides\[1\]\.speed: must be a number in \[0.25, 8\]"),
    (slide(1, "").replace("speed = 2.0", 'speed = "fast"'), r"^L: slides\[1\]\.speed: must be a number .*'fast'"),
    (slide(2, "colour = 1"), r"^L: slides\[2\]\.colour: unknown key \(allowed: title, text, scene, tab, views, "
                             r"step, autoplay, speed, inspect, narrate, ewa\)$"),
    (GOOD + "author = 'me'\n", r"^L: slides\[2\]\.author: unknown key"),  # still inside the last table
    ("author = 'me'\n" + GOOD, r"^L: author: unknown key \(allowed: title, slides\)$"),
    ("title = 3\n[[slides]]\nscene = 'saddle-escape'\n", r"^L: title: must be a string$"),
    (slide(0, "text = 3"), r"^L: slides\[0\]\.text: must be a string \(got 3\)$"),
    ('title = "nothing"\n', r"^L: slides: a lesson needs at least one \[\[slides\]\] table$"),
    ('slides = []\n', r"^L: slides: a lesson needs at least one \[\[slides\]\] table$"),
    ('slides = 3\n', r"^L: slides: must be \[\[slides\]\] tables \(got 3\)$"),
    ("[[slides]\n", r"^L: not valid TOML: "),
    ("\x00\x01", r"^L: not valid TOML: "),
    (slide(0, "").replace('scene = "saddle-escape"\n', "", 1), r"^L: slides\[0\]\.scene: missing \(an example name"),
    (slide(0, "").replace('"saddle-escape"', '"sadle-escape"', 1),
     r"^L: slides\[0\]\.scene: unknown example 'sadle-escape' \(allowed: .*saddle-escape.*\.toml\)$"),
    (slide(0, "").replace('"saddle-escape"', '3', 1), r"^L: slides\[0\]\.scene: must be an example name, .*\(got 3\)$"),
    (slide(0, "").replace('"saddle-escape"', '"nope.toml"', 1),
     r"^L: slides\[0\]\.scene: .*nope\.toml: no such scene file$"),
    (slide(0, "").replace('scene = "saddle-escape"', '[slides.scene]\nsurface = "booth"\nsteps = 0\n'
                                                       '[[slides.scene.optimizers]]\nkind = "gd"', 1),
     r"^L: slides\[0\]\.scene: steps: must be an integer in \[1, 1000000\] \(got 0\)$"),
    (slide(0, "").replace('scene = "saddle-escape"', '[slides.scene]\nsurface = "booth"\n'
                                                       '[[slides.scene.optimizers]]\nkind = "gd"\nlr = -1', 1),
     r"^L: slides\[0\]\.scene: optimizers\[0\]\.lr: must be a number > 0 \(got -1\)$"),
    (slide(0, "").replace('scene = "saddle-escape"', '[slides.scene]\nsurface = "booth"\n'
                                                       '[[slides.scene.optimizers]]\nkind = "gd"\nstart = [1]', 1),
     r"^L: slides\[0\]\.scene: optimizers\[0\]\.start: must be two numbers \[x, y\] \(got 1\)$"),
    (slide(2, 'tab = "maps"'), r"^L: slides\[2\]\.tab: must be one of optimizers, network, ewa \(got 'maps'\)$"),
    (slide(2, 'tab = "network"'), r"^L: slides\[2\]\.tab: \"network\" needs a scene with a \[network\] table"),
    (GOOD.replace('"momentum-ravine"', '"course-adam"') .replace("speed = 2.0", 'tab = "optimizers"'),
     r"^L: slides\[1\]\.tab: \"optimizers\" needs a scene with \[\[optimizers\]\] tables; .*\(allowed here: network, ewa\)$"),
    (slide(1, 'views = ["map", "cost", "map"]'), r"^L: slides\[1\]\.views: 'map' is named twice$"),
    (slide(1, 'views = []'), r"^L: slides\[1\]\.views: name at least one view \(allowed: map, "),
    (slide(1, 'views = "map"'), r"^L: slides\[1\]\.views: must be a list of view names \(allowed: .*; got 'map'\)$"),
    (slide(1, 'views = ["map", 3]'), r"^L: slides\[1\]\.views: unknown view 3 \(allowed: "),
    (slide(1, 'step = -1'), r"^L: slides\[1\]\.step: must be an integer in \[0, 150\] \(the scene's steps\) or \"end\" \(got -1\)$"),
    (slide(1, 'step = 151'), r"^L: slides\[1\]\.step: must be an integer in \[0, 150\]"),
    (slide(1, 'step = 2.5'), r"^L: slides\[1\]\.step: must be an integer in \[0, 150\]"),
    (slide(1, 'step = "start"'), r"^L: slides\[1\]\.step: must be an integer .* or \"end\" \(got 'start'\)$"),
    (slide(1, 'step = true'), r"^L: slides\[1\]\.step: must be an integer .*\(got true\)$"),
    (GOOD.replace('"momentum-ravine"', '"course-adam"') .replace("speed = 2.0", "step = 5001"),
     r"^L: slides\[1\]\.step: must be an integer in \[0, 5000\] \(the network's epochs\)"),
    ('[[slides]]\ntab = "ewa"\nstep = 3\n', r"^L: slides\[0\]\.step: this slide has no scene to step through$"),
    (slide(1, 'autoplay = "yes"'), r"^L: slides\[1\]\.autoplay: must be true or false \(got 'yes'\)$"),
    (slide(1, 'narrate = 1'), r"^L: slides\[1\]\.narrate: must be true or false \(got 1\)$"),
    (slide(1, 'inspect = "Adamm"'),
     r"^L: slides\[1\]\.inspect: no optimizer labelled 'Adamm' in the scene \(allowed: GD, Momentum, RMSprop, Adam\)$"),
    (GOOD.replace('"momentum-ravine"', '"course-adam"') .replace("speed = 2.0", 'inspect = "Adam"'),
     r"^L: slides\[1\]\.inspect: no optimizer labelled 'Adam' in the scene \(the scene has no \[\[optimizers\]\]\)$"),
    (GOOD.replace('"momentum-ravine"', '"course-adam"') .replace("speed = 2.0", "narrate = true"),
     r"^L: slides\[1\]\.narrate: the scene has no enabled \[\[optimizers\]\] to narrate$"),
    ('[[slides]]\ntab = "ewa"\n[slides.ewa]\nbeta = 1.0\n', r"^L: slides\[0\]\.ewa\.beta: must be a number in \[0, 1\) \(got 1.0\)$"),
    ('[[slides]]\ntab = "ewa"\n[slides.ewa]\nbias_correction = "on"\n',
     r"^L: slides\[0\]\.ewa\.bias_correction: must be true or false \(got 'on'\)$"),
    ('[[slides]]\ntab = "ewa"\n[slides.ewa]\nalpha = 0.9\n',
     r"^L: slides\[0\]\.ewa: unknown key 'alpha' \(allowed: beta, bias_correction\)$"),
    ('[[slides]]\ntab = "ewa"\newa = 0.9\n', r"^L: slides\[0\]\.ewa: must be a table \(keys: beta, bias_correction; got 0.9\)$"),
    (slide(2, '[slides.ewa]\nbeta = 0.9'), r"^L: slides\[2\]\.ewa: this slide does not show the EWA view"),
]


@pytest.mark.parametrize("text,message", BAD, ids=range(len(BAD)))
def test_every_mistake_gives_one_line_naming_the_slide_and_key(text, message):
    with pytest.raises(SceneError) as info:
        loads_lesson(text, "L")
    msg = str(info.value)
    assert "\n" not in msg
    assert re.search(message, msg), msg


def test_the_good_lesson_loads():
    lesson = loads_lesson(GOOD, "L")
    assert [s.title for s in lesson.slides] == ["one", "two", "three"]
    assert lesson.slides[1].speed == 2.0
    # the EWA settings are fine where the EWA view is one of the slide's views
    with_ewa = loads_lesson(slide(2, 'views = ["map", "ewa"]\n[slides.ewa]\nbias_correction = true'))
    assert with_ewa.slides[2].ewa == EwaSettings(0.9, True)
    # a disabled optimizer cannot be inspected
    # (keys after [slides.scene] would belong to the scene: inspect goes before it)
    text = GOOD.replace('title = "one"', 'title = "one"\ninspect = "gd"').replace('scene = "saddle-escape"', '[slides.scene]\nsurface = "booth"\n'
                                              '[[slides.scene.optimizers]]\nkind = "gd"\nenabled = false\n'
                                              '[[slides.scene.optimizers]]\nkind = "adam"', 1)
    with pytest.raises(SceneError, match=r"^L: slides\[0\]\.inspect: 'gd' is disabled in the scene \(enabled: adam\)$"):
        loads_lesson(text, "L")


def test_file_errors_name_the_file(tmp_path):
    with pytest.raises(SceneError, match=r"nope.toml: no such lesson file$"):
        load_lesson(tmp_path / "nope.toml")
    with pytest.raises(SceneError, match="is a folder"):
        load_lesson(tmp_path)
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SceneError, match="not a text file"):
        load_lesson(binary)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[slides]]\nscene = "saddle-escape"\n[[slides]]\nscene = "broken.toml"\n')
    (tmp_path / "broken.toml").write_text('surface = "rosenbrock"\nsteps = -3\n[[optimizers]]\nkind = "gd"\n')
    with pytest.raises(SceneError) as info:
        load_lesson(bad)
    assert str(info.value) == (f"{bad}: slides[1].scene: {tmp_path / 'broken.toml'}: steps: must be an "
                               "integer in [1, 1000000] (got -3)")
    (tmp_path / "broken.toml").unlink()
    with pytest.raises(SceneError) as info:
        load_lesson(bad)
    assert str(info.value) == f"{bad}: slides[1].scene: {tmp_path / 'broken.toml'}: no such scene file"


def test_unknown_builtin_lesson_names_the_choices():
    with pytest.raises(SceneError, match=r"unknown lesson 'nope' \(allowed: .*optimization"):
        load_builtin_lesson("nope")


def test_the_format_in_the_module_docstring_loads():
    import ravine.core.lesson as module

    example = module.__doc__.split("```toml\n")[1].split("```")[0]
    slide = loads_lesson(example, "doc").slides[0]
    assert slide.scene_ref == "momentum-ravine" and slide.inspect == "Momentum" and slide.narrate
    assert slide.views == ("map", "cost", "ewa") and slide.ewa == EwaSettings(0.9, True)
