"""Trainer.step runs the kernel in short chunks (issue 9, finding 2): Ctrl-C stops a long
training within a fraction of a second, and the chunks change no result, bit for bit."""

import signal
import time

import numpy as np
import pytest

from ravine.core import training
from ravine.core.training import Trainer, network_from_dict

SPEC = {
    "dataset": "moons", "data": {"n": 120, "noise": 0.2}, "layers": [2, 5, 2, 1], "epochs": 300,
    "batch_size": 16, "test_fraction": 0.25, "seed": 2,
    "configs": [
        {"kind": "gd", "lr": 0.1},
        {"kind": "momentum", "lr": 0.1, "beta": 0.9, "batch_size": 1},
        {"kind": "nesterov", "lr": 0.05, "seed": 9},
        {"kind": "rmsprop", "lr": 0.01, "schedule": {"kind": "inverse_time", "decay_rate": 0.1}},
        {"kind": "adam", "lr": 0.01, "batch_size": 90},
        {"kind": "gd", "label": "blows up", "lr": 0.1,
         "schedule": {"kind": "piecewise", "boundaries": [150], "values": [1.0, 1e8]}},
    ],
}
STATE = ("theta", "state", "power", "updates", "rng", "it_cost", "ep_cost", "train_acc", "test_acc", "snapshots",
         "diverged")


def one_call(spec):
    """The trainer as it was: the kernel called once for every epoch."""
    t = Trainer(spec)
    t._run(spec.epochs)
    return t


@pytest.mark.parametrize("seconds", [0.0, 1e-4, 0.2])
def test_chunks_give_the_results_of_one_call_bit_for_bit(monkeypatch, seconds):
    spec = network_from_dict(SPEC, "network")
    calls = []
    real = Trainer._run
    monkeypatch.setattr(Trainer, "_run", lambda self, n: calls.append(n) or real(self, n))
    monkeypatch.setattr(training, "CHUNK_SECONDS", seconds)
    chunked = Trainer(spec).step()
    monkeypatch.setattr(Trainer, "_run", real)
    whole = one_call(spec)
    assert sum(calls) == spec.epochs and chunked.epoch == whole.epoch == spec.epochs
    if seconds == 0.0:
        assert calls == [1] * spec.epochs  # the smallest chunks there are
    assert chunked.diverged[-1] == 150  # the last configuration diverged on the way
    for name in STATE:
        a, b = getattr(chunked, name), getattr(whole, name)
        for x, y in zip(a, b) if isinstance(a, list) else [(a, b)]:  # state, power: one array each
            np.testing.assert_array_equal(x, y, err_msg=name)
    for a, b in zip(chunked.runs(), whole.runs()):
        assert a.diverged_at == b.diverged_at and a.epochs_done == b.epochs_done


def test_chunks_adapt_to_about_chunk_seconds(monkeypatch):
    spec = network_from_dict(dict(SPEC, epochs=3000), "network")
    now, calls = [0.0], []
    real = Trainer._run

    def run(self, n):  # every epoch "takes" 1/64 s
        calls.append(n)
        real(self, n)
        now[0] += n / 64

    monkeypatch.setattr(training.time, "perf_counter", lambda: now[0])
    monkeypatch.setattr(training, "CHUNK_SECONDS", 0.25)
    monkeypatch.setattr(Trainer, "_run", run)
    t = Trainer(spec).step(1000)
    assert calls[:5] == [1, 4, 16, 16, 16]  # grows at most 4x a chunk, to CHUNK_SECONDS of work
    assert sum(calls) == 1000 and calls[-1] == 1000 - 1 - 4 - 16 * (len(calls) - 3)
    first = len(calls)
    t.step()  # the next call goes on with the chunk size it found, whatever the last one was
    assert calls[first:] == [16] * (2000 // 16)


def test_ctrl_c_stops_a_long_training_within_a_second():
    spec = network_from_dict(dict(SPEC, epochs=1_000_000, layers=[2, 16, 16, 1],
                                  configs=[{"kind": "adam", "lr": 0.001}]), "network")
    Trainer(network_from_dict(dict(SPEC, epochs=2), "network")).step()  # load the kernel first
    trainer = Trainer(spec)  # about a minute of training

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        t0 = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            trainer.step()
        took = time.perf_counter() - t0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert took < 1.5, took
    assert 0 < trainer.epoch < spec.epochs
    # the trainer is consistent as of its last chunk: the runs so far are finite, and go on
    run = trainer.runs()[0]
    assert run.epochs_done == trainer.epoch and np.all(np.isfinite(run.epoch_cost))
    assert trainer.step(5).epoch == run.epochs_done + 5
