"""What an optimizer on a surface and a network configuration share, validated in one place:
a kind from the optimizer registry with its hyperparameters (lr among them), a label, a
learning-rate schedule, an optional colour and an on/off switch."""

from __future__ import annotations

import re
from typing import Any

from ravine.core.optimizers import OPTIMIZERS
from ravine.core.params import SceneError, check_params, key_name, show
from ravine.core.schedules import check_schedule

COMMON_KEYS = ("kind", "label", "schedule", "color", "enabled")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def check_optimizer_entry(data: dict[str, Any], where: str, extra_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate one [[optimizers]] or [[network.configs]] table.

    Returns kind, label, params (the kind's hyperparameters with defaults filled in),
    schedule, color and enabled. Keys in `extra_keys` are allowed and left to the caller.
    """
    kind = data.get("kind")
    if kind is None:
        raise SceneError(f"{where}.kind: missing (one of: {', '.join(OPTIMIZERS)})")
    if not isinstance(kind, str) or kind not in OPTIMIZERS:
        raise SceneError(f"{where}.kind: unknown optimizer {show(kind)} (allowed: {', '.join(OPTIMIZERS)})")
    opt = OPTIMIZERS[kind]
    names = [p.name for p in opt.params]
    for key in data:
        if key not in COMMON_KEYS and key not in extra_keys and key not in names:
            allowed = ", ".join([*COMMON_KEYS, *extra_keys, *names])
            raise SceneError(f"{where}.{key_name(key)}: unknown key for {kind} (allowed: {allowed})")
    params = check_params({k: v for k, v in data.items() if k in names}, opt.params, where)
    label = data.get("label", kind)
    if not isinstance(label, str) or not label.strip():
        raise SceneError(f"{where}.label: must be a non-empty string")
    schedule = data.get("schedule", {})
    if not isinstance(schedule, dict):
        raise SceneError(f"{where}.schedule: must be a table with a kind")
    schedule = check_schedule(schedule, f"{where}.schedule")
    color = data.get("color")
    if color is not None and (not isinstance(color, str) or not _COLOR.match(color)):
        raise SceneError(f"{where}.color: must be a colour like \"#1f77b4\" (got {show(color)})")
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise SceneError(f"{where}.enabled: must be true or false")
    return {"kind": kind, "label": label, "params": params, "schedule": schedule, "color": color,
            "enabled": enabled}


def check_unique_labels(labels: list[str], where: str, table: str) -> None:
    """Labels name the legend entries and the rows of the CSV exports: no two alike."""
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if label in seen:
            raise SceneError(f"{where}[{i}].label: {show(label)} is already the label of {where}[{seen[label]}]; "
                             f"give each {table} its own label")
        seen[label] = i
