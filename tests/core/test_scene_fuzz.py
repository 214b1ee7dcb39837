"""A seeded fuzzer over scene text (issue 9): the example scenes (and the built-in lesson),
mutated a few hundred ways (deep nesting, huge numbers, wrong types, unicode, control
characters, deleted and duplicated lines, random character flips), each either loads or is
refused with one short line.

A scene that loads must also save and load back to itself, and compute (a few steps, a few
epochs) without any exception or warning. The cases are the same on every run (fixed seeds);
together they take a few seconds.
"""

import random
import re
import time
import warnings
from importlib import resources

import pytest

from ravine.core import SceneError, dumps_scene, loads_scene, simulate
from ravine.core.training import Trainer

SEED = 20261127
CASES = 50  # per mutation kind
EXAMPLES = sorted((p.name, p.read_text("utf-8")) for p in (resources.files("ravine.core") / "scenes").iterdir()
                  if p.name.endswith(".toml"))
VALUE = re.compile(r"(?m)^(\s*[A-Za-z0-9_\"]+\s*=\s*)(.+)$")  # key = value lines


def values(text):
    return list(VALUE.finditer(text))


def replace_value(rng, text, new):
    found = values(text)
    if not found:
        return text
    m = rng.choice(found)
    return text[:m.start(2)] + new + text[m.end(2):]


def deep(rng, text):
    d = rng.choice([2, 8, 15, 17, 40, 300, 1200])
    inner = rng.choice(["1", "0.5", '"x"', "", "{}"])
    left, right = rng.choice([("[", "]"), ("{a = ", "}")]) if inner != "" else ("[", "]")
    if left == "{a = " and inner == "":
        inner = "1"
    return replace_value(rng, text, left * d + inner + right * d)


HUGE = ["1" + "0" * 309, "-1" + "0" * 309, "1" + "0" * 5000, "1" + "_000" * 1500, "1e309", "-1e400", "9" * 40,
        "0x7fffffffffffffff", "-9223372036854775809", "inf", "-inf", "nan", "-0.0", "1e-400", "4.9e-324",
        "1.7976931348623157e308", "2147483648", "1000001", "0", "-1", "0.9999999999999999"]


def huge(rng, text):
    return replace_value(rng, text, rng.choice(HUGE))


WRONG = ['"fast"', '""', '" "', "true", "false", "[]", "[1, 2]", '["a", 1]', "{}", "{kind = 1}", "[[1]]",
         "1979-05-27T07:32:00Z", "1979-05-27", "07:32:00", '"#zzzzzz"', "[1.0, 2.0, 3.0]", '["adam"]', "3.5"]


def wrong(rng, text):
    return replace_value(rng, text, rng.choice(WRONG))


ODD = ["\u202e", "\u200b", "\U0001f600", "é", "\u0000", "\u001b[31m", "\n", "\r", "\t", "\\", '"', "'", "\ufeff",
       "\ud7ff", "x" * 5000]


def escaped(c):
    return "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\u{ord(ch):04x}" for ch in c)


def unicode(rng, text):
    """Odd characters in strings and in keys, escaped as TOML allows (so the text parses)."""
    odd = escaped(rng.choice(ODD))
    found = values(text)
    if not found:
        return text
    m = rng.choice(found)
    if rng.random() < 0.5:  # in the value, as a string
        return text[:m.start(2)] + f'"{odd}"' + text[m.end(2):]
    key = m.group(1).strip().rstrip("=").strip().strip('"')
    return text[:m.start(1)] + f'"{key}{odd}" = ' + text[m.start(2):]


CONTROL = ["\x00", "\x01", "\x1b", "\x7f", "\r", "\x0b", "\x0c", "\u2028", "\ufeff", "\ud800", "\x85"]


def control(rng, text):
    """Raw control characters anywhere (mostly not TOML at all)."""
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(text) + 1)
        text = text[:i] + rng.choice(CONTROL) + text[i:]
    return text


