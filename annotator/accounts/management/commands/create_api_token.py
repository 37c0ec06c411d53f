"""`manage.py create_api_token USERNAME --name NAME [--expires-in-days N]`: print a new secret once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print its secret (shown this once, never stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. the script's name")
        parser.add_argument("--expires-in-days", type=int, default=None, help="default: never expires")

    def handle(
        self, *args: object, username: str, name: str, expires_in_days: int | None, **options: object
    ) -> None:
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error
        try:
            token, secret = api_token_create(user=user, name=name, expires_in_days=expires_in_days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        expiry = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ", no expiry"
        self.stderr.write(f"Token {token.name!r} for {username} (prefix {token.prefix}{expiry}). Secret:")
        self.stdout.write(secret)
