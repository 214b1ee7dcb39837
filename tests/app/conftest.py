import pytest

from ravine.app.window import MainWindow
from ravine.core import load_example


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
