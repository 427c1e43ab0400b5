"""The banner over the summary while a sensitivity analysis is shown (``a``), naming it in words."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class SensitivityBanner(Static):
    """Hidden for the main analysis; else the analysis and the studies it leaves out."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id, markup=False)

    def show_analysis(self, text: Text | None) -> None:
        self.set_class(text is not None, "-shown")
        self.update(text if text is not None else Text(""))
