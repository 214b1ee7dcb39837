#!/usr/bin/env python3
"""Set up Ravine in ./.venv (once, and again when pyproject.toml changes) and run it.

    python3 dev.py app [SCENE]   open the app (default scene without SCENE)
    python3 dev.py test [ARGS]   run the whole test suite (ARGS go to pytest)
    python3 dev.py bench         run the benchmarks (core, network, renders, explorers, then app) and print the ratios

Needs nothing but Python 3.11+ with venv and network access to PyPI.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(msg: str) -> None:
    print(f"dev.py: {msg}", file=sys.stderr, flush=True)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        say(f"Ravine needs Python 3.11 or newer; this is {sys.version.split()[0]}")
        sys.exit(2)
    if not PYTHON.exists():
        say(f"creating {VENV.relative_to(ROOT)}")
        venv.create(VENV, with_pip=True)
    stamp = VENV / ".ravine-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    say("installing ravine and its dependencies (numpy, numba, PyQt6, pyqtgraph, pytest)")
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-e", f"{ROOT}[test]"], check=True)
    stamp.write_text(want)


def warm_up(env) -> None:
    """Once per change of the code: compile the kernels the default scene and the examples
    need (on all cores), so that the first window does not wait for them."""
    digest = hashlib.sha256()
    for folder in ("core", "landscapes"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(path.read_bytes())
    stamp = VENV / ".ravine-warm"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    say("compiling the optimizers' kernels for the examples (first start only, about half a minute)")
    if subprocess.call([str(PYTHON), "-m", "ravine.app.cli", "warmup", "--examples"], cwd=ROOT, env=env) == 0:
        stamp.write_text(digest.hexdigest())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("app", "test", "bench"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    try:
        ensure_venv()
    except subprocess.CalledProcessError as exc:
        say(f"setting up failed ({exc}); see pip's messages above")
        return 1
    env = dict(os.environ)
    if command == "app":
        warm_up(env)
    if command == "test":
        cmd = [str(PYTHON), "-m", "pytest", *rest]
    elif command == "bench":
        for script in ("run.py", "network.py", "render.py"):
            code = subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / script), *rest], cwd=ROOT, env=env)
            if code:
                return code
        for script in ("explorers.py", "network_tab.py"):  # (their own defaults: the options above are run.py's)
            code = subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / script)], cwd=ROOT, env=env)
            if code:
                return code
        cmd = [str(PYTHON), str(ROOT / "benchmarks" / "app.py")]
    else:
        cmd = [str(PYTHON), "-m", "ravine.app.cli", *rest]
    return subprocess.call(cmd, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
