"""A large file that exists nowhere, for streaming tests: its bytes are made as they are read."""

from __future__ import annotations

import io
from collections.abc import Callable


class GeneratedFile(io.RawIOBase):
    """About ``size`` bytes: ``head`` then ``part(1)``, ``part(2)``, … made as they are read.

    ``consumed`` counts the bytes handed out over every pass; ``seek(0)`` starts again (readers
    that sniff the start of a file and rewind need it)."""

    def __init__(self, size: int, head: bytes, part: Callable[[int], bytes]):
        self.size, self.head, self.part = size, head, part
        self.consumed = 0
        self.seek(0)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        assert (offset, whence) == (0, io.SEEK_SET), "only a rewind to the start is supported"
        self.position, self.made, self.pending = 0, 0, self.head
        return 0

    def tell(self):
        return self.position

    def readinto(self, buffer) -> int:
        parts, have = [self.pending], len(self.pending)
        while have < len(buffer) and self.position + have < self.size:
            self.made += 1
            part = self.part(self.made)
            parts.append(part)
            have += len(part)
        pending = b"".join(parts)
        n = min(len(buffer), len(pending))
        buffer[:n] = pending[:n]
        self.pending = pending[n:]
        self.position += n
        self.consumed += n
        return n
