import os

# Tests never need a display: Qt draws offscreen (set before anything imports Qt).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


import subprocess  # noqa: E402

import pytest  # noqa: E402


def can_mount_tmpfs(folder) -> bool:
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs, for full-disk tests (needs root and mount rights: skipped elsewhere;
    monkeypatched tests cover the same paths everywhere)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not can_mount_tmpfs(disk):
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)
