"""Where Ravine keeps compiled kernels, and a private place for numba's own cache when the
installed package's folder cannot hold it.

Order: $RAVINE_CACHE_DIR (the user's choice, used as it is), then $XDG_CACHE_HOME/ravine or
~/.cache/ravine, then /tmp/ravine-UID. A folder in /tmp is shared with every local user,
so it is used only if it is ours, not a symlink and not writable by others; otherwise a new
private folder is made (mode 0700), so nobody can plant a kernel there.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
        return True
    except OSError:
        return False


def _private(folder: Path) -> bool:
    """Ours alone: owned by this user, a real folder, not writable by group or others."""
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return True  # will be made by us, with our umask made strict below
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def cache_dir() -> Path:
    """The folder for generated kernels and their compiled code (see the module's doc)."""
    if os.environ.get("RAVINE_CACHE_DIR"):
        folder = Path(os.environ["RAVINE_CACHE_DIR"])
        if _writable(folder):
            return folder
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if base and not base.startswith("~"):
        folder = Path(base) / "ravine"
        if _writable(folder):
            return folder
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    shared = Path(tempfile.gettempdir()) / f"ravine-{uid}"
    if _private(shared):
        try:
            shared.mkdir(mode=0o700, exist_ok=True)
            if _private(shared) and _writable(shared):
                return shared
        except OSError:
            pass
    try:  # someone else's, a symlink, or open to others: a fresh private one
        return Path(tempfile.mkdtemp(prefix=f"ravine-{uid}-"))
    except OSError:
        raise OSError("no writable cache folder for ravine's kernels; set RAVINE_CACHE_DIR") from None


def ensure_numba_cache() -> None:
    """numba caches a package's kernels beside its source, or under the user's home; with
    neither writable (an installed package, HOME=/nonexistent) every command would fail with
    "cannot cache function ...: no locator available". Then point NUMBA_CACHE_DIR at a
    folder of Ravine's cache (before numba is imported)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    package = Path(__file__).resolve().parent.parent
    home = os.path.expanduser("~")
    home_ok = home and not home.startswith("~") and os.access(home, os.W_OK)
    if os.access(package, os.W_OK) or home_ok:
        return
    os.environ["NUMBA_CACHE_DIR"] = str(cache_dir() / "numba")
