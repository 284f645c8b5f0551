"""`thidua apitoken USERNAME NAME [--scope S]… [--days N]`: create an API token for a user
and print it once."""

from django.core.management.base import BaseCommand, CommandError

from thidua.core.policy import TOKEN_SCOPES
from thidua.errors import DomainError
from thidua.org.models import User
from thidua.org.services import create_api_token


class Command(BaseCommand):
    help = "Create an API bearer token for USERNAME; the key is printed once and not stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", nargs="?", default="command line")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=TOKEN_SCOPES,
            help="read (default) or write:<stage>; repeat for several",
        )
        parser.add_argument("--days", type=int, default=30, help="expires after DAYS (1–366)")

    def handle(self, *args, username, name, scopes, days, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        try:
            _token, raw = create_api_token(
                actor=user, name=name, scopes=scopes or ["read"], days=days
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(raw)
