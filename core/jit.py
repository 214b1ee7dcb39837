"""The one place where Ravine's numba flags are set.

error_model="numpy": a float division by zero gives inf/NaN as in NumPy instead of raising.
That is what the numerics want (divergence is detected from the values), and it removes the
early exits that keep LLVM from vectorising the loops over trajectories. No fastmath: the
results must match the formulas, and NaN checks must keep working. nogil: a window can train
or simulate in a worker thread and stay responsive, and ravine.core.threads runs the serial
kernels side by side on all cores (no `parallel=True`: it compiles 2-4 times slower).
"""

from functools import partial

from ravine.core.cachedir import ensure_numba_cache

ensure_numba_cache()  # before numba is imported: a cache folder it can write to

from numba import cfunc, njit  # noqa: E402

jit = partial(njit, cache=True, error_model="numpy", nogil=True, no_cfunc_wrapper=True)
"""Decorator for scalar and serial kernels. (no_cfunc_wrapper: nothing takes a kernel's C
address, and the wrapper cost 20-40 ms of every first compile.)"""


jit_reduce = partial(njit, cache=True, error_model="numpy", nogil=True, no_cfunc_wrapper=True, fastmath={"reassoc", "nsz"})
"""Decorator for kernels whose sums over examples should vectorise: reassociation lets LLVM
add in SIMD lanes (results differ from left-to-right summation in the last bits, and are the
same run after run). NaN and infinity keep their meaning."""


jit_cfunc = partial(cfunc, cache=True, error_model="numpy")
"""Decorator for a C callback: jit_cfunc(signature)(function), its `address` called from a
kernel (see ravine.core.training_kernel)."""
