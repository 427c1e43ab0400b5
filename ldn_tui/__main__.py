"""``python -m ldn_tui``: the same as the ``ldn-tui`` command."""

from __future__ import annotations

import sys

from ldn_tui.cli import main

sys.exit(main())
