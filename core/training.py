"""Mini-batch training of the small network, several configurations at once.

A `NetworkSpec` (a scene's [network] table) names a dataset, the layer sizes, lambda, the
number of epochs, the mini-batch size and a list of configurations, each an optimizer of the
core with its hyperparameters and learning-rate schedule (per epoch), and optionally its own
batch size and seed. `Trainer` trains them all in parallel (a thread per configuration, the
training kernel with its optimizer's step, without the GIL; see ravine.core.training_kernel),
a chunk of epochs at a time so that a window can show progress; `train`
runs a spec to the end.

Per epoch e (1-based) a configuration reshuffles the training set (seeded), cuts it into
mini-batches of batch_size (the last one partial) and takes one optimizer step per batch,
with the learning rate schedule(e) (or, with decay_after_epoch, the course loop's timing:
lr for epoch 1, schedule(e - 2) after).

Random draws ([network] random): "ravine" draws the data and the initial weights from
numpy's default_rng(seed) and shuffles with a splitmix64 stream inside the kernel; "legacy"
draws as the course assignment's NumPy code does: the data from RandomState(seed) (moons as
scikit-learn's make_moons), the weights from a fresh RandomState(seed) (randn * sqrt(2 /
n_in)), and epoch e's order from RandomState(shuffle_seed + e).permutation(m). `Trainer`
also takes given data, initial weights and a shuffle source (a function of the epoch), the
same door the legacy draws go through. Recorded: the cost J{t} of every mini-batch, the epoch's
cost (1/m) * sum_t m_t J{t} (with lambda = 0, the course's "summed cross-entropy over the
epoch divided by m"), train and test accuracy after the epoch, and the weights every
`snap_every` epochs for the loss-landscape view. A configuration whose cost stops being
finite, or whose weights leave |w| <= 1e6, stops there: `diverged_at` is the epoch, and
nothing after it is returned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ravine.core.configs import check_optimizer_entry, check_unique_labels
from ravine.core.datasets import DATASETS, RANDOM, make_dataset, split
from ravine.core.kernels import kernels
from ravine.core.network import he_init, layout, seed_state, weight_mask
from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import Param, SceneError, check_params, key_name, show
from ravine.core.schedules import SCHEDULES
from ravine.core.threads import parallel
from ravine.core.training_kernel import Config, Net, Records
from ravine.core.training_kernel import train as train_kernel

MAX_SNAPSHOTS = 1000
"""At most this many snapshots of the weights per configuration (plus the start)..."""
SNAPSHOT_FLOATS = 10_000_000
"""...and at most about this many numbers in them (80 MB): a big network keeps fewer."""

# Limits that keep a network's training within memory and time, checked before anything is
# allocated (README, "Limits"). Layer widths (<= 256), epochs (<= 1,000,000) and dataset sizes
# (<= 1,000,000 points) are bounded by their parameters' declarations.
MAX_HIDDEN_LAYERS = 16
"""Hidden layers; with widths <= 256 a network has at most about 990,000 weights."""
MAX_UPDATES = 10_000_000
"""epochs x mini-batches per epoch, per configuration: the cost of every mini-batch is kept."""
MAX_WORK = 10**12
"""epochs x training examples x weights, per configuration: about 10-20 minutes of one core."""
MEMORY_LIMIT = 2 * 2**30
"""Bytes a training may allocate up front: records, weight snapshots, scratch, data."""
CHUNK_SECONDS = 0.2
"""Trainer.step runs the kernel in chunks of about this long, so Ctrl-C stops it between two."""

NETWORK_PARAMS = (
    Param("layers", [2, 5, 2, 1], kind="ints", lo=1, hi=256, doc="layer sizes, 2 inputs to 1 output"),
    Param("lambda", 0.0, lo=0.0, doc="L2 regularisation strength", ui_range=(0.0, 1.0)),
    Param("epochs", 1000, kind="int", lo=1, hi=1_000_000, doc="passes through the training set",
          scale="log", ui_range=(10, 10000)),
    Param("batch_size", 64, kind="int", lo=1, hi=1_000_000, doc="examples per mini-batch",
          scale="log", ui_range=(1, 1024)),
    Param("test_fraction", 0.2, lo=0.0, hi=0.9, doc="share of the data held out for testing"),
    Param("seed", 1, kind="int", lo=0, hi=2**31 - 1, doc="seed of the data, weights and shuffles"),
    Param("random", "ravine", kind="str", choices=RANDOM,
          doc="how the data, weights and shuffles are drawn: ravine (numpy's default_rng) or legacy "
              "(numpy's RandomState, as the course assignment)"),
    Param("shuffle_seed", 10, kind="int", lo=0, hi=2**31 - 1,
          doc="legacy draws: epoch e's shuffle is RandomState(shuffle_seed + e).permutation(m)"),
    Param("weights", "", kind="str",
          doc="start from these weights: a JSON file as `ravine train --weights` writes it, relative to the "
              "scene's folder (one configuration's for all, or each configuration's by its label)"),
    Param("decay_after_epoch", False, kind="bool",
          doc="the course loop's timing: the rate is recomputed after each epoch from its 0-based number, "
              "so epoch 1 uses lr and epoch e the schedule at e - 2"),
)
DEFAULTS = {p.name: p.default for p in NETWORK_PARAMS}
SEED = next(p for p in NETWORK_PARAMS if p.name == "seed")
_NETWORK_KEYS = ("dataset", "data", "configs", *(p.name for p in NETWORK_PARAMS))


@dataclass
class NetworkConfig:
    """One training configuration: an optimizer with its hyperparameters (params holds lr),
    its schedule, and optionally its own batch size and seed (None: the network's)."""

    kind: str
    label: str
    params: dict[str, Any]
    schedule: dict[str, Any] = field(default_factory=lambda: {"kind": "constant", "steps_per_epoch": 1})
    batch_size: int | None = None
    seed: int | None = None
    color: str | None = None
    enabled: bool = True


@dataclass
class NetworkSpec:
    dataset: str
    data: dict[str, Any]
    layers: list[int]
    lambd: float
    epochs: int
    batch_size: int
    test_fraction: float
    seed: int
    configs: list[NetworkConfig]
    base_dir: str = field(default="", compare=False)  # where a dataset's file is looked for
    random: str = "ravine"  # "ravine" or "legacy" (see the module)
    shuffle_seed: int = 10  # legacy: epoch e's shuffle is RandomState(shuffle_seed + e)
    decay_after_epoch: bool = False  # the course loop's timing of the schedule
    weights: str = ""  # a weights JSON file to start from, relative to base_dir ("": drawn)

    def to_dict(self) -> dict[str, Any]:
        """The [network] table (as save_scene writes it)."""
        out = {"dataset": self.dataset, "layers": list(self.layers), "lambda": self.lambd,
               "epochs": self.epochs, "batch_size": self.batch_size,
               "test_fraction": self.test_fraction, "seed": self.seed, "data": dict(self.data),
               "configs": []}
        for key in ("random", "shuffle_seed", "decay_after_epoch", "weights"):  # written where not the default
            if getattr(self, key) != DEFAULTS[key]:
                out[key] = getattr(self, key)
        for c in self.configs:
            d = {"kind": c.kind, "label": c.label, **c.params}
            if c.batch_size is not None:
                d["batch_size"] = c.batch_size
            if c.seed is not None:
                d["seed"] = c.seed
            if c.color:
                d["color"] = c.color
            if not c.enabled:
                d["enabled"] = False
            d["schedule"] = dict(c.schedule)
            out["configs"].append(d)
        return out


def network_from_dict(data: dict[str, Any], where: str, base_dir: str = "") -> NetworkSpec:
    """Validate a [network] table; fill in defaults. SceneError names the key on failure.
    base_dir: the scene's folder, where a dataset's file (the csv dataset) is found."""
    for key in data:
        if key not in _NETWORK_KEYS:
            raise SceneError(f"{where}.{key_name(key)}: unknown key (allowed: {', '.join(_NETWORK_KEYS)})")
    name = data.get("dataset", "moons")
    if not isinstance(name, str) or name not in DATASETS:
        raise SceneError(f"{where}.dataset: unknown dataset {show(name)} (allowed: {', '.join(DATASETS)})")
    raw_data = data.get("data", {})
    if not isinstance(raw_data, dict):
        raise SceneError(f"{where}.data: must be a table of the dataset's parameters")
    ds_params = check_params(raw_data, DATASETS[name].params, f"{where}.data")
    top = check_params({k: v for k, v in data.items() if k not in ("dataset", "data", "configs")},
                       NETWORK_PARAMS, where)
    layers = top["layers"]
    if len(layers) < 2 or layers[0] != 2 or layers[-1] != 1:
        raise SceneError(f"{where}.layers: must start with 2 (the inputs x, y) and end with 1 "
                         f"(the sigmoid output), e.g. [2, 5, 2, 1] (got {show(layers)})")
    if len(layers) - 2 > MAX_HIDDEN_LAYERS:
        raise SceneError(f"{where}.layers: at most {MAX_HIDDEN_LAYERS} hidden layers (got {len(layers) - 2})")
    try:
        n = len(make_dataset(name, seed=top["seed"], base_dir=base_dir, random=top["random"], **ds_params)[1])
    except SceneError as exc:  # a dataset read from a file
        raise SceneError(f"{where}.data.{DATASETS[name].file_param}: {exc}") from None
    n_train = n - int(round(top["test_fraction"] * n))
    if n_train < 2:
        raise SceneError(f"{where}.test_fraction: leaves {n_train} training examples; at least 2 are needed")
    configs_raw = data.get("configs")
    if not isinstance(configs_raw, list) or not configs_raw or not all(isinstance(c, dict) for c in configs_raw):
        raise SceneError(f"{where}.configs: needs at least one [[network.configs]] table")
    configs = [_config_from_dict(c, f"{where}.configs[{i}]", n_train) for i, c in enumerate(configs_raw)]
    check_unique_labels([c.label for c in configs], f"{where}.configs", "[[network.configs]] table")
    if top["batch_size"] > n_train:
        raise SceneError(f"{where}.batch_size: must be at most the {n_train} training examples "
                         f"(got {top['batch_size']})")
    if top["decay_after_epoch"]:
        for i, c in enumerate(configs):
            if not np.isfinite(lr_table(c, np.array([2]), True)).all():
                raise SceneError(f"{where}.configs[{i}].schedule: {c.schedule['kind']} has no finite rate at epoch 0, "
                                 "which decay_after_epoch gives epoch 2 (another schedule, or decay_after_epoch "
                                 "= false)")
    spec = NetworkSpec(name, ds_params, layers, top["lambda"], top["epochs"], top["batch_size"],
                       top["test_fraction"], top["seed"], configs, base_dir, top["random"], top["shuffle_seed"],
                       top["decay_after_epoch"], top["weights"])
    check_size(spec, n, where)
    if spec.weights:
        try:
            load_weights(spec)
        except SceneError as exc:
            raise SceneError(f"{where}.weights: {exc}") from None
    return spec


def snapshot_every(epochs: int, n_weights: int) -> int:
    """Epochs between two snapshots of the weights: at most MAX_SNAPSHOTS of them, and fewer
    for a network so big that they would hold over SNAPSHOT_FLOATS numbers (at least 10)."""
    count = max(10, min(MAX_SNAPSHOTS, SNAPSHOT_FLOATS // max(1, n_weights)))
    return max(1, -(-int(epochs) // count))


def check_size(spec: NetworkSpec, n_examples: int, where: str = "network", m: int | None = None) -> None:
    """Refuse, before anything is allocated, a training that would not fit the limits above:
    no enabled configuration, too many hidden layers, too many mini-batch updates or too much
    work per configuration, or more than MEMORY_LIMIT bytes up front. One SceneError line
    naming the key, the figure and the limit."""
    layers = list(spec.layers)
    if len(layers) - 2 > MAX_HIDDEN_LAYERS:
        raise SceneError(f"{where}.layers: at most {MAX_HIDDEN_LAYERS} hidden layers (got {len(layers) - 2})")
    enabled = [(i, c) for i, c in enumerate(spec.configs) if c.enabled]
    if not enabled:
        raise SceneError(f"{where}.configs: needs at least one enabled configuration (every one has "
                         "enabled = false)")
    E = int(spec.epochs)
    if m is None:  # the training examples: what the split leaves, unless given
        m = n_examples - int(round(spec.test_fraction * n_examples))
    P = layout(layers)[3]
    batch = [min(c.batch_size or spec.batch_size, m) for _, c in enabled]
    per_epoch = [-(-m // b) for b in batch]
    for (i, c), b, nb in zip(enabled, batch, per_epoch):
        key = f"{where}.configs[{i}].batch_size" if c.batch_size is not None else f"{where}.batch_size"
        if E * nb > MAX_UPDATES:
            raise SceneError(f"{key}: {E:,} epochs x {nb:,} mini-batches of {b:,} is {E * nb:,} updates "
                             f"for {show(c.label)}; at most {MAX_UPDATES:,} (fewer epochs or larger mini-batches)")
    if E * m * P > MAX_WORK:
        raise SceneError(f"{where}.epochs: {E:,} epochs x {m:,} training examples x {P:,} weights is "
                         f"{E * m * P:.3g} per configuration; at most {MAX_WORK:.0e} (fewer epochs, "
                         "examples or weights)")
    C = len(enabled)
    snaps = E // snapshot_every(E, P) + 1
    block = max(64, max(batch))  # the kernel's scratch per configuration: A, Z, D
    parts = {
        "the cost of every mini-batch": C * E * max(per_epoch),
        "the weight snapshots": C * snaps * P,
        f"the scratch for mini-batches of {max(batch):,} examples": C * 3 * len(layers) * max(layers) * block,
        "the per-epoch records": C * 4 * E,
        "the weights, optimizer state and data": C * (6 * P + m) + 6 * n_examples,
    }
    need = 8 * sum(parts.values())
    if need > MEMORY_LIMIT:
        biggest = max(parts, key=parts.get)
        raise SceneError(f"{where}: training would need {need / 2**30:.1f} GiB up front, mostly {biggest}; "
                         f"at most {MEMORY_LIMIT // 2**30} GiB (fewer epochs or configurations, smaller "
                         "layers or mini-batches)")


def _config_from_dict(data: dict[str, Any], where: str, n_train: int) -> NetworkConfig:
    entry = check_optimizer_entry(data, where, extra_keys=("batch_size", "seed"))
    if entry["schedule"]["steps_per_epoch"] != 1:
        raise SceneError(f"{where}.schedule.steps_per_epoch: a network's schedule counts epochs "
                         "themselves; leave steps_per_epoch out")
    bs = data.get("batch_size")
    if bs is not None:
        bs = Param("batch_size", 64, kind="int", lo=1, hi=n_train).check(bs, f"{where}.batch_size")
    seed = data.get("seed")
    if seed is not None:
        seed = SEED.check(seed, f"{where}.seed")
    return NetworkConfig(batch_size=bs, seed=seed, **entry)


@dataclass
class TrainRun:
    """One configuration's training, cut at its last finite epoch.

    epoch_cost, train_accuracy, test_accuracy, lr: (k,) for epochs 1..k; iteration_cost: the
    J{t} of every mini-batch (for Nesterov, J at the look-ahead weights where its gradient is
    taken); theta: the weights after epoch k; snapshots (s, P): theta at epochs
    0, snap_every, 2 snap_every, ...; diverged_at: the epoch whose cost was not finite, or None.
    """

    label: str
    kind: str
    batch_size: int
    epoch_cost: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    lr: np.ndarray
    iteration_cost: np.ndarray
    theta: np.ndarray
    snapshots: np.ndarray
    snap_every: int
    diverged_at: int | None = None
    color: str | None = None

    @property
    def epochs_done(self) -> int:
        return len(self.epoch_cost)


class Trainer:
    """Trains a spec's enabled configurations, a chunk of epochs at a time.

        trainer = Trainer(spec)
        while not trainer.done:
            trainer.step(100)          # 100 more epochs of every configuration, in parallel
            runs = trainer.runs()      # results so far

    Given instead of drawn (each optional; research and course uses need not patch internals):

    data      (X, y): the examples, split by the spec's test_fraction as a dataset is; or
              (X, y, X_test, y_test), used as they are. X (m, 2) finite numbers, y (m,) two
              label values (the larger one is class 1).
    weights   the initial weights theta: (P,) for every configuration, or (C, P), a row per
              enabled configuration (theta's layout: ravine.core.network.layout).
    shuffles  order(epoch, m): the order of the m training examples in epoch `epoch`
              (1-based), a permutation of range(m), shared by every configuration. Legacy draws
              are `legacy_shuffles(spec.shuffle_seed)`.

    A value that does not fit raises SceneError, one line naming it and what is allowed.
    """

    def __init__(self, spec: NetworkSpec, parallel: bool = True, *, data=None, weights=None, shuffles=None):
        self.spec = spec
        self.parallel = parallel
        if data is None:
            X, y = make_dataset(spec.dataset, seed=spec.seed, base_dir=spec.base_dir, random=spec.random, **spec.data)
            parts = split(X, y, spec.test_fraction, spec.seed)
        else:
            X, y, parts = given_data(data, spec)
        self.X_all, self.y_all = X, y
        self.X, self.y, self.X_test, self.y_test = parts
        self.sizes, self.w_off, self.b_off, self.P = layout(spec.layers)
        self.mask = weight_mask(spec.layers)
        check_size(spec, len(y), m=len(self.y))  # (a spec made or changed by hand: refuse before allocating)
        self.configs = [c for c in spec.configs if c.enabled]
        C, E, m = len(self.configs), spec.epochs, len(self.y)
        self.batch_size = np.array([c.batch_size or spec.batch_size for c in self.configs], dtype=np.int64)
        self.batch_size = np.minimum(self.batch_size, m)
        seeds = [spec.seed if c.seed is None else c.seed for c in self.configs]
        if weights is None and spec.weights:
            weights = load_weights(spec)
        if weights is None:
            self.theta = np.array([he_init(spec.layers, s, spec.random) for s in seeds]).reshape(C, self.P)
        else:
            self.theta = given_weights(weights, C, self.P)
        self.rng = np.array([seed_state(s) for s in seeds], dtype=np.uint64)
        if shuffles is None and spec.random == "legacy":
            shuffles = legacy_shuffles(spec.shuffle_seed)
        if shuffles is not None and not callable(shuffles):
            raise SceneError(f"shuffles: must be a function order(epoch, m) giving a permutation of range(m) "
                             f"(got {show(shuffles)})")
        self.shuffles = shuffles
        """The shuffle source order(epoch, m), or None: the kernel's own seeded shuffles."""
        opts = [OPTIMIZERS[c.kind] for c in self.configs]
        self.state = [np.repeat(o.initial_state()[:, None], self.P, axis=1) for o in opts]
        """Each configuration's optimizer state, (slots, P) by its declared slot names."""
        self.power = [np.ones(len(o.powers)) for o in opts]
        self.updates = np.zeros(C, dtype=np.int64)
        """Each configuration's updates (mini-batches) so far."""
        self.hyper = [o.hyper_table({k: v for k, v in c.params.items() if k != "lr"}, 1)[0]
                      for o, c in zip(opts, self.configs)]
        epochs = np.arange(1, E + 1)
        self.lr_table = np.array([lr_table(c, epochs, spec.decay_after_epoch) for c in self.configs]).reshape(C, E)
        self.nb = (m + self.batch_size - 1) // self.batch_size
        self.it_cost = np.full((C, E * int(self.nb.max())), np.nan)
        self.ep_cost = np.full((C, E), np.nan)
        self.train_acc = np.full((C, E), np.nan)
        self.test_acc = np.full((C, E), np.nan)
        self.snap_every = snapshot_every(E, self.P)
        self.snapshots = np.zeros((C, E // self.snap_every + 1, self.P))
        self.snapshots[:, 0] = self.theta
        self.diverged = np.full(C, -1, dtype=np.int64)
        self.epoch = 0
        self._chunk = 1  # epochs per kernel call, adapted to take about CHUNK_SECONDS
        self._net = Net(self.sizes, self.w_off, self.b_off, self.mask, float(spec.lambd),
                        self.X, self.y, self.X_test, self.y_test)
        self._jobs = [(o.name, Config(self.theta[c], self.state[c], self.power[c], self.updates[c:c + 1],
                                      self.rng[c:c + 1], int(self.batch_size[c]), self.lr_table[c], self.hyper[c],
                                      np.array(o.power_index(), dtype=np.int64), np.zeros(1, dtype=np.int64)),
                       Records(self.it_cost[c], self.ep_cost[c], self.train_acc[c], self.test_acc[c],
                               self.snapshots[c], self.snap_every, self.diverged[c:c + 1]))
                      for c, o in enumerate(opts)]

    def state_of(self, c: int) -> dict[str, np.ndarray]:
        """Configuration c's optimizer state by slot name ((P,) each, a view)."""
        return dict(zip(OPTIMIZERS[self.configs[c].kind].state, self.state[c]))

    @property
    def done(self) -> bool:
        return self.epoch >= self.spec.epochs or bool(np.all(self.diverged >= 0))

    def step(self, epochs: int | None = None) -> "Trainer":
        """Train every configuration for `epochs` more epochs (all that remain by default).

        The kernel runs a chunk of epochs at a time, each about CHUNK_SECONDS long, so that a
        KeyboardInterrupt (Ctrl-C) stops a long training between two chunks, within a fraction
        of a second; the trainer is then consistent as of its last chunk. The results are
        the same, bit for bit, as those of one call for all the epochs."""
        n = self.spec.epochs - self.epoch if epochs is None else min(int(epochs), self.spec.epochs - self.epoch)
        while n > 0:
            k = min(self._chunk, n)
            t0 = time.perf_counter()
            self._run(k)
            n -= k
            took = time.perf_counter() - t0
            # about CHUNK_SECONDS at the rate just seen, growing at most 4x from one to the next
            self._chunk = int(min(4 * self._chunk, max(1, k * CHUNK_SECONDS / max(took, 1e-6))))
        return self

    def _run(self, n: int) -> None:
        """Epochs self.epoch .. self.epoch + n - 1 of every configuration: one kernel call each,
        on a thread each (one after another without `parallel`: the same results)."""
        ks = kernels()
        for kind, cfg, _ in self._jobs:
            cfg.step[0] = ks.step(kind)  # each optimizer's step, loaded (or compiled) here
        orders = self._orders(self.epoch, n)

        def piece(lo: int, hi: int) -> None:
            for c in range(lo, hi):
                if self.diverged[c] < 0:
                    train_kernel(self._net, self._jobs[c][1], self._jobs[c][2], self.epoch, n, orders)

        try:
            parallel(piece, len(self._jobs), 1, None if self.parallel else 1)
        finally:
            self.epoch += n

    def _orders(self, e0: int, n: int) -> np.ndarray:
        """(n, m) int64: the order of the examples in epochs e0 + 1 .. e0 + n (1-based) from
        the shuffle source; (0, m) without one (the kernel shuffles)."""
        m = len(self.y)
        if self.shuffles is None:
            return np.empty((0, m), dtype=np.int64)
        if isinstance(self.shuffles, legacy_shuffles):  # permutations by construction, drawn at once
            return self.shuffles.orders(e0, n, m)
        out = np.empty((n, m), dtype=np.int64)
        for k in range(n):
            out[k] = _permutation(self.shuffles, e0 + k + 1, m)
        return out

    def runs(self) -> list[TrainRun]:
        """Every configuration's results so far, cut at its last finite epoch.

        The per-epoch and per-iteration arrays are read-only views into the trainer's
        records, which training only appends to, so taking them is cheap even while a
        worker goes on training; theta is a copy."""
        out = []
        for c, cfg in enumerate(self.configs):
            bad = int(self.diverged[c])
            k = self.epoch if bad < 0 else min(bad - 1, self.epoch)
            its = k * int(self.nb[c])
            snaps = k // self.snap_every + 1
            out.append(TrainRun(
                label=cfg.label, kind=cfg.kind, batch_size=int(self.batch_size[c]),
                epoch_cost=_view(self.ep_cost[c, :k]), train_accuracy=_view(self.train_acc[c, :k]),
                test_accuracy=_view(self.test_acc[c, :k]), lr=_view(self.lr_table[c, :k]),
                iteration_cost=_view(self.it_cost[c, :its]),
                theta=self.theta[c].copy(),
                snapshots=_view(self.snapshots[c, :snaps]), snap_every=self.snap_every,
                diverged_at=None if bad < 0 else bad, color=cfg.color))
        return out


def lr_table(config: NetworkConfig, epochs: np.ndarray, after_epoch: bool = False) -> np.ndarray:
    """The learning rate of each (1-based) epoch in `epochs`: schedule(epoch, lr), or with
    after_epoch the course loop's timing, where the rate is recomputed after each epoch from
    that epoch's 0-based number: epoch 1 uses lr, epoch e >= 2 schedule(e - 2, lr) (so a
    fixed_interval of 1000 first drops at epoch 1002, not 1000)."""
    table = {k: v for k, v in config.schedule.items() if k not in ("kind", "steps_per_epoch")}
    fn, lr = SCHEDULES[config.schedule["kind"]], config.params["lr"]
    epochs = np.asarray(epochs, dtype=np.int64)
    if not after_epoch:
        return fn(epochs, lr, **table)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(epochs <= 1, lr, fn(np.maximum(epochs - 2, 0), lr, **table))


class legacy_shuffles:
    """The course assignment's shuffles: epoch e's order is RandomState(shuffle_seed + e)
    .permutation(m), drawn by NumPy's legacy generator itself, reseeded for each epoch.

    (About 7 us an epoch, 35 ms for the course's 5,000. A compiled copy of MT19937 drew them
    in a few milliseconds but took 0.8 s to compile on a first start: measured, and not worth
    it.)"""

    def __init__(self, shuffle_seed: int):
        self.shuffle_seed = int(shuffle_seed)

    def __call__(self, epoch: int, m: int) -> np.ndarray:
        return self.orders(epoch - 1, 1, m)[0]

    def orders(self, e0: int, n: int, m: int) -> np.ndarray:
        """(n, m): the orders of epochs e0 + 1 .. e0 + n."""
        out = np.empty((n, m), dtype=np.int64)
        rng = np.random.RandomState(0)  # (this call's own: the instance may be shared by threads)
        for k in range(n):
            rng.seed(self.shuffle_seed + e0 + k + 1)  # the same state as RandomState(that seed)
            out[k] = rng.permutation(m)
        return out


def _permutation(shuffles, epoch: int, m: int) -> np.ndarray:
    """shuffles(epoch, m), checked to be a permutation of range(m)."""
    try:
        order = np.asarray(shuffles(epoch, m))
    except SceneError:
        raise
    except Exception as exc:  # the caller's function: its failure, in one line
        raise SceneError(f"shuffles: order({epoch}, {m}) failed: {type(exc).__name__}: {exc}") from None
    if order.shape != (m,) or order.dtype.kind not in "iu" or \
            not (m == 0 or (order.min() >= 0 and order.max() < m and np.bincount(order, minlength=m).max() == 1)):
        raise SceneError(f"shuffles: order({epoch}, {m}) must be a permutation of range({m}) "
                         f"(got {'shape ' + str(order.shape) if order.shape != (m,) else 'something else'})")
    return order


def given_data(data, spec: NetworkSpec):
    """(X, y, (X_train, y_train, X_test, y_test)) from a caller's (X, y) or (X, y, X_test,
    y_test), checked; labels become 0 and 1 (the larger value is 1)."""
    if not isinstance(data, (tuple, list)) or len(data) not in (2, 4):
        raise SceneError("data: must be (X, y) or (X, y, X_test, y_test)")
    arrays = []
    for i, name in enumerate(("X", "y", "X_test", "y_test")[:len(data)]):
        try:
            a = np.array(data[i], dtype=np.float64)
        except (TypeError, ValueError):
            raise SceneError(f"data: {name} must be an array of numbers (got {show(data[i])})") from None
        want = 2 if name.startswith("X") else 1
        if a.ndim != want or (want == 2 and a.shape[1] != 2):
            raise SceneError(f"data: {name} must have shape {'(m, 2)' if want == 2 else '(m,)'} (got {a.shape})")
        if not np.isfinite(a).all():
            raise SceneError(f"data: {name} must hold finite numbers only")
        arrays.append(a)
    for X, y, name in zip(arrays[::2], arrays[1::2], ("y", "y_test")):
        if len(X) != len(y):
            raise SceneError(f"data: {name} has {len(y)} labels for {len(X)} points")
    labels = np.unique(arrays[1])
    if len(labels) != 2:
        raise SceneError(f"data: y must hold exactly two label values (got {len(labels)})")
    if len(arrays) == 4 and not np.isin(arrays[3], labels).all():
        raise SceneError(f"data: y_test must use y's two labels ({labels[0]:g} and {labels[1]:g})")
    ys = [np.ascontiguousarray(a == labels[1], dtype=np.float64) for a in arrays[1::2]]
    X, y = np.ascontiguousarray(arrays[0]), ys[0]
    if len(arrays) == 2:
        parts = split(X, y, spec.test_fraction, spec.seed)
    else:
        parts = (X, y, np.ascontiguousarray(arrays[2]), ys[1])
    if len(parts[1]) < 2:
        raise SceneError(f"data: {len(parts[1])} training examples; at least 2 are needed")
    return X, y, parts


def load_weights(spec: NetworkSpec) -> np.ndarray:
    """(C, P): the enabled configurations' initial weights from spec.weights, a JSON file as
    `weights_json` writes it (found relative to spec.base_dir): its one configuration's for
    all, or each configuration's by label. SceneError, one line, if it does not fit."""
    import json
    from pathlib import Path

    from ravine.core.params import quote, read_text

    path = Path(spec.base_dir or ".") / spec.weights
    name = quote(spec.weights, 160, marks=False)
    try:
        data = json.loads(read_text(path, "weights file", "JSON"))
    except json.JSONDecodeError as exc:
        raise SceneError(f"{name}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("configs"), list) or not data["configs"]:
        raise SceneError(f"{name}: expected the weights file `ravine train --weights` writes "
                         "(a table with layers and configs)")
    if data.get("layers") != list(spec.layers):
        raise SceneError(f"{name}: weights for layers {show(data.get('layers'))}, the network has "
                         f"{show(list(spec.layers))}")
    sizes = layout(spec.layers)[0]
    by_label = {}
    for k, entry in enumerate(data["configs"]):
        try:
            Ws, bs = entry["W"], entry["b"]
            parts = []
            for l in range(1, len(sizes)):
                W = np.array(Ws[l - 1], dtype=np.float64)
                b = np.array(bs[l - 1], dtype=np.float64).reshape(-1)
                if W.shape != (sizes[l], sizes[l - 1]) or b.shape != (sizes[l],):
                    raise ValueError
                parts += [W.ravel(), b]
            theta = np.concatenate(parts)
        except (KeyError, IndexError, TypeError, ValueError):
            raise SceneError(f"{name}: configs[{k}] does not hold W and b of the network's layer sizes") from None
        if not np.isfinite(theta).all():
            raise SceneError(f"{name}: configs[{k}] holds a weight that is not a finite number")
        by_label[entry.get("label", str(k))] = theta
    enabled = [c for c in spec.configs if c.enabled]
    if len(by_label) == 1:
        return np.repeat(next(iter(by_label.values()))[None], len(enabled), axis=0)
    missing = [c.label for c in enabled if c.label not in by_label]
    if missing:
        raise SceneError(f"{name}: no weights for {show(missing[0])} (the file has: {', '.join(map(str, by_label))})")
    return np.array([by_label[c.label] for c in enabled])


def given_weights(weights, configs: int, P: int) -> np.ndarray:
    """(configs, P) initial weights from a caller's (P,) or (configs, P), checked."""
    try:
        w = np.array(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise SceneError(f"weights: must be an array of numbers (got {show(weights)})") from None
    if w.shape == (P,):
        w = np.repeat(w[None], configs, axis=0)
    if w.shape != (configs, P):
        raise SceneError(f"weights: must have shape ({P},) or ({configs}, {P}) for these layers and "
                         f"{configs} enabled configuration{'s' if configs != 1 else ''} (got {w.shape})")
    if not np.isfinite(w).all():
        raise SceneError("weights: must hold finite numbers only")
    return np.ascontiguousarray(w)


def _view(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


def train(spec: NetworkSpec, parallel: bool = True) -> list[TrainRun]:
    """Train every enabled configuration of `spec` to the end; one TrainRun each."""
    return Trainer(spec, parallel).step().runs()


def training_csv(runs: list[TrainRun]) -> str:
    """config,epoch,cost,train_accuracy,test_accuracy,lr: one row per configuration per epoch
    (test_accuracy empty without a test set)."""
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["config", "epoch", "cost", "train_accuracy", "test_accuracy", "lr"])
    for r in runs:
        for e in range(r.epochs_done):
            test = "" if np.isnan(r.test_accuracy[e]) else repr(float(r.test_accuracy[e]))
            w.writerow([r.label, e + 1, repr(float(r.epoch_cost[e])), repr(float(r.train_accuracy[e])),
                        test, repr(float(r.lr[e]))])
    return out.getvalue()


def unflatten(theta: np.ndarray, layers) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """theta as the notes' W^[l] (n_l x n_{l-1}) and b^[l] (n_l x 1), l = 1..L."""
    sizes, w_off, b_off, _ = layout(layers)
    Ws, bs = [], []
    for l in range(1, len(sizes)):
        n_out, n_in = int(sizes[l]), int(sizes[l - 1])
        Ws.append(theta[w_off[l - 1]: w_off[l - 1] + n_out * n_in].reshape(n_out, n_in).copy())
        bs.append(theta[b_off[l - 1]: b_off[l - 1] + n_out].reshape(n_out, 1).copy())
    return Ws, bs


def weights_json(runs: list[TrainRun], spec: NetworkSpec) -> str:
    """Every configuration's trained weights as JSON: W[l] and b[l] per layer, with what is
    needed to use them (layer sizes, activations, the epoch they come from)."""
    import json

    out = {"layers": list(spec.layers), "hidden_activation": "relu", "output_activation": "sigmoid",
           "convention": "a[l] = g(W[l] @ a[l-1] + b[l]), inputs (x, y) as a column a[0]",
           "configs": []}
    for r in runs:
        Ws, bs = unflatten(r.theta, spec.layers)
        out["configs"].append({"label": r.label, "kind": r.kind, "epoch": r.epochs_done,
                               "diverged_at": r.diverged_at,
                               "W": [w.tolist() for w in Ws], "b": [b.ravel().tolist() for b in bs]})
    return json.dumps(out, indent=1) + "\n"
