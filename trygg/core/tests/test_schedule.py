import datetime as dt

import pytest

from trygg.core import schedule
from trygg.core.schedule import Job


@pytest.fixture
def jobs(monkeypatch):
    registry = {}
    monkeypatch.setattr(schedule, "JOBS", registry)
    return registry


def utc(s):
    return dt.datetime.fromisoformat(s)


@pytest.mark.django_db
def test_an_interval_job_runs_once_per_interval(jobs):
    calls = []
    schedule.register(Job("poll", enqueue=lambda: calls.append(1), every=dt.timedelta(minutes=10)))
    assert schedule.run_due(utc("2026-11-16T08:00:00+00:00")) == ["poll"]
    assert schedule.run_due(utc("2026-11-16T08:05:00+00:00")) == []
    assert schedule.run_due(utc("2026-11-16T08:10:00+00:00")) == ["poll"]
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_weekly_job_runs_on_monday_morning_stockholm_time_once(jobs):
    calls = []
    schedule.register(Job("draft", enqueue=lambda: calls.append(1), weekday=0, at=dt.time(6, 0)))
    assert schedule.run_due(utc("2026-11-16T04:59:00+00:00")) == []  # 05:59 local
    assert schedule.run_due(utc("2026-11-16T05:00:00+00:00")) == ["draft"]  # 06:00 local
    assert schedule.run_due(utc("2026-11-16T09:00:00+00:00")) == []
    assert schedule.run_due(utc("2026-11-17T05:00:00+00:00")) == []  # Tuesday
    assert schedule.run_due(utc("2026-11-23T05:00:00+00:00")) == ["draft"]
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_weekly_job_follows_summer_time(jobs):
    schedule.register(Job("draft", enqueue=lambda: None, weekday=0, at=dt.time(6, 0)))
    assert schedule.run_due(utc("2026-06-15T03:59:00+00:00")) == []  # 05:59 CEST
    assert schedule.run_due(utc("2026-06-15T04:00:00+00:00")) == ["draft"]


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others(jobs):
    calls = []

    def boom():
        raise RuntimeError("broken")

    schedule.register(Job("a", enqueue=boom, every=dt.timedelta(minutes=1)))
    schedule.register(Job("b", enqueue=lambda: calls.append(1), every=dt.timedelta(minutes=1)))
    assert schedule.run_due(utc("2026-11-16T08:00:00+00:00")) == ["b"]
