"""``?``: every key binding, where it works, and a short glossary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Certainty (GRADE)", "How sure one can be that the pooled effect is close to the true effect: high ⊕⊕⊕⊕, "
     "moderate ⊕⊕⊕◯, low ⊕⊕◯◯, very low ⊕◯◯◯. Randomised evidence starts high, other evidence low; each "
     "serious problem rates it down a level, and every downgrade is shown with its reason."),
    ("GRADE", "Grading of Recommendations, Assessment, Development and Evaluations: the usual method for "
     "rating certainty, by risk of bias, inconsistency, indirectness, imprecision and publication bias."),
    ("Risk of bias", "How likely a study's design or conduct skews its result (Cochrane RoB 2: low, some "
     "concerns, high), judged per domain; the judge is named on each study."),
    ("I²", "The share of the spread between study results that is beyond chance: 50% or more is "
     "substantial inconsistency, 75% or more considerable."),
    ("Prediction interval", "Where the effect of a new, similar study would probably fall; wider than the "
     "confidence interval when studies disagree."),
    ("Crossover", "A trial in which each participant takes both the drug and the placebo, in turn; "
     "parallel trials give each participant one of them."),
    ("MD", "Mean difference: the drug group's average minus the control group's, in the scale's units."),
    ("SMD", "Standardised mean difference: the difference in standard deviations, so different scales pool; "
     "0.2 is small, 0.5 moderate, 0.8 large."),
    ("RR / OR", "Risk ratio / odds ratio: how much more (above 1) or less (below 1) often an event happens "
     "on the drug."),
    ("95% CI", "Confidence interval: the range of effects compatible with the data; one that includes no "
     "effect (0, or 1 for ratios) leaves the direction open."),
    ("Secondary source", "The figures were read in another paper (a review, a registry) rather than the "
     "study's own report."),
    ("Not reported", "The record leaves the field out: the source did not say, or it was not read. It is "
     "never a zero."),
)


def keys_table(groups: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("Key", no_wrap=True, style="bold")
    table.add_column("What it does", ratio=1)
    for where, rows in groups:
        table.add_row(Text(where, style="bold underline"), Text(""))
        for key, description in rows:
            table.add_row(Text(key), Text(description))
    return table


def glossary_table() -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("Term", no_wrap=True, style="bold")
    table.add_column("Meaning", ratio=1)
    for term, meaning in GLOSSARY:
        table.add_row(Text(term), Text(meaning))
    return table


def help_renderable(groups: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> RenderableType:
    return Group(
        Text("Keys", style="bold"),
        keys_table(groups),
        Text(""),
        Text("Glossary", style="bold"),
        glossary_table(),
    )


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "#help"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark", "dismiss", "Close help")]

    def __init__(self, groups: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> None:
        super().__init__(classes="dialog-screen")
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(help_renderable(self.groups), id="help-text")
