import pytest

from ravine.app.window import MainWindow
from ravine.core import load_example, load_scene


@pytest.fixture
def window(qtbot):
    """The main window on the default example, shown offscreen at a fixed size."""
    win = MainWindow(load_example("momentum-ravine"))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    assert win.model.wait()
    return win


@pytest.fixture
def big_window(window, qtbot):
    """The window at a projector's 1920 x 1080."""
    window.resize(1920, 1080)
    qtbot.wait(30)
    return window


SMALL = """
title = "small"

[network]
dataset = "moons"
layers = [2, 5, 2, 1]
epochs = 400
batch_size = 32
test_fraction = 0.2
seed = 2

[network.data]
n = 200
noise = 0.2

[[network.configs]]
kind = "gd"
label = "GD"
lr = 0.1

[[network.configs]]
kind = "adam"
label = "Adam"
lr = 0.01
"""
"""A small network scene: moons, two configurations, 400 epochs (the Network tab's tests)."""


def make_window(qtbot, scene, path=None, size=(1500, 950)):
    win = MainWindow(scene, path)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def netwin(qtbot, tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    win = make_window(qtbot, load_scene(path), path)
    assert win.network.wait()  # the first frame (epoch 0) is drawn
    yield win
    win.network.model.close()
