"""SQLite with a queue for writers: Trygg's embedded database backend.

Django's SQLite backend with ``transaction_mode = IMMEDIATE`` already takes the write lock at
BEGIN, and the busy timeout makes a second writer wait instead of failing. But SQLite's busy
handler waits by sleeping in growing steps (up to 100 ms), so under concurrent writes a writer
often sleeps long after the lock is free. Here every write transaction first takes an exclusive
``flock`` on a lock file beside the database: the kernel wakes the next writer the moment the
previous one commits. Readers are not affected (WAL). In-memory databases (tests) skip the lock.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock_fd: int | None = None
    _write_locked: bool = False

    def _lock_file(self) -> int | None:
        if self.is_in_memory_db():
            return None
        if self._write_lock_fd is None:
            path = f"{self.settings_dict['NAME']}.writelock"
            self._write_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._write_lock_fd

    def _acquire_write_lock(self) -> None:
        fd = self._lock_file()
        if fd is not None and not self._write_locked:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._write_locked = True

    def _release_write_lock(self) -> None:
        if self._write_locked and self._write_lock_fd is not None:
            self._write_locked = False
            fcntl.flock(self._write_lock_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
            if self._write_lock_fd is not None:
                os.close(self._write_lock_fd)
                self._write_lock_fd = None
