"""The ``trygg`` console script: Django's management commands with friendlier names.

``trygg demo``, ``trygg serve``, ``trygg worker``, ``trygg areas import FILE``,
``trygg import polisen FILE``, ``trygg lagesbild draft --week 2026-W47``, plus every Django
command (``trygg migrate``, ``trygg createsuperuser``...). Two words map to one command joined by
an underscore when such a command exists (``areas import`` → ``areas_import``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
    import django
    from django.core.management import execute_from_command_line, get_commands

    django.setup()
    if len(argv) >= 3 and not argv[2].startswith("-"):
        joined = f"{argv[1]}_{argv[2]}"
        if joined in get_commands():
            argv = [argv[0], joined, *argv[3:]]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
