"""One text file per annotator in a folder, written in a single pass over the records (pure; no Django).

The zip exports that give each annotator a file of their own (doccano, plain CoNLL) cannot stream one zip
member while another is open, so the writer fills the files side by side on disk and the caller zips the
folder afterwards.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import IO

from annotator.exports.formats.records import file_stem

__all__ = ["AnnotatorFiles"]


class AnnotatorFiles:
    """``<folder>/<annotator><suffix>`` files, each opened (UTF-8, ``\\n`` line ends) when first written."""

    def __init__(self, folder: Path, suffix: str) -> None:
        self.folder, self.suffix = Path(folder), suffix
        self.folder.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[str]] = {}

    def write(self, annotator: str, text: str) -> None:
        file = self._files.get(annotator)
        if file is None:
            path = self.folder / f"{file_stem(annotator)}{self.suffix}"
            file = self._files[annotator] = path.open("w", encoding="utf-8", newline="")
        file.write(text)

    def close(self) -> None:
        for file in self._files.values():
            file.close()

    def __enter__(self) -> AnnotatorFiles:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
