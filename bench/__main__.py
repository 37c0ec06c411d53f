"""`python -m bench [options]`: the same as `annotator bench [options]` (the manage.py command is the one)."""

import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["annotator", "bench", *sys.argv[1:]])


if __name__ == "__main__":
    main()
