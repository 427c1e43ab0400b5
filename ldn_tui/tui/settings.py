"""What the app remembers between runs (the theme), in ``settings.json`` of the user's config
folder: ``$XDG_CONFIG_HOME/ldn-tui``, else ``~/.config/ldn-tui``. Never the evidence folder; a
file that cannot be read or written is ignored (the app works the same, it just forgets)."""

from __future__ import annotations

import json
import os
from pathlib import Path

FILE = "settings.json"


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    return (Path(base) if os.path.isabs(base) else Path.home() / ".config") / "ldn-tui"


def load() -> dict[str, object]:
    try:
        data = json.loads((config_dir() / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_theme() -> str | None:
    theme = load().get("theme")
    return theme if isinstance(theme, str) else None


def save_theme(theme: str) -> None:
    data = load()
    if data.get("theme") == theme:
        return
    data["theme"] = theme
    folder = config_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, folder / FILE)
    except OSError:
        pass
