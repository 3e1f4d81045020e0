"""Peak memory of this process, its own: Linux's VmHWM, which starts afresh when a program is
exec'd. ru_maxrss does not (Linux keeps it across fork and exec), so a scenario started by the
benchmark runner reported the runner's own peak, 888 MB in every article scenario."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best known
