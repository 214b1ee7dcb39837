"""Users' output files, written whole or not at all; Ctrl-C and SIGTERM that leave nothing behind.

    out = Output("runs.csv")          # checked now: a folder, a socket... is refused here
    with out.open() as fh:            # a temporary file beside runs.csv
        fh.write(text)
    out.commit()                      # renamed over runs.csv; out.discard() drops it instead

What a path names decides how it is written:

- a regular file, or a name not taken yet: a temporary file in the same folder, renamed over
  it on commit (a failure or an interrupt leaves the old file as it was). An overwritten file
  keeps its mode; a new one gets 0666 less the umask, as `>` in a shell would give it.
- a symbolic link: followed; its target is the file replaced (the link stays a link).
- a FIFO or a character device (/dev/stdout, /dev/null, a terminal): written straight
  through, as a shell redirection would, since it cannot be replaced.
- "-": standard output.
- anything else (a folder, a socket, a block device): refused with one line.

`stop_on_signals()` turns SIGINT and SIGTERM into an `Interrupted` exception (a
KeyboardInterrupt) so that the `finally` blocks that remove temporary files run; code that
must not be interrupted halfway (Qt painting, whose callers swallow exceptions) runs under
`deferred()`, which raises the interrupt when it ends.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from ravine.core.params import quote


class OutputError(OSError):
    """An output that cannot be written; str() is the reason (strerror), one line."""

    def __init__(self, code: int, reason: str):
        super().__init__(code, reason)

    def __str__(self) -> str:
        return self.strerror


def show_path(path) -> str:
    """A path as a message shows it: on one line, its end kept if it is long."""
    return quote(os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else path, 160, marks=False)


def _umask() -> int:
    try:  # Linux says it without changing it (os.umask would, for a moment, for every thread)
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


class Output:
    """One output of a command (see the module's docstring). Made: the path is checked (a
    refused kind of file, a missing folder: OutputError). `prepare()` makes the temporary
    file at once, so that an unwritable folder is said before any work."""

    def __init__(self, path, suffix: str = ".tmp"):
        self.given = path
        self.suffix = suffix
        self.temp: Path | None = None
        self._fh = None
        self._finished = False
        self.uid = self.gid = None
        text = os.fspath(path) if isinstance(path, os.PathLike) else path
        if not isinstance(text, str) or not text:
            raise OutputError(errno.EINVAL, "not a file name")
        if "\0" in text:
            raise OutputError(errno.EINVAL, "not a valid file name (it holds a NUL character)")
        if text == "-":
            self.kind, self.target, self.mode = "stdout", None, None
            return
        try:
            info = os.stat(text)  # (follows symlinks)
        except FileNotFoundError:
            self.target = Path(os.path.realpath(text))  # a new file (or a dangling symlink's target)
            if not self.target.parent.is_dir():
                raise OutputError(errno.ENOENT, f"cannot write (no folder {show_path(self.target.parent)})") from None
            self.kind, self.mode = "new", 0o666 & ~_umask()
            return
        except OSError as exc:
            raise OutputError(exc.errno or errno.EIO, f"cannot write ({exc.strerror or exc})") from None
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(errno.EISDIR, "is a folder")
        if stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode) or (
                stat.S_ISREG(info.st_mode) and _descriptor(text)):
            # a pipe, a terminal, /dev/null; or what /dev/stdout holds (even a file: `>> log`)
            self.kind, self.target, self.mode = "stream", Path(text), None
        elif stat.S_ISREG(info.st_mode):
            self.kind, self.target, self.mode = "file", Path(os.path.realpath(text)), stat.S_IMODE(info.st_mode)
            self.uid, self.gid = info.st_uid, info.st_gid
        else:
            raise OutputError(errno.EINVAL, "is not a regular file, a pipe or a character device "
                                            "(a socket or a block device): refusing to write there")

    @property
    def streams(self) -> bool:
        """Written straight through (standard output, a pipe, a device), not replaced."""
        return self.kind in ("stdout", "stream")

    def same_as(self, other: "Output") -> bool:
        """Both name one file that would be replaced, or both are standard output (other
        streams, such as /dev/null, may be shared)."""
        if self.kind == "stdout" or other.kind == "stdout":
            return self.kind == other.kind
        if self.streams or other.streams:
            return False
        return _same(self.target, other.target)

    def prepare(self) -> "Output":
        """Make the temporary file beside the target now (a file that will be replaced), so
        that a folder where it cannot be made is said before any work. OSError if it cannot."""
        if self.temp is None and self.kind in ("file", "new"):
            self.temp = self._make_temp(self.target.parent)
        return self

    def _make_temp(self, folder: Path) -> Path:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{self.target.name}.", suffix=self.suffix)
        os.close(fd)
        return Path(name)

    def path(self) -> Path:
        """A temporary file's path, for writers that want a path (a render): beside the
        target, or in the temporary folder for a stream, copied through on commit."""
        if self.kind == "stdout":
            raise OutputError(errno.EINVAL, "cannot write this to standard output")
        if self.temp is None:
            self.temp = self._make_temp(self.target.parent if not self.streams else Path(tempfile.gettempdir()))
        return self.temp

    def open(self):
        """A text file to write into (UTF-8, "\\n" lines): the temporary file, the stream
        itself, or standard output. Closed by commit() or discard(), not by the caller."""
        if self.kind == "stdout":
            self._fh = _Unclosed(sys.stdout)
        elif self.kind == "stream":
            self._fh = io.TextIOWrapper(_open_stream(self.target), encoding="utf-8", newline="")
        else:
            self.prepare()
            self._fh = open(self.temp, "w", encoding="utf-8", newline="")
        return self._fh

    def finish(self) -> None:
        """Everything but the rename: close, flush to the disk (a full disk may only say so
        here) and set the mode. OSError if that fails (then the temporary file is removed)."""
        try:
            if self._fh is not None:
                fh, self._fh = self._fh, None
                fh.flush()
                fh.close()
            if self.temp is None or self.streams or self._finished:
                return
            fd = os.open(self.temp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(self.temp, self.mode)
            if self.uid is not None and (self.uid, self.gid) != (os.geteuid(), os.getegid()):
                try:  # (root replacing a user's file gives it back to the user)
                    os.chown(self.temp, self.uid, self.gid)
                except OSError:
                    pass
            self._finished = True
        except BaseException:
            self.discard()
            raise

    def commit(self) -> None:
        """The output is complete: finish() it and put it in place: renamed over the target,
        or copied into the stream. OSError if that fails (the temporary file is then removed
        and an old file is left as it was)."""
        self.finish()
        try:
            if self.temp is None:
                return
            if self.streams:
                with open(self.temp, "rb") as src, _open_stream(self.target) as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                self.discard()
                return
            with deferred():  # no interrupt between the check and the rename
                check_interrupt()
                os.replace(self.temp, self.target)
                self.temp = None
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Drop what was written (the target is left as it was). Never raises OSError."""
        fh, self._fh = self._fh, None
        if fh is not None:
            try:
                fh.close()
            except OSError:
                pass
        if self.temp is not None:
            try:
                self.temp.unlink()
            except OSError:
                pass
            self.temp = None


