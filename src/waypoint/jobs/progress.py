"""Progress reporting shared by the terminal (a tqdm bar) and the web page (a JobRun row)."""

from __future__ import annotations

import sys
import time
from typing import Any

from tqdm import tqdm


class Progress:
    """Counts work done. Subclasses show it; this base class only keeps the numbers."""

    def __init__(self) -> None:
        self.stage = ""
        self.done = 0
        self.total = 0

    def start(self, stage: str, total: int) -> None:
        self.stage, self.done, self.total = stage, 0, total
        self.show(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self.show()

    def finish(self) -> None:
        self.done = self.total
        self.show(force=True)

    def show(self, force: bool = False) -> None:
        """Hook for subclasses."""


class TerminalProgress(Progress):
    """A tqdm bar per stage, on stderr, only when it is a terminal (or when forced)."""

    def __init__(self, enabled: bool | None = None, stream: Any = None) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.bar: tqdm[Any] | None = None

    def start(self, stage: str, total: int) -> None:
        self.close()
        if self.enabled:
            self.bar = tqdm(total=total, desc=stage, unit="row", file=self.stream, leave=True)
        super().start(stage, total)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)
        super().advance(n)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.update(self.total - self.done)
        super().finish()
        self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class JobProgress(Progress):
    """Writes progress to the JobRun row, at most twice a second, for the page to poll."""

    def __init__(self, job: Any, interval: float = 0.5) -> None:
        super().__init__()
        self.job = job
        self.interval = interval
        self._last = 0.0

    def show(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        type(self.job).objects.filter(pk=self.job.pk).update(
            stage=self.stage[:120], done=self.done, total=self.total
        )
