"""The detector's public entry point: `detect(text, known_speakers=...) -> list[Suggestion]`.

The detector itself is pure Python in `detector/` (no Django import); the rest of this app stores its
output as suggestion rows and computes them when articles are imported.
"""

from .detector import Suggestion, detect

__all__ = ["Suggestion", "detect"]
