"""What ran a benchmark: CPU model, cores, memory, OS, Python and the load when it started.

Each benchmark adds the versions of what it measures to this dict.
"""

from __future__ import annotations

import os
import platform
from typing import Any


def _first(path: str, prefix: str) -> str:
    with open(path) as f:
        for line in f:
            if line.startswith(prefix):
                return line
    return ""


def base_machine() -> dict[str, Any]:
    cpu_line = _first("/proc/cpuinfo", "model name")
    ram_line = _first("/proc/meminfo", "MemTotal")
    return {
        "cpu": cpu_line.split(":", 1)[1].strip() if cpu_line else "unknown",
        "cores": os.cpu_count(),
        "ram_gb": round(int(ram_line.split()[1]) / 1024 / 1024, 1) if ram_line else 0,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
