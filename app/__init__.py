"""ravine.app: the Qt side (windows, views), headless renders and the `ravine` command.

Importing this package does not import Qt; `from ravine.app import render` (or
`render_lesson`, PNG handouts of a lesson) loads the renderer (ravine.app.rendering) on
first use.
"""


def __getattr__(name):
    if name in ("render", "render_lesson", "iter_frames", "RenderError"):
        from ravine.app import rendering

        return getattr(rendering, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