class _Unclosed:
    """Standard output for Output.open(): closing it only flushes it."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, text: str) -> int:
        return self._fh.write(text)

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.flush()

    def fileno(self) -> int:
        return self._fh.fileno()


def _descriptor(text: str) -> bool:
    """Whether the path reaches a file through a file descriptor (/dev/stdout, /dev/fd/N,
    /proc/self/fd/N): that file is written through, never replaced."""
    path = os.path.abspath(text)
    for _ in range(40):
        if path.startswith(("/proc/", "/dev/fd/")) or path in ("/dev/stdout", "/dev/stderr"):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
    return False


def _open_stream(target: Path):
    """A pipe, a device or a descriptor's file, opened to write through (appending, never
    created: what was checked is what is written)."""
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
    return os.fdopen(fd, "wb")


def _same(a, b) -> bool:
    try:
        return os.path.samefile(a, b)  # (also two names of one file: hard links)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_distinct(outputs: list[tuple[str, Output]], inputs: list[tuple[str, object]]) -> None:
    """Refuse an output that would replace one of the inputs (scene file, dataset...) or
    another output: OutputError naming both. outputs: (option, Output); inputs: (what, path),
    a path of None skipped."""
    for k, (option, out) in enumerate(outputs):
        for what, path in inputs:
            if out.kind != "stdout" and path is not None and os.path.exists(path) and _same(out.target, path):
                raise OutputError(errno.EEXIST, f"{option} {show_path(out.given)}: is {what} "
                                                f"({show_path(path)}); writing it would destroy it")
        for other_option, other in outputs[:k]:
            if out.same_as(other):
                raise OutputError(errno.EEXIST, f"{option} {show_path(out.given)}: is also where "
                                                f"{other_option} writes; give each output its own file")


def scene_inputs(scene, path=None) -> list[tuple[str, object]]:
    """The files a command reads for `scene` (loaded from `path`, if from a file): the scene
    file and the network's dataset file, as (what, path) for check_distinct."""
    inputs: list[tuple[str, object]] = []
    if path is not None:
        inputs.append(("the scene file", path))
    network = getattr(scene, "network", None)
    if network is not None:
        from ravine.core.datasets import DATASETS

        key = getattr(DATASETS.get(network.dataset), "file_param", None)
        if key is not None and key in network.data:
            inputs.append(("the scene's dataset", Path(network.base_dir or ".") / network.data[key]))
    return inputs


