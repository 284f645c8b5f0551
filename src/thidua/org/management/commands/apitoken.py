"""`thidua apitoken USERNAME NAME`: create an API token for a user and print it once."""

from django.core.management.base import BaseCommand, CommandError

from thidua.org.models import User
from thidua.org.services import create_api_token


class Command(BaseCommand):
    help = "Create an API bearer token for USERNAME; the key is printed once and not stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", nargs="?", default="command line")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        _token, raw = create_api_token(actor=user, name=name)
        self.stdout.write(raw)
