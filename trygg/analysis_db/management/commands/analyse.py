"""``trygg analyse weekly|compare|aoristic|hotspots|emerging|moran|kde|concentration|effect …``

Prints the analysis as JSON (parameters echoed under ``parameters``) or, where tabular, as CSV
with ``--format csv``. Counts everything in the collaboration unless ``--as-user`` names a user
whose visibility rights should apply.

Examples::

    trygg analyse weekly --collaboration testby --week 2026-W47 --level stadsdel
    trygg analyse compare --collaboration testby --from 2026-10-01 --to 2026-10-31 \\
        --base-from 2025-10-01 --base-to 2025-10-31 --format csv
    trygg analyse effect --collaboration testby --target <uuid> --comparison <uuid> --buffer 300 \\
        --before-from 2026-01-01 --before-to 2026-03-31 --after-from 2026-04-01 --after-to 2026-06-30
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from trygg.accounts.models import Collaboration, User
from trygg.events.filters import FilterError

from ...output import as_csv, as_json
from ...params import ANALYSES
from ...params import parse as parse_params
from ...scope import full_scope, scope_for
from ...services import SERVICES

FILTER_OPTIONS = {"from": False, "to": False, "week": False, "area": True, "category": True, "organisation": True,
                  "source": True, "q": False}


class Command(BaseCommand):
    help = "Run an analysis and print JSON (or CSV with --format csv)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="analysis", required=True)
        for name, spec in ANALYSES.items():
            p = sub.add_parser(name, help=f"{name} analysis")
            p.add_argument("--collaboration", required=True, help="collaboration slug or uuid")
            p.add_argument("--as-user", help="apply this user's visibility (username)")
            p.add_argument("--format", choices=("json", "csv"), default="json")
            for opt, multiple in FILTER_OPTIONS.items():
                if opt in spec:
                    continue
                p.add_argument(f"--{opt}", action="append" if multiple else "store", dest=f"f_{opt}")
            for opt in spec:
                p.add_argument(f"--{opt.replace('_', '-')}", dest=f"f_{opt}")

    def handle(self, *args, **options):
        analysis = options["analysis"]
        key = options["collaboration"]
        collaboration = (Collaboration.objects.filter(slug=key).first()
                         or (Collaboration.objects.filter(uuid=key).first() if len(key) == 36 else None))
        if collaboration is None:
            raise CommandError(f"collaboration: not found: {key}")
        if options.get("as_user"):
            user = User.objects.filter(username=options["as_user"]).first()
            if user is None:
                raise CommandError(f"as-user: no such user: {options['as_user']}")
            try:
                scope = scope_for(user, collaboration)
            except Exception:
                raise CommandError("as-user: not a member of this collaboration") from None
        else:
            scope = full_scope(collaboration)
        params = {k[2:]: v for k, v in options.items() if k.startswith("f_") and v not in (None, [], "")}
        try:
            req = parse_params(analysis, params)
            result = SERVICES[analysis](scope, req)
            if options["format"] == "csv":
                self.stdout.write(as_csv(analysis, result), ending="")
                return
        except FilterError as exc:
            raise CommandError("; ".join(exc.errors.values())) from exc
        payload = as_json(result)
        payload["parameters"] = {"collaboration": collaboration.slug, **payload["parameters"],
                                 **({"as_user": options["as_user"]} if options.get("as_user") else {})}
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
