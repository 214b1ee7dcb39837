"""The 2-D test surfaces, one module each, discovered into one registry.

Adding a surface means adding one module here that defines `SURFACE = Surface(...)` (with
`@jit` (ravine.core.jit) scalar `value` and `grad`, and its critical points in `critical`) plus
its test: the kernels, the scene validation, the CLI listing and the GUI pick it up from
`SURFACES`; `Surface.critical_points` follows the critical points to other parameter values.
"""

from __future__ import annotations

import importlib
import pkgutil

from ravine.landscapes._surface import CriticalPoint, Surface


def _discover() -> dict[str, Surface]:
    found: dict[str, Surface] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        surface = getattr(module, "SURFACE", None)
        if isinstance(surface, Surface):
            found[surface.name] = surface
    return dict(sorted(found.items()))


SURFACES: dict[str, Surface] = _discover()


def get_surface(name: str) -> Surface:
    """The registered surface called `name` (KeyError names the choices)."""
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        raise KeyError(f"unknown surface {name!r} (allowed: {', '.join(builtin_names())}, or a custom "
                       "surface's name)") from None


def builtin_names() -> list[str]:
    """The surfaces of this package (not the formulas ravine.core.custom registers, which are
    named custom_<hash>)."""
    return [n for n in SURFACES if not n.startswith("custom_")]


__all__ = ["SURFACES", "CriticalPoint", "Surface", "builtin_names", "get_surface"]
