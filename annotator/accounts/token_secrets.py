"""Personal API token secrets: how they are made and what is stored of them. No Django here.

A secret is ``ann_`` and 43 URL-safe characters (32 random bytes). Only its SHA-256 digest is stored, under
a unique index that a request looks up directly. A fast hash is enough because the secret is random with
256 bits of entropy: there is no dictionary to try and a preimage search is hopeless, while a slow password
hash would add ~0.3 s to every API request. The first characters are kept in clear as the token's
``prefix`` so that a list can say which token is which. Keys from the former plain-text token table (40 hex
digits, 160 bits) follow the same rules.
"""

import hashlib
import secrets

SECRET_MARK = "ann_"  # noqa: S105 - the mark every secret starts with, not a secret
PREFIX_LENGTH = 12  # "ann_" and 8 characters (48 random bits): enough to tell one's tokens apart
SECRET_MAX_LENGTH = 200  # longer is not one of ours; refused before hashing


def new_secret() -> str:
    return SECRET_MARK + secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    """The stored form of a secret: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def secret_prefix(secret: str) -> str:
    return secret[:PREFIX_LENGTH] if secret.startswith(SECRET_MARK) else secret[:8]


def password_fingerprint(password_hash: str) -> str:
    """What a token remembers of its owner's stored password hash when it is made.

    Any change of the stored hash (a new password by whatever path, or an unusable one) makes the token's
    fingerprint differ, and the token is refused from then on: no hook in any password path to remember.
    (A login that rehashes the same password moves the tokens along: accounts/backends.py.)
    The digest of a hash reveals nothing that the hash, in the same database, does not.
    """
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()
