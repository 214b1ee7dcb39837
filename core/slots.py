"""The course's names for an optimizer's state slots.

An optimizer declares its state slots by name (ravine.core.optimizers); the notes call the
first moment v and the second moment S, and much of Ravine (arrows, the inspector, the API's
`traj.v`, `traj.s`) reads those two. `NamedSlots` gives any class with a `state` dict those
two names, zeros where the optimizer has no such slot.
"""

from __future__ import annotations

import numpy as np


def slot(state: dict[str, np.ndarray], name: str, like) -> np.ndarray | None:
    """state[name], or zeros shaped like `like` (None if `like` is None) where it has none."""
    if name in state:
        return state[name]
    return None if like is None else np.zeros_like(like)


class NamedSlots:
    """`v` and `s` of `self.state`, zeros shaped like `self.grad` where there is no such slot
    (a subclass whose gradient has another name overrides `_like`)."""

    state: dict[str, np.ndarray]

    def _like(self):
        return self.grad

    @property
    def v(self) -> np.ndarray | None:
        """The first moment / velocity v."""
        return slot(self.state, "v", self._like())

    @property
    def s(self) -> np.ndarray | None:
        """The second moment (mean square) S."""
        return slot(self.state, "s", self._like())
