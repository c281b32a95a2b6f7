"""``python -m bot`` is the ``between`` command."""

import sys

from bot.cli import main

sys.exit(main())
