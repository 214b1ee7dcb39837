"""The step inspector's numbers: step = -effective_lr * direction, for the course's optimizers
and every other that declares a per-axis factor (the inspector shows one only for those)."""

import math

import numpy as np
import pytest

from ravine.core import loads_scene, simulate
from ravine.core.optimizers import OPTIMIZERS, ORDER
from ravine.core.stepinfo import step_info

SCENE = """
surface = "elongated_bowl"
start = [-1.5, 1.0]
steps = 40
[surface_params]
kappa = 20.0
""" + "".join(f'[[optimizers]]\nkind = "{k}"\nlr = 0.02\n' for k in OPTIMIZERS
             if k in ORDER or OPTIMIZERS[k].effective_lr is not None) + """
[[optimizers]]
kind = "adam"
label = "raw"
lr = 0.02
bias_correction = false
"""


@pytest.mark.parametrize("t", [1, 2, 17, 40])
def test_step_is_effective_lr_times_direction(t):
    scene = loads_scene(SCENE)
    for cfg, traj in zip(scene.optimizers, simulate(scene)):
        info = step_info(traj, cfg.params, t)
        np.testing.assert_allclose(info.step, -info.effective_lr * info.direction, rtol=1e-9,
                                   err_msg=cfg.label)


def test_rmsprop_and_adam_scales_by_hand():
    scene = loads_scene(SCENE)
    sim = simulate(scene)
    by = {c.label: (c, t) for c, t in zip(scene.optimizers, sim)}
    cfg, traj = by["rmsprop"]
    info = step_info(traj, cfg.params, 3)
    s = traj.s[2]
    np.testing.assert_allclose(info.effective_lr, 0.02 / (np.sqrt(s) + 1e-8))
    cfg, traj = by["adam"]
    info = step_info(traj, cfg.params, 3)
    expected = 0.02 / (1 - 0.9**3) / (np.sqrt(traj.s[2] / (1 - 0.999**3)) + 1e-8)
    np.testing.assert_allclose(info.effective_lr, expected)
    assert info.direction_name == "v"
    # across the ravine (y, curvature 20) Adam's per-axis lr is smaller than along it (x)
    assert info.effective_lr[1] < info.effective_lr[0]
    gd_cfg, gd_traj = by["gd"]
    assert math.isclose(step_info(gd_traj, gd_cfg.params, 3).lr, 0.02)


def test_out_of_range_update_is_refused():
    scene = loads_scene(SCENE)
    traj = simulate(scene)[0]
    with pytest.raises(ValueError, match="1..40"):
        step_info(traj, scene.optimizers[0].params, 0)