# ------------------------------------------------------------------------------ interrupts


class Interrupted(KeyboardInterrupt):
    """SIGINT (Ctrl-C) or SIGTERM during a command; exit status 128 + signum."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def __str__(self) -> str:
        return "interrupted" if self.signum == signal.SIGINT else f"stopped by {signal.Signals(self.signum).name}"


class _State:
    active = 0  # stop_on_signals() depth
    defer = 0  # deferred() depth
    pending: int | None = None  # the first signal received
    raised = False  # Interrupted raised already (later signals are ignored while cleaning up)
    count = 0  # signals received: a third one ends the process at once


_state = _State()
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _handler(signum, frame):
    _state.count += 1
    if _state.pending is None:
        _state.pending = signum
    if _state.count >= 3:  # asked three times: stop now, whatever is left behind
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    if _state.defer == 0 and not _state.raised:
        _state.raised = True
        raise Interrupted(signum)


@contextmanager
def stop_on_signals():
    """Within: SIGINT and SIGTERM raise Interrupted (at once in Python code, at the end of a
    `deferred()` block inside one). Only handlers left at Python's defaults are taken over,
    and only in the main thread; the previous handlers come back after."""
    taken = {}
    if threading.current_thread() is threading.main_thread():
        for s in _SIGNALS:
            old = signal.getsignal(s)
            if old in (signal.SIG_DFL, signal.default_int_handler) or old is _handler:
                taken[s] = old
                signal.signal(s, _handler)
    if _state.active == 0:
        _state.pending, _state.raised, _state.count = None, False, 0
    _state.active += 1
    try:
        yield
    finally:
        _state.active -= 1
        for s, old in taken.items():
            signal.signal(s, old)
        if _state.active == 0:
            _state.pending, _state.raised, _state.count = None, False, 0


@contextmanager
def deferred():
    """Code that must not be interrupted halfway: a signal that arrives inside is raised as
    Interrupted when the block ends (or instead of an exception that ends it)."""
    _state.defer += 1
    try:
        yield
    except BaseException as exc:
        _state.defer -= 1
        if _state.defer == 0 and _state.pending is not None and not _state.raised \
                and not isinstance(exc, Interrupted):
            _state.raised = True
            raise Interrupted(_state.pending) from exc
        raise
    _state.defer -= 1
    if _state.defer == 0:
        check_interrupt()


def check_interrupt() -> None:
    """Raise Interrupted now if a signal came while it was deferred."""
    if _state.pending is not None and not _state.raised:
        _state.raised = True
        raise Interrupted(_state.pending)


def interrupted() -> bool:
    """Whether a signal has come (raised or not yet)."""
    return _state.pending is not None
