"""Schedules and EWAs against the formulas, the lecture's table and a series worked by hand."""

import numpy as np
import pytest

from ravine.core import ewa as ewa_mod
from ravine.core.params import SceneError
from ravine.core.schedules import SCHEDULES, check_schedule, lr_per_step
from tests import naive


def test_the_lectures_decay_table():
    # lr0 = 0.2, decay_rate = 1: 0.1, 0.0667, 0.05, 0.04 (the notes misprint 0.67 for epoch 2)
    lrs = SCHEDULES["inverse_time"]([1, 2, 3, 4], 0.2, decay_rate=1.0)
    np.testing.assert_allclose(lrs, [0.1, 0.2 / 3, 0.05, 0.04])
    assert round(float(lrs[1]), 4) == 0.0667


EPOCHS = np.arange(1, 40)
FORMULAS = {
    "constant": ({}, lambda e: 0.3),
    "inverse_time": ({"decay_rate": 0.5}, lambda e: 0.3 / (1 + 0.5 * e)),
    "exponential": ({"rate": 0.95}, lambda e: 0.3 * 0.95**e),
    "inverse_sqrt": ({"k": 2.0}, lambda e: 0.3 * 2.0 / e**0.5),
    "staircase": ({"rate": 0.5, "interval": 10}, lambda e: 0.3 * 0.5 ** (e // 10)),
    "fixed_interval": ({"decay_rate": 1.0, "interval": 7}, lambda e: 0.3 / (1 + 1.0 * (e // 7))),
    "piecewise": ({"boundaries": [5, 20], "values": [1.0, 0.5, 0.1]},
                  lambda e: 0.3 * (1.0 if e < 5 else 0.5 if e < 20 else 0.1)),
}


@pytest.mark.parametrize("name", list(FORMULAS))
def test_schedule_formula(name):
    params, formula = FORMULAS[name]
    got = SCHEDULES[name](EPOCHS, 0.3, **params)
    np.testing.assert_allclose(got, [formula(int(e)) for e in EPOCHS], rtol=1e-14)


def test_every_registered_schedule_is_covered_here():
    assert set(FORMULAS) == set(SCHEDULES)


def test_steps_per_epoch_maps_updates_to_epochs():
    table = check_schedule({"kind": "inverse_time", "decay_rate": 1.0, "steps_per_epoch": 3}, "s")
    lrs = lr_per_step(table, 0.2, 7)
    # updates 1-3 are epoch 1, 4-6 epoch 2, 7 epoch 3
    np.testing.assert_allclose(lrs, [0.1] * 3 + [0.2 / 3] * 3 + [0.05])


def test_schedule_validation():
    with pytest.raises(SceneError, match="unknown schedule 'cosine'.*inverse_time"):
        check_schedule({"kind": "cosine"}, "s")
    with pytest.raises(SceneError, match=r"s.decay_rate: must be a number >= 0"):
        check_schedule({"kind": "inverse_time", "decay_rate": -1}, "s")
    with pytest.raises(SceneError, match="unknown key 'rate'"):
        check_schedule({"kind": "inverse_time", "rate": 0.5}, "s")
    with pytest.raises(SceneError, match="increase strictly"):
        check_schedule({"kind": "piecewise", "boundaries": [5, 5], "values": [1, 1, 1]}, "s")
    with pytest.raises(SceneError, match="one more entry"):
        check_schedule({"kind": "piecewise", "boundaries": [5], "values": [1.0]}, "s")
    with pytest.raises(SceneError, match="steps_per_epoch: must be an integer"):
        check_schedule({"kind": "constant", "steps_per_epoch": 0}, "s")


def test_ewa_by_hand():
    theta = [10.0, 20.0, 30.0]
    # V1 = 0.5*0 + 0.5*10 = 5; V2 = 0.5*5 + 0.5*20 = 12.5; V3 = 0.5*12.5 + 0.5*30 = 21.25
    np.testing.assert_allclose(ewa_mod.ewa(theta, 0.5), [5.0, 12.5, 21.25])
    # corrected: V_t / (1 - 0.5**t) = 5/0.5, 12.5/0.75, 21.25/0.875
    np.testing.assert_allclose(ewa_mod.ewa(theta, 0.5, bias_correction=True),
                               [10.0, 12.5 / 0.75, 21.25 / 0.875])


def test_ewa_matches_the_reference_on_a_year():
    theta = ewa_mod.synthetic_temperatures(365, seed=3)
    for beta in (0.5, 0.9, 0.98):
        for corr in (False, True):
            np.testing.assert_allclose(ewa_mod.ewa(theta, beta, corr), naive.ewa(theta, beta, corr),
                                       rtol=1e-12)


def test_bias_correction_fixes_the_low_start():
    theta = np.full(50, 20.0)
    raw = ewa_mod.ewa(theta, 0.98)
    fixed = ewa_mod.ewa(theta, 0.98, bias_correction=True)
    assert raw[0] == pytest.approx(0.4)  # (1 - 0.98) * 20: far too low
    np.testing.assert_allclose(fixed, 20.0)


def test_effective_window():
    assert ewa_mod.effective_window(0.9) == pytest.approx(10)
    assert ewa_mod.effective_window(0.98) == pytest.approx(50)
    assert ewa_mod.effective_window(0.5) == pytest.approx(2)
    with pytest.raises(ValueError):
        ewa_mod.ewa([1.0], 1.0)
