"""``python -m imgkernel``: the same as the ``imgkernel`` command."""

import sys

from .cli import main

if __name__ == "__main__":  # not when a process pool's worker imports the main module again
    sys.exit(main())
