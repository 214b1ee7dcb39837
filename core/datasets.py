"""Two-class 2-D datasets Ravine makes itself, from a seed: moons, circles, spirals, blobs, xor.

Each generator returns X (n, 2) and y (n,) in {0, 1}, shuffled. `split` makes a seeded
train/test split. Adding a dataset means adding one function with `@dataset` plus its test.

A generator draws from the `rng` it is given, which is one of two kinds (`make_dataset`'s
`random`): "ravine", numpy's default_rng(seed), or "legacy", numpy's RandomState(seed), the
generator of older NumPy code such as the course assignment (whose moons are
scikit-learn's make_moons after np.random.seed(3): `moons` draws exactly as it does, so the
legacy stream gives its points to the bit). Generators use only methods both kinds have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ravine.core.params import Param, SceneError, quote, read_text

N = Param("n", 300, kind="int", lo=4, hi=1_000_000, doc="number of points", scale="log",
          ui_range=(20, 5000))
NOISE = Param("noise", 0.2, lo=0.0, hi=10.0, doc="standard deviation of the noise", ui_range=(0.0, 1.0))


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    params: tuple[Param, ...]
    make: Callable[..., tuple[np.ndarray, np.ndarray]]
    file_param: str | None = None  # a parameter naming a file, relative to the scene's folder


DATASETS: dict[str, Dataset] = {}


def dataset(description: str, params: tuple[Param, ...] = (N, NOISE), file_param: str | None = None):
    def register(fn):
        DATASETS[fn.__name__] = Dataset(fn.__name__, description, params, fn, file_param)
        return fn

    return register


def _finish(rng, X, y):
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order], dtype=np.float64), np.ascontiguousarray(y[order], dtype=np.float64)


@dataset("two interleaving half circles (sklearn's make_moons)")
def moons(rng, n, noise):
    """scikit-learn's make_moons, draw for draw: the outer half circle (n // 2 points, label
    0) then the inner one (label 1), shuffled by one permutation of the points, then Gaussian
    noise added row by row, all from `rng` in that order."""
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    X = np.vstack([np.append(np.cos(t0), 1 - np.cos(t1)), np.append(np.sin(t0), 1 - np.sin(t1) - 0.5)]).T
    y = np.r_[np.zeros(n0), np.ones(n1)]
    order = rng.permutation(n)
    X, y = X[order], y[order]
    X = X + rng.normal(0.0, noise, X.shape)
    return np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)


@dataset("a small circle inside a large one", (N, Param("noise", 0.1, lo=0.0, hi=10.0, ui_range=(0.0, 1.0),
                                                        doc="standard deviation of the noise"),
                                              Param("factor", 0.5, lo=0.0, hi=1.0, lo_open=True, hi_open=True,
                                                    doc="inner radius / outer radius")))
def circles(rng, n, noise, factor):
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    X = np.vstack([np.column_stack([np.cos(t0), np.sin(t0)]),
                   factor * np.column_stack([np.cos(t1), np.sin(t1)])])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    return _finish(rng, X + rng.normal(0, noise, X.shape), y)


@dataset("two interleaved spiral arms", (N, Param("noise", 0.1, lo=0.0, hi=10.0, ui_range=(0.0, 1.0),
                                                  doc="standard deviation of the noise"),
                                        Param("turns", 1.5, lo=0.25, hi=5.0, doc="turns of each arm")))
def spirals(rng, n, noise, turns):
    n0 = n // 2
    n1 = n - n0
    arms = []
    for k, count in ((0, n0), (1, n1)):
        r = np.linspace(0.1, 1.0, count)
        t = r * turns * 2 * np.pi + k * np.pi
        arms.append(np.column_stack([r * np.cos(t), r * np.sin(t)]))
    X = np.vstack(arms)
    y = np.r_[np.zeros(n0), np.ones(n1)]
    return _finish(rng, X + rng.normal(0, noise, X.shape), y)


@dataset("two Gaussian blobs", (N, Param("noise", 1.0, lo=0.0, hi=10.0, ui_range=(0.0, 3.0),
                                         doc="standard deviation of each blob")))
def blobs(rng, n, noise):
    n0 = n // 2
    n1 = n - n0
    X = np.vstack([rng.normal([-1.5, -1.0], noise, (n0, 2)), rng.normal([1.5, 1.0], noise, (n1, 2))])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    return _finish(rng, X, y)


@dataset("exclusive or: opposite quadrants share a class")
def xor(rng, n, noise):
    X = rng.uniform(-1, 1, (n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.float64)
    return _finish(rng, X + rng.normal(0, noise, X.shape), y)


@dataset("your own points: a CSV file of x, y, label rows (two label values; a header line is fine)",
         (Param("path", "points.csv", kind="str", doc="the CSV file, relative to the scene's folder"),),
         file_param="path")
def csv(rng, path):
    """The rows of the file; its errors name the file and a line number, and never quote the
    file's content (a scene shared with others may point at a private file)."""
    import csv as csvmod

    name = quote(path, 160, marks=False)
    if "\x00" in path:
        raise SceneError(f"{name}: not a valid file name (it holds a NUL character)")
    rows, lines = [], []
    try:
        for line_no, row in enumerate(csvmod.reader(read_text(path, "file", "CSV").splitlines()), start=1):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) < 3:
                if line_no == 1 and not rows and not all(_is_number(c) for c in row):
                    continue  # a header line
                raise SceneError(f"{name} line {line_no}: expected three numbers x, y, label "
                                 f"(got {len(row)} field{'s' if len(row) != 1 else ''})")
            values = [_number(c) for c in row[:3]]
            if None in values:
                if line_no == 1 and not rows and not all(_is_number(c) for c in row):
                    continue  # a header line
                column = ("x", "y", "label")[values.index(None)]
                raise SceneError(f"{name} line {line_no}: expected three numbers x, y, label "
                                 f"(the {column} is not a number)")
            if len(rows) >= N.hi:
                raise SceneError(f"{name}: more than {N.hi:,} points (the limit of a dataset)")
            rows.append(values)
            lines.append(line_no)
    except csvmod.Error as exc:  # e.g. a NUL character in the file
        raise SceneError(f"{name}: not a CSV file ({_csv_problem(exc)})") from None
    if not rows:
        raise SceneError(f"{name}: no data rows (expected lines of x, y, label)")
    data = np.array(rows, dtype=np.float64).reshape(-1, 3)
    finite = np.isfinite(data).all(axis=1)
    if not finite.all():
        raise SceneError(f"{name} line {lines[int(np.argmin(finite))]}: every value must be a finite number")
    labels = np.unique(data[:, 2])
    if len(labels) != 2:
        raise SceneError(f"{name}: the label column must hold exactly two values (got {len(labels)} different "
                         "values)")
    if len(data) < 4:
        raise SceneError(f"{name}: needs at least 4 points (got {len(data)})")
    return np.ascontiguousarray(data[:, :2]), (data[:, 2] == labels[1]).astype(np.float64)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _csv_problem(exc: Exception) -> str:
    """The csv module's complaint, without any of the file's text."""
    text = str(exc)
    if "field larger than field limit" in text:
        return "a field longer than 131,072 characters"
    if "NUL" in text:
        return "it holds a NUL character"
    return "a line the csv reader cannot read"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


