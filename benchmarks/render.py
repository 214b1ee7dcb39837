#!/usr/bin/env python3
"""Export speed and memory of `ravine render` (python3 dev.py bench runs it too).

1. Frames per second exported at 1280 x 720 for a 4-optimizer scene (momentum-ravine) to
   MP4 and to GIF, and the frames per second of the drawing alone (render to arrays), the
   baseline that shows what the encoders cost.
2. Memory over a 3,000-frame MP4 render: the process's resident memory sampled every 250
   frames (frames are streamed to ffmpeg, so it should stay flat).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ravine.app.rendering import RenderOptions, iter_frames, render  # noqa: E402
from ravine.core import load_example  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    scene = load_example("momentum-ravine")
    out = Path(tempfile.mkdtemp())
    render(scene, out / "warm.png", size=(1280, 720))  # load kernels, fonts
    n = 150
    t0 = time.perf_counter()
    for _ in iter_frames(scene, RenderOptions(size=(1280, 720), frames=n)):
        pass
    draw = n / (time.perf_counter() - t0)
    print(f"1280x720, {len(scene.optimizers)} optimizers, {n} frames:")
    print(f"  drawing only (frames as arrays)   {draw:6.1f} frames/s")
    for fmt, target in ((".mp4", 30), (".gif", 15)):
        t0 = time.perf_counter()
        path = render(scene, out / f"bench{fmt}", size=(1280, 720), frames=n)
        fps = n / (time.perf_counter() - t0)
        print(f"  to {fmt[1:].upper():4}                        {fps:6.1f} frames/s   (target {target}; "
              f"{path.stat().st_size / 1e6:.1f} MB)")

    long_scene = load_example("rosenbrock-valley")  # 1,000 steps: nearly every frame is new
    samples = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            samples.append(rss_mb())
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    render(long_scene, out / "long.mp4", size=(640, 360), frames=3000, fps=60)
    done.set()
    sampler.join()
    took = time.perf_counter() - t0
    k = max(1, len(samples) // 6)
    print(f"3,000-frame MP4 at 640x360 in {took:.0f} s: resident memory {' '.join(f'{s:.0f}' for s in samples[::k])} MB"
          f" (first {samples[0]:.0f}, last {samples[-1]:.0f}, max {max(samples):.0f})")
    for p in out.iterdir():
        p.unlink()
    out.rmdir()


if __name__ == "__main__":
    sys.exit(main())
