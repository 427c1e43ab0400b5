"""ldn-tui: a terminal evidence browser for low-dose naltrexone in fibromyalgia.

Importing this package must stay cheap: no Rich, no Textual.
"""

from __future__ import annotations

__version__ = "0.1.0"
