"""DRF authentication by personal API token: ``Authorization: Token <secret>`` (as before) or ``Bearer``."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from annotator.accounts.models import ApiToken, TokenStatus
from annotator.accounts.selectors import token_for_secret
from annotator.accounts.services import api_token_note_use

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    """One indexed lookup of the secret's digest (with the user joined); a write at most once a minute.

    A header naming another scheme (Basic, …) is left to the other authentication classes.
    """

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the token after the keyword, with no spaces in it.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.") from error
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        status = token.status(now=now)
        if status == TokenStatus.REVOKED:
            raise exceptions.AuthenticationFailed(
                "This token was revoked (by hand, or because its owner's password changed)."
            )
        if status == TokenStatus.EXPIRED:
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token's user is inactive.")
        api_token_note_use(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
