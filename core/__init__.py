"""ravine.core: the numerics. No Qt here (nor in ravine.landscapes).

    from ravine.core import load_scene, simulate
    sim = simulate(load_scene("scene.toml"))
    for traj in sim:
        traj.label, traj.path, traj.loss, traj.lr, traj.diverged_at

The names below are loaded on first use, so that `ravine.landscapes` can import
`ravine.core.params` without pulling in the whole core (and the core can import the
landscapes registry) with no import cycle.
"""

from importlib import import_module

_EXPORTS = {
    "SceneError": "params",
    "OptimizerConfig": "scene",
    "Scene": "scene",
    "dumps_scene": "scene",
    "example_names": "scene",
    "load_example": "scene",
    "load_scene": "scene",
    "loads_scene": "scene",
    "save_scene": "scene",
    "scene_from_dict": "scene",
    "EwaSettings": "lesson",
    "Lesson": "lesson",
    "Slide": "lesson",
    "lesson_from_dict": "lesson",
    "lesson_names": "lesson",
    "load_builtin_lesson": "lesson",
    "load_lesson": "lesson",
    "loads_lesson": "lesson",
    "BatchResult": "simulation",
    "Simulation": "simulation",
    "Trajectory": "simulation",
    "simulate": "simulation",
    "simulate_batch": "simulation",
    "value_grid": "simulation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