def lines(rng, text):
    """Delete, duplicate or move whole lines (keys missing, keys twice, tables reordered)."""
    ls = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(ls))
        op = rng.random()
        if op < 0.4:
            del ls[i]
        elif op < 0.8:
            ls.insert(i, ls[i])
        else:
            ls.insert(rng.randrange(len(ls)), ls.pop(i))
        if not ls:
            ls = [""]
    return "\n".join(ls)


def flips(rng, text):
    """Random characters replaced by others: printable ASCII, brackets and quotes mostly."""
    chars = "[]{}=\"'.,#-+_0123456789eE \nabcxyz\\" + "\u00e9\u202e"
    text = list(text)
    for _ in range(rng.randint(1, 8)):
        if text:
            text[rng.randrange(len(text))] = rng.choice(chars)
    return "".join(text)


MUTATIONS = {f.__name__: f for f in (deep, huge, wrong, unicode, control, lines, flips)}


def cases(kind):
    rng = random.Random(f"{SEED}-{kind}")
    for i in range(CASES):
        name, text = EXAMPLES[i % len(EXAMPLES)]
        for _ in range(1 if kind in ("deep", "huge") else rng.randint(1, 2)):
            text = MUTATIONS[kind](rng, text)
        yield f"{name} #{i}", text


def check_one(text, base_dir):
    """None if the text behaves, else what went wrong."""
    try:
        scene = loads_scene(text, "<fuzz>", base_dir)
    except SceneError as exc:
        msg = str(exc)
        if not msg.startswith("<fuzz>") or len(msg) > 300 or not msg.isprintable():
            return f"bad message ({len(msg)} chars): {msg[:400]!r}"
        return None
    except BaseException as exc:  # noqa: BLE001 - that is what the fuzzer looks for
        return f"{type(exc).__name__}: {str(exc)[:300]}"
    try:
        again = loads_scene(dumps_scene(scene), "<again>", base_dir)
        if again != scene:
            return "saving and loading gives another scene"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if scene.optimizers:
                simulate(scene.with_(steps=min(scene.steps, 50)))
            net = scene.network
            if net is not None and net.data.get("n", 300) <= 5000 and max(net.layers) <= 64:  # (quick ones)
                Trainer(net).step(2)
    except BaseException as exc:  # noqa: BLE001
        return f"after loading: {type(exc).__name__}: {str(exc)[:300]}"
    return None


@pytest.mark.parametrize("kind", list(MUTATIONS))
def test_mutated_scenes_load_or_give_one_line(kind, tmp_path):
    t0 = time.perf_counter()
    failures, loaded = [], 0
    for label, text in cases(kind):
        problem = check_one(text, str(tmp_path))
        if problem is not None:
            failures.append(f"{label}: {problem}")
    assert not failures, f"{len(failures)} of {CASES} cases: " + " | ".join(failures[:5])
    assert time.perf_counter() - t0 < 10


LESSON = (resources.files("ravine.core") / "lessons" / "optimization.toml").read_text("utf-8")


@pytest.mark.parametrize("kind", list(MUTATIONS))
def test_mutated_lessons_load_or_give_one_line(kind, tmp_path):
    """The built-in lesson, mutated: its messages may be longer (they list every example)."""
    from ravine.core import loads_lesson

    rng = random.Random(f"{SEED}-lesson-{kind}")
    failures = []
    for i in range(CASES // 2):
        text = MUTATIONS[kind](rng, LESSON)
        try:
            loads_lesson(text, "<fuzz>", str(tmp_path))
        except SceneError as exc:
            msg = str(exc)
            if not msg.startswith("<fuzz>") or len(msg) > 500 or not msg.isprintable():
                failures.append(f"#{i}: bad message ({len(msg)} chars): {msg[:400]!r}")
        except BaseException as exc:  # noqa: BLE001
            failures.append(f"#{i}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not failures, " | ".join(failures[:5])


def test_the_fuzzer_is_seeded():
    assert list(cases("flips")) == list(cases("flips"))
    # and it mutates: most cases differ from the example they started from
    originals = dict(EXAMPLES)
    assert sum(text != originals[label.split(" #")[0]] for label, text in cases("flips")) > CASES * 0.9
