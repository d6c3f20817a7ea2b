"""Run a generator ahead of its consumer: in a forked process where the system has ``fork``,
else on a thread.

The import reads and checks chunk n+1 while chunk n is written. Reading and checking is Python
that holds the interpreter lock, so a thread overlaps only with the moments the database works
without it; a forked process (Linux, macOS) runs on the other core all the time and sends each
chunk back pickled. The producer must not use the database: the forked child inherits the
parent's connection objects and leaves them alone, and it ends with ``os._exit`` so nothing of
the parent's is closed or flushed. Exceptions in the producer are raised in the consumer;
closing the iterator (or an exception in the consumer) stops the producer. The language active
in the consumer is active in the producer too, so messages are translated alike.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

from django.utils import translation

T = TypeVar("T")
_END = "__end__"


class ProducerFailed(RuntimeError):
    """The producer raised an exception that could not be sent back as it was."""


def _feed(source: Iterator, out, stop, language: str | None) -> None:
    if language:
        translation.activate(language)
    try:
        for item in source:
            while True:
                if stop.is_set():
                    return
                try:
                    out.put((True, item), timeout=0.2)
                    break
                except queue.Full:
                    continue
        out.put((True, _END))
    except BaseException as exc:  # handed to the consumer
        try:
            out.put((False, exc))
        except Exception:  # not picklable
            out.put((False, ProducerFailed(f"{exc.__class__.__name__}: {exc}")))


def _child(source: Iterator, out, stop, language: str | None) -> None:
    try:
        _feed(source, out, stop, language)
        out.close()
        out.join_thread()  # everything sent before the child ends
    finally:
        os._exit(0)


class read_ahead(Iterator[T]):
    def __init__(self, source: Iterator[T], depth: int = 2, *, process: bool | None = None):
        language = translation.get_language()
        if process is None:
            process = "fork" in multiprocessing.get_all_start_methods()
        self.process = process
        self._done = False
        if process:
            ctx = multiprocessing.get_context("fork")
            self._queue = ctx.Queue(maxsize=depth)
            self._stop = ctx.Event()
            self._worker = ctx.Process(target=_child, args=(source, self._queue, self._stop, language),
                                       name="trygg-read-ahead", daemon=True)
        else:
            self._queue = queue.Queue(maxsize=depth)
            self._stop = threading.Event()
            self._worker = threading.Thread(target=_feed, args=(source, self._queue, self._stop, language),
                                            name="trygg-read-ahead", daemon=True)
        self._worker.start()

    def __iter__(self):
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        while True:
            try:
                ok, item = self._queue.get(timeout=1.0)
                break
            except queue.Empty:
                if self.process and not self._worker.is_alive():
                    self._done = True
                    raise ProducerFailed("the reading process ended unexpectedly") from None
        if not ok:
            self.close()
            raise item
        if isinstance(item, str) and item == _END:
            self.close()
            raise StopIteration
        return item

    def close(self) -> None:
        if self._done and not self._worker.is_alive():
            return
        self._done = True
        self._stop.set()
        if self.process:
            # Let the child finish its put, then make sure it is gone.
            try:
                while True:
                    self._queue.get_nowait()
            except (queue.Empty, OSError, ValueError):
                pass
            self._worker.join(timeout=5)
            if self._worker.is_alive():
                self._worker.terminate()
                self._worker.join(timeout=5)
            self._queue.close()
        else:
            self._worker.join(timeout=30)
