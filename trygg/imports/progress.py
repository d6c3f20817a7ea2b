"""A small progress bar for the terminal (stderr), drawn only when stderr is a terminal."""

from __future__ import annotations

import sys
import time


class TerminalProgress:
    def __init__(self, stream=None, width: int = 30, every: float = 0.2):
        self.stream = stream or sys.stderr
        self.width = width
        self.every = every
        self.last = 0.0
        self.drawn = False
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) or (hasattr(self.stream, "_out") and self.stream._out.isatty())

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < self.every:
            return
        self.last = now
        if total:
            filled = min(self.width, int(self.width * done / total))
            bar = f"[{'#' * filled}{'.' * (self.width - filled)}] {min(100, 100 * done // total):3d}% {done}/~{total}"
        else:
            bar = f"{done} …"
        self._write(f"\r{bar}")
        self.drawn = True

    def _write(self, text: str) -> None:
        if hasattr(self.stream, "_out"):  # a Django OutputWrapper
            self.stream._out.write(text)
            self.stream._out.flush()
        else:
            self.stream.write(text)
            self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self._write("\n")
            self.drawn = False
