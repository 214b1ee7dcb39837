"""`ravine warmup` and the cache folders: kernels compiled ahead, caches that are ours."""

import os
import stat
import subprocess
import sys


from ravine.app.cli import main
from ravine.core import cachedir
from ravine.core.warmup import describe, jobs, run_job


def test_warmup_jobs_cover_every_kernel_the_examples_use():
    from ravine.core.optimizers import OPTIMIZERS
    from ravine.core.scene import example_names, load_example
    from ravine.landscapes import SURFACES

    some = jobs(examples_only=True)
    for name in example_names():
        scene = load_example(name)
        for cfg in scene.optimizers:
            assert ("pair", scene.surface, cfg.kind) in some
    every = jobs()
    assert len([j for j in every if j[0] == "pair"]) == len(SURFACES) * len(OPTIMIZERS)
    assert ("network", *sorted(OPTIMIZERS)) in every and ("misc",) in every
    assert [j for j in some if j[0] == "network"] == [("network", "adam", "gd", "momentum")]  # the course scenes
    assert describe(("pair", "rosenbrock", "adam")) == "rosenbrock x adam"


def test_a_job_compiles_and_says_how_long(capsys):
    job, seconds = run_job(("pair", "booth", "gd"))
    assert job == ("pair", "booth", "gd") and seconds >= 0


def test_warmup_command(capsys):
    assert main(["warmup", "--examples", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "kernel groups ready in" in out
    assert main(["warmup", "--jobs", "0"]) == 2
    assert "--jobs: must be an integer in 1..256 (got 0)" in capsys.readouterr().err


def test_a_shared_tmp_cache_folder_that_is_not_ours_is_not_used(tmp_path, monkeypatch):
    monkeypatch.delenv("RAVINE_CACHE_DIR", raising=False)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a cache home that cannot hold a folder
    monkeypatch.setattr(cachedir.tempfile, "gettempdir", lambda: str(tmp_path))
    uid = os.getuid()
    planted = tmp_path / f"ravine-{uid}"
    planted.mkdir()
    planted.chmod(0o777)  # anyone could plant a kernel here
    chosen = cachedir.cache_dir()
    assert chosen != planted and chosen.parent == tmp_path
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o700
    planted.rmdir()
    target = tmp_path / "elsewhere"
    target.mkdir()
    planted.symlink_to(target)  # a link to somewhere else
    assert cachedir.cache_dir() != planted
    planted.unlink()
    assert cachedir.cache_dir() == planted  # made by us: used
    assert stat.S_IMODE(planted.stat().st_mode) == 0o700


def test_numba_gets_a_cache_folder_when_neither_package_nor_home_is_writable(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("RAVINE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cachedir.os, "access", lambda path, mode: False)
    cachedir.ensure_numba_cache()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "numba")
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/mine")
    cachedir.ensure_numba_cache()
    assert os.environ["NUMBA_CACHE_DIR"] == "/mine"  # the user's choice stands


def test_no_writable_home(tmp_path):
    blocker = tmp_path / "not-a-home"
    blocker.write_text("")  # a HOME that is a file: nothing can be made under it, even as root
    env = {k: v for k, v in os.environ.items() if k not in ("RAVINE_CACHE_DIR", "XDG_CACHE_HOME", "NUMBA_CACHE_DIR")}
    env["HOME"] = str(blocker)
    code = subprocess.run([sys.executable, "-m", "ravine.app.cli", "run", "momentum-ravine"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert code.returncode == 0, code.stderr[-500:]
    assert "no locator" not in code.stderr


# ---- compiling ahead: a first start on empty caches shares the compiles with a helper process
AHEAD = """
import json, sys
import numpy as np
from ravine.core.kernels import kernels
from ravine.core.simulation import simulate_batch
from ravine.core.warmup import CompileAhead

before = [kernels().cached("booth", k) for k in ("adam", "gd")]
ahead = CompileAhead([("pair", "booth", "adam"), ("pair", "booth", "gd")])
while not ahead.ended and ("pair", "booth", "gd") not in ahead.done:  # (wait_for returns at once for a
    ahead.wait_for(("pair", "booth", "gd"))                            # job the helper has not begun)
ahead.close()
simulate_batch("booth", "adam", np.array([[1.0, 2.0]]), 2, record=True)
stats = kernels().run("booth", "adam").stats
bad = CompileAhead([("pair", "no_such_surface", "adam")])  # the helper fails: this process goes on
while not bad.ended:
    bad.wait_for(("pair", "no_such_surface", "adam"))
print(json.dumps({"before": before, "after": [kernels().cached("booth", k) for k in ("adam", "gd")],
                  "hits": sum(stats.cache_hits.values()), "misses": sum(stats.cache_misses.values()),
                  "bad": bad.wait_for(("pair", "no_such_surface", "adam")), "code": bad.proc.wait()}))
"""


def empty_cache_env(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "n").mkdir()
    return dict(os.environ, RAVINE_CACHE_DIR=str(tmp_path / "r"), NUMBA_CACHE_DIR=str(tmp_path / "n"))


def test_a_helper_process_compiles_into_the_caches_and_this_one_loads(tmp_path):
    import json

    done = subprocess.run([sys.executable, "-c", AHEAD], env=empty_cache_env(tmp_path), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-800:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["before"] == [False, False] and out["after"] == [True, True]
    assert (out["hits"], out["misses"]) == (1, 0)  # compiled by the helper, loaded here
    assert out["bad"] is False and out["code"] != 0


FIRST_START = """
import json
from ravine.app.model import compute
from ravine.core import loads_scene
from ravine.core.kernels import kernels
scene = loads_scene('''
surface = "booth"
start = [-3.0, 4.0]
steps = 20
[[optimizers]]
kind = "gd"
lr = 0.05
[[optimizers]]
kind = "momentum"
lr = 0.05
[[optimizers]]
kind = "adam"
lr = 0.3
''')
image, trajs = compute(scene, True, {})
hits = {k: sum(kernels().run("booth", k).stats.cache_hits.values()) for k in ("gd", "momentum", "adam")}
print(json.dumps({"paths": len(trajs), "hits": hits}))
"""


def test_a_first_start_compiles_the_last_paths_in_a_helper(tmp_path):
    """On empty caches the window's worker compiles the first optimizers' kernels and a helper
    process the last ones (it begins with them at once, while the worker draws the surface),
    which the worker then loads from the cache. (Where the two meet depends on the machine.)"""
    import json

    done = subprocess.run([sys.executable, "-c", FIRST_START], env=empty_cache_env(tmp_path), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-800:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["paths"] == 3
    assert out["hits"]["adam"] == 1  # the last: the helper's, begun at once


def test_the_helper_refuses_a_job_it_cannot_do_in_one_line():
    for job, says in (("pair:no_such_surface:adam", "unknown surface 'no_such_surface'"),
                      ("bogus", "unknown job 'bogus'")):
        done = subprocess.run([sys.executable, "-m", "ravine.core.warmup", job], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 2
        assert len(done.stderr.splitlines()) == 1 and says in done.stderr and "Traceback" not in done.stderr
