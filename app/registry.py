"""The registry of views: one entry per view, which the window, lessons, presentation mode,
`ravine render --views` and renders all read.

A view is a widget class in its own module plus one `register(ViewSpec(...))`: its name
(what `--views` and a lesson's `views` say), what it shows (help texts), the tab of the
window it lives on, what of a scene it needs, and `make(ctx)`, which builds it for a render
(offscreen, on the render's own model). Views that share one widget (the cost and lr plots
are one CurvesView) name the same `group`, and `make` receives every name asked for.
Presentation mode needs nothing from a view: it walks every item of every pyqtgraph view
(app/style.py), so a registered view is enlarged with the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ViewSpec:
    name: str
    shows: str
    tab: str  # the window's tab: "optimizers", "network", "ewa" or "explorers"
    needs: str = ""  # "surface" (a scene's [[optimizers]]), "network" (its [network]) or ""
    make: Callable[[Any, tuple[str, ...]], Any] | None = None  # (ctx, names) -> widget, for renders
    group: str = ""  # views built as one widget share a group
    main: bool = False  # a render puts it on the left, the others stacked on the right
    stretch: int = 1


VIEWS: dict[str, ViewSpec] = {}


def register(spec: ViewSpec) -> ViewSpec:
    VIEWS[spec.name] = spec
    return spec


def render_views() -> tuple[str, ...]:
    """The views a render can draw."""
    return tuple(name for name, spec in VIEWS.items() if spec.make is not None)


def build(ctx, names, add_main, add_side) -> None:
    """Make the named views on `ctx` (which has a `model`, and gets each view as an
    attribute: ctx.map, ctx.curves...), one widget per group, in registry order; main views
    go to add_main(widget, stretch), the others to add_side(widget, stretch)."""
    built = set()
    for name, spec in VIEWS.items():
        if name not in names or spec.make is None:
            continue
        group = spec.group or name
        if group in built:
            continue
        built.add(group)
        members = tuple(n for n in VIEWS if n in names and (VIEWS[n].group or n) == group)
        widget = spec.make(ctx, members)
        (add_main if spec.main else add_side)(widget, spec.stretch)


# ------------------------------------------------------------------ the built-in views
def _map(ctx, names):
    from ravine.app.views import MapView

    ctx.map = MapView(ctx.model)
    return ctx.map


def _curves(ctx, names):
    from ravine.app.views import CurvesView

    ctx.curves = CurvesView(ctx.model, plots=names)
    return ctx.curves


def _inspector(ctx, names):
    from ravine.app.views import InspectorView

    if "narration" in names and "inspector" not in names:
        ctx.model.set_view(narrate=True)
    ctx.inspector = InspectorView(ctx.model)
    return ctx.inspector


def _ewa(ctx, names):
    from ravine.app.ewa_view import EwaView

    ctx.ewa = EwaView()
    if ctx.ewa_settings is None:
        ctx.ewa.bias.setChecked(True)
    else:
        ctx.ewa.set_settings(beta=ctx.ewa_settings.beta, bias_correction=ctx.ewa_settings.bias_correction)
    ctx.ewa.set_controls_visible(False)
    return ctx.ewa


def _network(ctx, names):
    from ravine.app.network_widgets import NetworkFigure

    ctx.network = NetworkFigure(ctx.scene.network)  # the Network tab's own widgets
    return ctx.network


register(ViewSpec("map", "the surface's contours with every optimizer's path, minima and saddles",
                  "optimizers", "surface", _map, main=True, stretch=3))
register(ViewSpec("cost", "loss - min against step, log scale", "optimizers", "surface", _curves,
                  group="curves", stretch=3))
register(ViewSpec("lr", "the learning rate each update used, log scale", "optimizers", "surface", _curves,
                  group="curves", stretch=3))
register(ViewSpec("inspector", "the current update's numbers for one optimizer, arrows on the map",
                  "optimizers", "surface", _inspector, group="inspector"))
register(ViewSpec("narration", "the current update in the notes' notation, its parts as arrows",
                  "optimizers", "surface", _inspector, group="inspector"))
register(ViewSpec("ewa", "a year of temperatures and their exponentially weighted averages", "ewa", "", _ewa))
register(ViewSpec("network", "the network's decision boundaries and costs while it trains", "network",
                  "network", _network, stretch=2))


def _explorer(ctx, names):
    """The explorers for a render: computed now on the render's scene (its first optimizer
    for the map and the basins), drawn by the Explorers tab's own views."""
    from ravine.app.explorer_views import BasinsView, MapView, TuneView
    from ravine.app.model import color_of
    from ravine.core.explorers import basins, convergence_map, tune

    name = names[0]
    if name == "convergence":
        view = MapView()
        view.set_result(convergence_map(ctx.scene, 0))
    elif name == "basins":
        view = BasinsView()
        view.set_result(basins(ctx.scene, 0))
    else:
        view = TuneView()
        enabled = [i for i, c in enumerate(ctx.scene.optimizers) if c.enabled]
        view.set_result(tune(ctx.scene), [color_of(ctx.scene, i) for i in enabled])
    setattr(ctx, name, view)
    return view


register(ViewSpec("convergence", "a convergence map: steps to the tolerance over lr and the first optimizer's "
                  "other hyperparameter", "explorers", "surface", _explorer, stretch=3))
register(ViewSpec("basins", "basins of attraction: the minimum the first optimizer ends in from each start",
                  "explorers", "surface", _explorer, stretch=3))
register(ViewSpec("tune", "a fair race: each optimizer's final loss against lr, and its best lr", "explorers",
                  "surface", _explorer, stretch=3))
