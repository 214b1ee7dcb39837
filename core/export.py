"""Exporting computed runs: the CSV that `ravine run --csv` writes and the app exports."""

from __future__ import annotations

import csv
import io


def trajectories_csv(sim) -> str:
    """optimizer,step,x,y,loss,lr: step 0 is the start (lr empty), step t the position after
    update t and the learning rate that update used. Floats are written in full (repr)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["optimizer", "step", "x", "y", "loss", "lr"])
    for traj in sim:
        for t in range(traj.steps_done + 1):
            lr = repr(float(traj.lr[t - 1])) if t > 0 else ""
            w.writerow([traj.label, t, repr(float(traj.path[t, 0])), repr(float(traj.path[t, 1])),
                        repr(float(traj.loss[t])), lr])
    return out.getvalue()
