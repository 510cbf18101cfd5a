"""``python -m imgkernel``: the same as the ``imgkernel`` command."""

import sys

from .cli import main

sys.exit(main())
