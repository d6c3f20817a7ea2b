"""The embedded SQLite backend queues writers on a file lock instead of sleeping in SQLite's busy handler."""

import fcntl
import os
import threading

import pytest

from trygg.core.sqlite.base import DatabaseWrapper


def wrapper(path):
    return DatabaseWrapper({
        "ENGINE": "trygg.core.sqlite", "NAME": str(path), "USER": "", "PASSWORD": "", "HOST": "", "PORT": "",
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 5, "init_command": "PRAGMA journal_mode=WAL;"},
        "TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False, "TEST": {},
    }, alias="locktest")


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    with django_db_blocker.unblock():  # these tests open their own throwaway SQLite files
        yield


def test_a_second_writer_waits_for_the_first_to_commit_and_then_goes_on(tmp_path):
    first = wrapper(tmp_path / "db.sqlite3")
    first.ensure_connection()
    first.cursor().execute("CREATE TABLE t (n INTEGER)")
    order = []
    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")

    def write_second():
        second = wrapper(tmp_path / "db.sqlite3")  # a connection belongs to its thread
        second.ensure_connection()
        second._start_transaction_under_autocommit()
        order.append("second began")
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second._commit()
        second.close()

    thread = threading.Thread(target=write_second)
    thread.start()
    thread.join(0.3)
    assert thread.is_alive() and order == []  # queued on the lock, not failing with "database is locked"
    order.append("first commits")
    first._commit()
    thread.join(5)
    assert order == ["first commits", "second began"]
    assert sorted(r[0] for r in first.cursor().execute("SELECT n FROM t").fetchall()) == [1, 2]
    first.close()


def lock_is_free(path) -> bool:
    fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_the_lock_is_held_during_a_write_transaction_and_freed_by_commit_rollback_and_close(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = wrapper(path)
    db.ensure_connection()
    for end in (db._commit, db._rollback, db.close):
        db.ensure_connection()
        db._start_transaction_under_autocommit()
        assert not lock_is_free(path)
        end()
        assert lock_is_free(path)


@pytest.mark.django_db
def test_the_default_database_uses_the_queued_backend_when_it_is_sqlite():
    from django.db import connections

    if connections["default"].vendor != "sqlite":
        pytest.skip("this run uses " + connections["default"].vendor)
    assert isinstance(connections["default"], DatabaseWrapper)
