"""``trygg demo``: build the demo collaboration "Upplands Väsby (demo)" (see docs/demo.md)."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Build the demo collaboration 'Upplands Väsby (demo)': real boundary, synthetic districts, "
            "partners, demo users and years of synthetic events with a planted structure. Demo only.")

    def add_arguments(self, parser):
        from trygg.demo import generator

        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED,
                            help="Random seed: the same seed (and end date) gives the same data.")
        parser.add_argument("--years", type=float, default=generator.DEFAULT_YEARS,
                            help="How many years of events, ending today (default 3).")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Event volume factor (1 ≈ 12,500 events a year).")
        parser.add_argument("--until", type=dt.date.fromisoformat, default=None,
                            help="Last day of the period (YYYY-MM-DD; default today, up to now).")
        parser.add_argument("--reset", action="store_true",
                            help="Delete the previous demo first. Without it a demo whose events end before "
                                 "the last day asked for (today by default) is rebuilt too; one that is "
                                 "up to date is left as it is.")
        parser.add_argument("--allow-production", action="store_true",
                            help="Build the demo even though TRYGG_PRODUCTION is on (it creates users with "
                                 "public passwords).")

    def handle(self, *args, seed, years, scale, until, reset, allow_production=False, **options):
        from trygg.demo import builder, generator
        from trygg.settings import env_bool

        if env_bool("TRYGG_PRODUCTION", False) and not allow_production:
            raise CommandError("TRYGG_PRODUCTION is on: the demo creates users with public passwords. "
                               "Use a separate demo installation (or --allow-production if you are sure).")
        if years <= 0 or scale <= 0:
            raise CommandError("--years and --scale must be positive.")
        end = None
        if until is not None:
            end = dt.datetime.combine(until, dt.time(23, 59), tzinfo=generator.STOCKHOLM)
            now = generator.default_end()
            end = min(end, now)
        if not reset and (previous := builder.existing_demo()) is not None:
            reset = self._outdated(previous, end)
        if reset and builder.existing_demo() is not None:
            self.stdout.write("Deleting the previous demo …")
        self._last = -1
        try:
            result = builder.build_demo(seed=seed, years=years, scale=scale, end=end, reset=reset,
                                        progress=self._progress)
        except builder.DemoError as exc:
            raise CommandError(str(exc)) from exc
        if not result.created:
            self.stdout.write(self.style.WARNING(
                f"The demo collaboration '{result.collaboration.name}' already exists "
                f"({result.events} events). Use --reset to rebuild it."))
            return
        if self._last >= 0 and sys.stdout.isatty():
            self.stdout.write("")
        planted = generator.summary()
        first, last = result.period
        self.stdout.write(self.style.SUCCESS(
            f"Built '{result.collaboration.name}': {result.events} events {first} – {last} "
            f"in {result.seconds:.1f} s (seed {seed})."))
        self.stdout.write("Planted structure (see docs/demo.md):")
        self.stdout.write(f"  hot spots all period: {', '.join(planted['persistent_hotspots'])}")
        self.stdout.write(f"  emerging hot spot (last {planted['emerging_weeks']} weeks): "
                          f"{planted['emerging_hotspot']}")
        self.stdout.write(f"  intervention: vandalism halves in {planted['intervention_district']} "
                          f"from {result.intervention_date}")
        self.stdout.write("Demo accounts (demo only — never use these passwords anywhere else):")
        width = max(len(u[0]) for u in result.users)
        for username, password, org, role in result.users:
            self.stdout.write(f"  {username:<{width}}  {password:<24} {role} – {org}")
        self.stdout.write("Coordinators and admins set up two-factor authentication at their first login.")

    def _outdated(self, collab, end) -> bool:
        """True (with a message) when the existing demo ends before the day asked for.

        `make run` runs `trygg demo` every time: a demo built on an earlier day would otherwise keep
        its events ending on that day, and "this week's events" would be empty. It is rebuilt.
        """
        from trygg.demo import builder, generator

        built = builder.built_until(collab)
        wanted = (end or generator.default_end()).astimezone(generator.STOCKHOLM).date()
        if built is None or built >= wanted:
            return False
        self.stdout.write(self.style.WARNING(
            f"The demo's events end on {built}, before {wanted}: rebuilding the demo so that they run up to "
            f"{wanted}. Reports filed in the demo since it was built are discarded (pass --until {built} "
            f"to keep the old demo as it is)."))
        return True

    def _progress(self, what, done, total):
        pct = int(100 * done / total) if total else 100
        if sys.stdout.isatty():
            self.stdout.write(f"\r  writing {what}: {done:>6}/{total} ({pct:3d} %)", ending="")
            self.stdout.flush()
            self._last = pct
        elif pct // 10 != self._last // 10 or done == total:
            self.stdout.write(f"  writing {what}: {done:>6}/{total} ({pct:3d} %)")
            self._last = pct
