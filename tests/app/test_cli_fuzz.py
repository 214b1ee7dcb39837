"""A seeded fuzzer for `ravine`'s command line: valid commands mutated (values replaced by
odd ones, options dropped, doubled or added), run in-process. Whatever the arguments: exit
status 0 or 2, a failure is one line on stderr (never a traceback), no temporary file is
left in the output folder, and the inputs are as they were. Bounded to a few seconds."""

import os
import random
import time

import pytest

from ravine.app.cli import main

SCENE = 'title = "fuzz"\nsurface = "booth"\nsteps = 30\n[[optimizers]]\nkind = "gd"\nlr = 0.01\n' \
        '[[optimizers]]\nkind = "adam"\nlabel = "A\\u001b[31m\\nB"\nlr = 0.1\n'
NET = '[network]\ndataset = "xor"\nlayers = [2, 3, 1]\nepochs = 4\nbatch_size = 8\n[network.data]\nn = 40\n' \
      '[[network.configs]]\nkind = "gd"\nlr = 0.1\n'
LESSON = 'title = "l"\n[[slides]]\ntitle = "one"\nscene = "momentum-ravine"\n'

ODD = ["", "-", "--", "nan", "inf", "-inf", "-1", "0", "1e308", "1e-9", "99999999999999999999", "3.5",
       "a\nb", "\x1b[31mred", "x" * 3000, "\u202e", "/dev/null", "/dev/full", "/dev/zero", "{d}", "{d}/",
       "{d}/missing/o.csv", "{d}/s.toml", "{d}/link.toml", "{d}/fifo.toml", "{d}/o.png", "{d}/o.gif",
       "{d}/o.mp4", "{d}/o.csv", "{d}/o.json", "momentum-ravine", "no-such-example", "map,cost", "network",
       "dark", "48x48", "0x0", "99999x99999", "17x16", "2", "1", "0.5", "50"]
OPTIONS = ["--csv", "--weights", "-o", "--size", "--fps", "--frames", "--seconds", "--step", "--views", "--theme",
           "--format", "--example", "--lesson", "--quiet", "--bogus", "--present"]
BASES = [
    ["list"],
    ["run", "{d}/s.toml"],
    ["run", "{d}/s.toml", "--csv", "{d}/o.csv"],
    ["run", "momentum-ravine", "--csv", "-"],
    ["train", "{d}/net.toml", "--csv", "{d}/o.csv", "--weights", "{d}/o.json"],
    ["render", "{d}/s.toml", "-o", "{d}/o.png", "--size", "48x48", "--quiet"],
    ["render", "{d}/s.toml", "-o", "{d}/o.gif", "--size", "48x48", "--frames", "2", "--quiet"],
    ["render", "--example", "momentum-ravine", "-o", "{d}/o.mp4", "--size", "48x48", "--frames", "2", "--quiet"],
    ["render", "--lesson", "{d}/lesson.toml", "-o", "{d}/slides", "--size", "48x48", "--quiet"],
]


def mutate(rng: random.Random, argv: list[str]) -> list[str]:
    argv = list(argv)
    for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
        what = rng.random()
        k = rng.randrange(len(argv))
        if what < 0.5 and len(argv) > 1:
            argv[max(1, k)] = rng.choice(ODD)  # a value (or an option) replaced
        elif what < 0.65 and len(argv) > 1:
            del argv[max(1, k)]
        elif what < 0.85:
            argv[k + 1:k + 1] = [rng.choice(OPTIONS), rng.choice(ODD)]
        else:
            argv.insert(k + 1, argv[k])  # doubled
    return argv


def bounded(argv: list[str]) -> list[str]:
    """Keep a render small, whatever the mutation did (the point is the checks, not the work)."""
    if argv and argv[0] == "render":
        argv += ["--size", "48x48"] if "--size" not in argv else []
        if "--frames" not in argv and "--seconds" not in argv:
            argv += ["--frames", "2"]
        for option, most in (("--frames", 3), ("--seconds", 0.2)):
            for i, a in enumerate(argv[:-1]):
                if a == option:
                    try:
                        if float(argv[i + 1]) > most:
                            argv[i + 1] = str(most)
                    except ValueError:
                        pass
        if "--seconds" in argv and "--fps" in argv:
            argv[argv.index("--fps") + 1] = "10"
    return argv


def test_mutated_command_lines_fail_in_one_line_and_leave_nothing(tmp_path, capsys, monkeypatch):
    d = tmp_path / "d"
    d.mkdir()
    monkeypatch.chdir(tmp_path / "d")  # (a mutated value may well be a relative output path)
    inputs = {"s.toml": SCENE, "net.toml": NET, "lesson.toml": LESSON}
    (d / "link.toml").symlink_to("s.toml")
    os.mkfifo(d / "fifo.toml")  # (only ever read: a pipe given as output blocks, as it should)
    rng = random.Random(9)
    seen = {0: 0, 2: 0}
    t0 = time.perf_counter()
    for case in range(100):
        if time.perf_counter() - t0 > 20:
            break
        argv = bounded([a.format(d=d) for a in mutate(rng, rng.choice(BASES))])
        if any(argv[i] in ("--csv", "--weights", "-o") and argv[i + 1].endswith("fifo.toml")
               for i in range(len(argv) - 1)):
            continue  # (writing into a pipe waits for its reader, as it should)
        for name, text in inputs.items():  # (an earlier case may have written over them: allowed)
            (d / name).write_text(text)
        try:
            code = main(argv)
        except SystemExit as exc:  # (argparse's --help)
            code = exc.code
        out, err = capsys.readouterr()
        assert code in (0, 2), (argv, code, err)
        seen[code] += 1
        assert "Traceback" not in err and "\x1b" not in err, (argv, err)
        folder = argv[0] == "render" and len(argv) > 1 and os.path.isdir(argv[1])
        if code == 2:  # one line (a folder render: one per scene that failed)
            lines = err.splitlines()
            assert lines and all(line.startswith("ravine: ") and len(line) < 1200 for line in lines), (argv, err)
            assert folder or len(lines) == 1, (argv, err)
        left = [n for root, _, names in os.walk(d) for n in names if ".partial" in n or n.endswith(".tmp")]
        assert left == [], (argv, left)
        scene = argv[1] if len(argv) > 1 else ""
        for name, text in inputs.items():  # the command's own input is never written over
            if os.path.basename(scene) in (name, "link.toml" if name == "s.toml" else name):
                assert (d / name).read_text() == text, argv
    assert os.listdir(tmp_path) == ["d"]  # nothing written outside the folder
    assert seen[0] >= 3 and seen[2] >= 10, seen  # both kinds of outcome were exercised
