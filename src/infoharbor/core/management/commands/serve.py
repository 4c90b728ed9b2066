"""``infoharbor serve``: run the harbor's web application with waitress.

One process with a pool of threads, fine for the embedded default and, several times over,
behind a reverse proxy. Static files are served by WhiteNoise from the application itself.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


def _stop(signum: int, frame: FrameType | None) -> None:
    # SIGTERM (systemd, `kill`) ends the process the way Ctrl+C does.
    sys.exit(0)


class Command(BaseCommand):
    help = "Serve the harbor over HTTP with waitress (put a TLS proxy in front in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="TCP port to listen on.")
        parser.add_argument("--threads", type=int, default=8, help="Worker threads.")

    def handle(self, *args: Any, **options: Any) -> None:
        import waitress

        from infoharbor.wsgi import application

        self.check_migrations()
        host: str = options["host"]
        port: int = options["port"]
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"Information Harbor on http://{shown_host}:{port}/ "
            f"({options['threads']} threads; Ctrl+C to stop)"
        )
        self.stdout.flush()
        signal.signal(signal.SIGTERM, _stop)
        with contextlib.suppress(KeyboardInterrupt):
            waitress.serve(
                application,
                host=host,
                port=port,
                threads=options["threads"],
                ident="infoharbor",
                # waitress drops X-Forwarded-* headers unless told otherwise; Django decides
                # whether to trust them (INFOHARBOR_BEHIND_PROXY), so pass them on only then.
                clear_untrusted_proxy_headers=not settings.BEHIND_PROXY,
                # Refuse bodies far beyond the application's own limit before buffering them;
                # those just over it reach the application, which answers 413 itself.
                max_request_body_size=settings.MAX_REQUEST_BYTES + 1024 * 1024,
            )
        self.stdout.write("Stopped.")
