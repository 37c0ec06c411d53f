"""Zip exports streamed as they are built: a folder of files (written to a temporary directory first, since
a zip member needs its whole file) turned into zip bytes without seeking, so a view can stream them."""

import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.analytics.services import who_says_what_current
from annotator.corpus.models import Project
from annotator.exports import formats
from annotator.exports.formats.records import PassageRecord
from annotator.exports.selectors import latest_agreement


def folder_zip(write: Callable[[Path], Any]) -> Iterator[bytes]:
    """A zip stream of the folder ``write`` fills (members at the top level), built on disk first."""
    with tempfile.TemporaryDirectory(prefix="annotator-export-") as folder:
        write(Path(folder))
        yield from _zip_stream(Path(folder), arcroot="")


def hf_zip(project: Project, records: Iterable[PassageRecord]) -> Iterator[bytes]:
    """The dataset folder as a zip stream; the splits are built on disk first (the card needs the counts)."""
    agreement = latest_agreement(project=project)
    with tempfile.TemporaryDirectory(prefix="annotator-hf-") as folder:
        root = Path(folder) / project.slug
        formats.write_hf_dataset(
            root,
            records,
            schema=project.schema,
            schema_version=project.schema_version,
            agreement=agreement,
            project_name=project.name,
            who_says_what=who_says_what_current(project=project),
        )
        yield from _zip_stream(root, arcroot=f"{project.slug}-dataset")


class _Drain:
    """A write-only file that collects what zipfile writes, for the stream to take away (no seeking)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _zip_stream(root: Path, *, arcroot: str) -> Iterator[bytes]:
    drain = _Drain()
    with zipfile.ZipFile(drain, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            arcname = f"{arcroot}/{relative}" if arcroot else relative
            with path.open("rb") as source, archive.open(arcname, "w", force_zip64=True) as target:
                while block := source.read(1 << 20):
                    target.write(block)
                    yield drain.take()
        yield drain.take()
    yield drain.take()  # the central directory, written on close
