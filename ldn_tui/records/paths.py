"""Which evidence folder to read: cheap enough for the start of every command (no parsing imports)."""

from __future__ import annotations

import os
from pathlib import Path


def bundled_evidence() -> Path:
    """The evidence folder shipped with the package (or the checkout's, when editable)."""
    here = Path(__file__).resolve().parent.parent  # the ldn_tui package
    inside = here / "evidence"
    if inside.is_dir():
        return inside
    return here.parent / "evidence"


def default_evidence() -> Path:
    """``$LDN_EVIDENCE`` when set, else the bundled folder."""
    env = os.environ.get("LDN_EVIDENCE")
    return Path(env) if env else bundled_evidence()
