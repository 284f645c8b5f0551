"""`thidua serve`: serve the app — waitress over HTTP (also on Windows), cheroot over HTTPS
when given a certificate and its key."""

import sys

from django.core.management.base import BaseCommand, CommandError

from thidua.wsgi import application

MAX_REQUEST_BODY = 12 * 1024 * 1024
# A hall of phones keeps its connections open (keep-alive): hold 1000 at once. waitress
# waits on them with poll(); on Windows it has only select(), which takes 512 sockets.
CONNECTIONS = 1000
WINDOWS_CONNECTIONS = 500
# Every request but the casts has its own threads (thidua.web.lanes): a page asked for while
# the hall casts is not queued behind the casts.
PAGE_THREADS = 4


class Command(BaseCommand):
    help = "Serve thidua on HOST:PORT (default 127.0.0.1:8000); use --host 0.0.0.0 for a hall."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="threads for the casts")
        parser.add_argument(
            "--page-threads",
            type=int,
            default=PAGE_THREADS,
            help="threads for every other request (not queued behind the casts)",
        )
        parser.add_argument(
            "--connections",
            type=int,
            default=WINDOWS_CONNECTIONS if sys.platform == "win32" else CONNECTIONS,
            help="open connections held at once (phones keep theirs open)",
        )
        parser.add_argument("--certfile", help="HTTPS: the certificate (PEM, with its chain)")
        parser.add_argument("--keyfile", help="HTTPS: the certificate's private key (PEM)")

    def handle(
        self, *args, host, port, threads, page_threads, connections, certfile, keyfile, **options
    ):
        if bool(certfile) != bool(keyfile):
            raise CommandError("--certfile và --keyfile phải đi cùng nhau.")
        if certfile:
            self.stdout.write(f"thidua: https://{host}:{port}/ (Ctrl+C to stop)")
            self._serve_https(host, port, threads, page_threads, connections, certfile, keyfile)
            return
        from waitress import serve

        from thidua.web.lanes import Lanes

        self.stdout.write(f"thidua: http://{host}:{port}/ (Ctrl+C to stop)")
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            _dispatcher=Lanes(threads, page_threads),  # waitress's own hook for its dispatcher
            ident="thidua",
            connection_limit=connections,
            asyncore_use_poll=True,  # no select() limit of 1024 descriptors on Linux
            backlog=1024,
            # the largest upload is a 10 MB piece of evidence: refuse bigger bodies at the door
            max_request_body_size=MAX_REQUEST_BODY,
        )

    def _serve_https(self, host, port, threads, page_threads, connections, certfile, keyfile):
        from cheroot import wsgi
        from cheroot.ssl.builtin import BuiltinSSLAdapter

        from thidua.web.lanes import Gates

        try:
            adapter = BuiltinSSLAdapter(certfile, keyfile)
        except (OSError, ValueError) as error:
            raise CommandError(f"Không đọc được chứng chỉ hoặc khóa: {error}") from error
        server = wsgi.Server(
            (host, port),
            Gates(application, threads, page_threads),
            # a thread per connection held: each reads its request and waits at its gate
            numthreads=connections,
            server_name="thidua",
            request_queue_size=1024,
            timeout=120,  # an idle phone's connection is kept two minutes, as by waitress
        )
        server.keep_alive_conn_limit = connections
        server.ssl_adapter = adapter
        server.max_request_body_size = MAX_REQUEST_BODY
        try:
            server.start()
        except KeyboardInterrupt:
            server.stop()