RANDOM = ("ravine", "legacy")
"""The kinds of random stream: numpy's default_rng(seed), or the legacy RandomState(seed)."""


def generator(random: str, seed: int):
    """The random stream of kind `random` (see RANDOM) seeded with `seed`."""
    if random == "legacy":
        return np.random.RandomState(seed)
    if random == "ravine":
        return np.random.default_rng(seed)
    raise ValueError(f"random: must be one of {', '.join(RANDOM)} (got {random!r})")


def make_dataset(name: str, seed: int = 0, base_dir: str = "", random: str = "ravine", **params):
    """X (n, 2), y (n,) of dataset `name`, drawn from generator(random, seed); a file a
    dataset reads is found relative to base_dir (the scene's folder)."""
    ds = DATASETS[name]
    full = {p.name: p.default for p in ds.params}
    full.update(params)
    if ds.file_param is not None:
        full[ds.file_param] = str(Path(base_dir or ".") / full[ds.file_param])
    return ds.make(generator(random, seed), **full)


def split(X, y, test_fraction: float, seed: int = 0):
    """A seeded train/test split: (X_train, y_train, X_test, y_test). With no test examples
    the training set is the data in the order drawn (a shuffle source indexes into it)."""
    n = len(y)
    n_test = int(round(test_fraction * n))
    if n_test == 0:
        return np.ascontiguousarray(X), np.ascontiguousarray(y), np.empty((0, 2)), np.empty(0)
    order = np.random.default_rng(seed + 7919).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return (np.ascontiguousarray(X[train]), np.ascontiguousarray(y[train]),
            np.ascontiguousarray(X[test]), np.ascontiguousarray(y[test]))
