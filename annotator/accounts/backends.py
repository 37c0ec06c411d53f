"""Password login that keeps a user's API tokens across a rehash of the same password.

Tokens are bound to a digest of the stored password hash, so any change of that hash revokes them. Django
also changes it without a new password: at a login after an upgrade that strengthens its hasher, it stores
the same password hashed again. Only here is it known that the password is the same (it was just
verified), so only here are the tokens that held for the old hash moved to the new one.
"""

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from annotator.accounts.selectors import user_by_id
from annotator.accounts.services import api_tokens_follow_rehash


class PasswordBackend(ModelBackend):
    """Django's ModelBackend, plus `api_tokens_follow_rehash` when checking the password rehashed it."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ) -> AbstractBaseUser | None:
        users = get_user_model()
        if username is None:
            username = kwargs.get(users.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = users._default_manager.get_by_natural_key(username)
        except users.DoesNotExist:
            users().set_password(password)  # as ModelBackend: the same time for unknown users (#20760)
            return None
        stored = user.password
        if not (user.check_password(password) and self.user_can_authenticate(user)):
            return None
        if user.password != stored:
            api_tokens_follow_rehash(user=user, previous_hash=stored)
        return user

    async def aauthenticate(
        self, request: HttpRequest | None, **credentials: object
    ) -> AbstractBaseUser | None:
        return await sync_to_async(self.authenticate)(request, **credentials)

    def get_user(self, user_id: object) -> AbstractBaseUser | None:
        """As ModelBackend's (every request with a session asks it), with the row read by plain SQL."""
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
