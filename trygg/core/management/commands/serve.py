"""``trygg serve``: the production web server (gunicorn, threads), static files by WhiteNoise."""

from __future__ import annotations

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server (gunicorn). Applies migrations first unless --no-migrate."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("TRYGG_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("TRYGG_PORT", "8000")))
        # Two processes per core, two threads each: a thread that holds SQLite's write lock waits for
        # its process's interpreter lock after every statement, so few threads per process keep the
        # lock short (measured in docs/benchmarks.md, "API load").
        workers = os.environ.get("TRYGG_WORKERS") or str(2 * (os.cpu_count() or 1))
        parser.add_argument("--workers", type=int, default=int(workers))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("TRYGG_THREADS", "2")))
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, host, port, workers, threads, no_migrate, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        from gunicorn.app.base import BaseApplication

        from trygg.wsgi import application

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("accesslog", os.environ.get("TRYGG_ACCESS_LOG") or None)
                self.cfg.set("timeout", 120)
                # No gunicorn control socket: Trygg does not use it, and its default path in the home
                # directory is shared by every server of the user (two `trygg serve` would collide).
                self.cfg.set("control_socket_disable", True)

            def load(self):
                return application

        self.stdout.write(f"Trygg on http://{host}:{port}/  (Ctrl+C stops)")
        Server().run()
