"""Templates of the generated kernels: valid Python with placeholder names, which
ravine.core.kernels substitutes per surface and optimizer (see each module)."""
