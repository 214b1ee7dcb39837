"""Exporting computed runs: the CSV that `ravine run --csv` writes and the app exports."""

from __future__ import annotations

import csv
import io
from itertools import repeat

HEADER = ["optimizer", "step", "x", "y", "loss", "lr"]
BLOCK = 20_000
"""Rows formatted at a time when streaming (a few MB of text)."""


def write_trajectories_csv(sim, fh, block: int = BLOCK, between=None) -> None:
    """The CSV of `trajectories_csv`, written to the text file `fh` block by block: memory
    stays at one block of text however many steps. between(): called after each block (a
    place to stop on an interrupt or report progress)."""
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(HEADER)
    for traj in sim:
        n = traj.steps_done + 1
        w.writerow([traj.label, 0, repr(float(traj.path[0, 0])), repr(float(traj.path[0, 1])),
                    repr(float(traj.loss[0])), ""])
        for a in range(1, n, block):
            b = min(n, a + block)
            # tolist() gives Python floats, which csv writes with repr: the shortest exact text
            w.writerows(zip(repeat(traj.label), range(a, b), traj.path[a:b, 0].tolist(),
                            traj.path[a:b, 1].tolist(), traj.loss[a:b].tolist(), traj.lr[a - 1:b - 1].tolist()))
            if between is not None:
                between()


def trajectories_csv(sim) -> str:
    """optimizer,step,x,y,loss,lr: step 0 is the start (lr empty), step t the position after
    update t and the learning rate that update used. Floats are written in full (repr)."""
    out = io.StringIO()
    write_trajectories_csv(sim, out)
    return out.getvalue()
