"""Uploaded files kept between an import's preview and its confirmation, so the page need not send them
twice. Each preview is a folder under ``MEDIA_ROOT/import-previews/<token>/`` that only the manager who made
it, in the same project, can use; it is removed once used, and any older than a day when a new one is made.
"""

import json
import secrets
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings

PREVIEW_DIR = "import-previews"
KEPT_SECONDS = 24 * 3600
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / PREVIEW_DIR


def preview_save(*, project_id: int, user_id: int, files: Sequence[tuple[str, bytes]]) -> str:
    """Keep ``files`` for a later ``preview_take``; returns the token that names them."""
    _drop_old()
    token = secrets.token_urlsafe(24)
    folder = _root() / token
    folder.mkdir(parents=True, mode=0o700)
    names = []
    for n, (name, data) in enumerate(files):
        (folder / f"{n}.bin").write_bytes(data)
        names.append(name)
    owner = {"project": project_id, "user": user_id, "names": names}
    (folder / "owner.json").write_text(json.dumps(owner), encoding="utf-8")
    return token


def preview_take(*, token: str, project_id: int, user_id: int) -> list[tuple[str, bytes]] | None:
    """The files kept under ``token`` for this user and project; None if unknown, expired or not theirs."""
    if not token or not set(token) <= _TOKEN_CHARS:
        return None
    folder = _root() / token
    try:
        owner = json.loads((folder / "owner.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if owner.get("project") != project_id or owner.get("user") != user_id:
        return None
    return [(name, (folder / f"{n}.bin").read_bytes()) for n, name in enumerate(owner["names"])]


def preview_drop(*, token: str) -> None:
    if token and set(token) <= _TOKEN_CHARS:
        shutil.rmtree(_root() / token, ignore_errors=True)


def _drop_old() -> None:
    root = _root()
    if not root.is_dir():
        return
    cutoff = time.time() - KEPT_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
