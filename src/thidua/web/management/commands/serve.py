"""`thidua serve`: serve the app with waitress (a production WSGI server, also on Windows)."""

from django.core.management.base import BaseCommand
from waitress import serve

from thidua.wsgi import application

MAX_REQUEST_BODY = 12 * 1024 * 1024


class Command(BaseCommand):
    help = "Serve thidua on HOST:PORT (default 127.0.0.1:8000); use --host 0.0.0.0 for a hall."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        self.stdout.write(f"thidua: http://{host}:{port}/ (Ctrl+C to stop)")
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="thidua",
            # the largest upload is a 10 MB piece of evidence: refuse bigger bodies at the door
            max_request_body_size=MAX_REQUEST_BODY,
        )
