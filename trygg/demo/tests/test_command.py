"""``trygg demo``: output, no duplicates without --reset, a deterministic rebuild with --reset."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from trygg.demo import builder

ARGS = ["--years", "0.3", "--scale", "0.2", "--until", "2025-06-30", "--seed", "4"]


def run(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def event_list(collab):
    from trygg.events.models import Event

    return list(Event.objects.filter(collaboration=collab).order_by("occurred_from", "lat", "lon").values_list(
        "category__code", "occurred_from", "occurred_to", "lat", "lon", "organisation__name", "visibility",
        "source", "description"))


@pytest.mark.django_db
def test_the_command_builds_the_demo_and_prints_the_demo_accounts():
    output = run(*ARGS)
    collab = builder.existing_demo()
    assert collab is not None and collab.events.count() > 100
    assert "writing events" in output
    for username, password, *_ in builder.USERS:
        assert username in output and password in output
    assert "Runby (demoområde)" in output


@pytest.mark.django_db
def test_running_it_again_without_reset_says_it_exists_and_adds_nothing():
    run(*ARGS)
    count = builder.existing_demo().events.count()
    output = run(*ARGS)
    assert "already exists" in output
    assert builder.existing_demo().events.count() == count


@pytest.mark.django_db
def test_reset_rebuilds_the_same_data_from_the_same_seed():
    from trygg.accounts.models import Collaboration, User

    run(*ARGS)
    first = event_list(builder.existing_demo())
    run(*ARGS, "--reset")
    assert Collaboration.objects.filter(slug=builder.DEMO_SLUG).count() == 1
    assert User.objects.filter(username="demo-admin").count() == 1
    assert event_list(builder.existing_demo()) == first


@pytest.mark.django_db
def test_it_refuses_to_take_over_a_real_user_with_a_demo_username():
    from django.core.management.base import CommandError

    from trygg.accounts.models import User

    User.objects.create_user(username="demo-admin", password="x" * 12, email="someone@example.org")
    with pytest.raises(CommandError, match="demo-admin"):
        run(*ARGS)
    assert User.objects.get(username="demo-admin").email == "someone@example.org"


@pytest.mark.django_db
def test_it_refuses_to_run_on_a_production_server(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("TRYGG_PRODUCTION", "1")
    with pytest.raises(CommandError, match="TRYGG_PRODUCTION"):
        run(*ARGS)
    assert builder.existing_demo() is None


@pytest.mark.django_db
def test_a_demo_that_ends_before_the_day_asked_for_is_rebuilt_with_a_message():
    from trygg.events.models import Event

    run(*ARGS)  # events up to 2025-06-30
    old = builder.existing_demo()
    output = run(*ARGS[:-4], "--until", "2025-07-10", "--seed", "4")
    assert "end on 2025-06-30, before 2025-07-10: rebuilding the demo" in output
    assert "Reports filed in the demo since it was built are discarded" in output
    assert "already exists" not in output
    new = builder.existing_demo()
    assert new.pk != old.pk
    assert builder.built_until(new) == dt.date(2025, 7, 10)
    last = Event.objects.filter(collaboration=new).latest("occurred_from").occurred_from
    assert last.date() > dt.date(2025, 6, 30)


@pytest.mark.django_db
def test_without_until_a_demo_from_an_earlier_day_is_brought_up_to_today(monkeypatch):
    from trygg.demo import generator

    # "today" is fixed: the command's default end comes from generator.default_end()
    now = dt.datetime(2025, 7, 10, 10, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(generator, "default_end", lambda now_=None: now)
    base = ["--years", "0.3", "--scale", "0.2", "--seed", "4"]
    run(*base, "--until", "2025-07-08")
    assert builder.built_until(builder.existing_demo()) == dt.date(2025, 7, 8)

    output = run(*base)  # what `make run` does days later
    assert "rebuilding the demo" in output and "Built 'Upplands Väsby (demo)'" in output
    assert builder.built_until(builder.existing_demo()) == dt.date(2025, 7, 10)

    output = run(*base)  # the same day again: nothing to do
    assert "already exists" in output and "rebuilding" not in output
