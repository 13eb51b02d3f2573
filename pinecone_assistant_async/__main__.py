"""``python -m pinecone_assistant_async``: the command-line tool (needs the ``cli`` extra)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
