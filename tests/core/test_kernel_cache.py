"""The generated kernels are compiled once and then loaded from numba's cache."""

import json
import subprocess
import sys

PROBE = """
import json
from ravine.core import load_example, simulate
from ravine.core.kernels import kernels
scene = load_example("momentum-ravine")
simulate(scene)
stats = [kernels().run(scene.surface, o.kind, 1).stats for o in scene.optimizers]
print(json.dumps({"hits": sum(sum(s.cache_hits.values()) for s in stats),
                  "misses": sum(sum(s.cache_misses.values()) for s in stats),
                  "path": kernels().module.__file__}))
"""


def probe():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_second_process_loads_the_kernel_from_the_cache():
    probe()  # compiles if needed
    second = probe()
    assert second["misses"] == 0
    assert second["hits"] == 4  # one kernel per optimizer kind in the scene


def test_generated_module_depends_on_the_registered_sources():
    from ravine.core import kernels as k

    text, surfaces, optimizers = k._source()
    for name in surfaces:
        assert f"ravine.landscapes.{name} import value" in text
        for opt in optimizers:
            assert f"def run_{name}__{opt}(" in text
    for name in optimizers:
        assert f"update as update_{name}" in text
    assert "ex = eval_point_nesterov(x0" in text  # nesterov's look-ahead
