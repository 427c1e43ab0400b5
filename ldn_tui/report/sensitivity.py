"""Sensitivity analyses in words and in one compact table (no Textual).

``analysis_syntheses`` gives the syntheses a sensitivity analysis stands for (so the certainty
table and the bottom line can be shown for it); ``leave_one_out_table`` gives one row per omitted
study (estimate, CI, I², certainty) in place of a forest plot per omission; ``analysis_name``
names a variant by its studies' labels ("without Due Bruun et al. 2024"), never by record ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich import box
from rich.table import Table
from rich.text import Text

from ldn_tui.analysis.synthesis import DomainSynthesis, leave_one_out, low_risk_only, randomised_only
from ldn_tui.model import Evidence
from ldn_tui.report import facts
from ldn_tui.report.synthesis_view import CERTAINTY_STYLES
from ldn_tui.report.verdict import certainty_label

WITHOUT = "without "

# The analyses that keep a subset of the pooled studies, by the name the summary screen gives them;
# "all pooled studies" keeps every one, and leave-one-out has a table of its own.
VARIANTS: dict[str, Callable[[DomainSynthesis], DomainSynthesis]] = {
    "randomised studies only": randomised_only,
    "studies at low risk of bias only": low_risk_only,
}
LEAVE_ONE_OUT = "leave one out (each pooled study omitted in turn)"


def analysis_name(label: str | None, evidence: Evidence) -> str:
    """A variant's label in words: 'without gamma-2020' -> 'without Gamma et al. 2020'."""
    if not label:
        return "all pooled studies"
    if label.startswith(WITHOUT):
        record_id = label.removeprefix(WITHOUT)
        record = evidence.record(record_id)
        return WITHOUT + (facts.study_label(record) if record is not None else record_id)
    return label


def analysis_syntheses(syntheses: Sequence[DomainSynthesis], name: str) -> tuple[DomainSynthesis, ...]:
    """Every domain under the named analysis (unchanged for all studies and for leave-one-out)."""
    variant = VARIANTS.get(name)
    return tuple(syntheses) if variant is None else tuple(variant(syn) for syn in syntheses)


def banner_text(name: str, syntheses: Sequence[DomainSynthesis], evidence: Evidence) -> Text | None:
    """The banner over the summary: which analysis is shown, and which studies it leaves out."""
    if name == "all pooled studies":
        return None
    text = Text.assemble(("Sensitivity analysis: ", "bold"), (name, "bold"))
    if name == LEAVE_ONE_OUT:
        text.append(". Each outcome shows one row per omitted study; the certainty table and the bottom line "
                    "are those of all pooled studies.")
        return text
    left_out = sorted({
        facts.study_label(rec) if (rec := evidence.record(e.id)) is not None else e.id
        for syn in analysis_syntheses(syntheses, name) for e in syn.excluded if e.reason.startswith("left out")
    })
    text.append(". The certainty table, the bottom line and every plot below are for this analysis")
    text.append(f": {WITHOUT}{', '.join(left_out)}." if left_out else "; it leaves no pooled study out.")
    return text


def fixed(value: float | None, digits: int = 2) -> str:
    """A computed figure with a fixed number of decimals and a real minus sign, so a column of them
    lines up ('−0.60', '1.30'); record figures keep the digits they were reported with (``facts.num``)."""
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    return ("0" if digits == 0 else "0." + "0" * digits) if float(text) == 0 else text.replace("-", "\u2212")


def leave_one_out_table(syn: DomainSynthesis, evidence: Evidence) -> Table:
    """One row per omitted study: the pooled estimate, its 95% CI, I² and the certainty without it."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False,
                  title=Text(f"{syn.domain.label}: leave one out ({syn.measure})", style="bold"),
                  title_justify="left")
    table.add_column("Omitted")
    table.add_column("Estimate", justify="right")
    table.add_column("95% CI")
    table.add_column("I²", justify="right")
    table.add_column("Certainty")

    def row(name: str, one: DomainSynthesis, style: str = "") -> None:
        if one.result is None or one.estimate is None:
            table.add_row(Text(name, style=style), Text("cannot be pooled", style="dim"), Text(""), Text(""),
                          Text(one.certainty.level, style="dim"))
            return
        i2 = one.result.i2
        level = one.certainty.level
        table.add_row(
            Text(name, style=style),
            Text(fixed(one.estimate)),
            Text(f"{fixed(one.ci_low)} to {fixed(one.ci_high)}"),
            Text(f"{fixed(i2, 0)}%" if i2 is not None else "n/a (k = 1)", style="" if i2 is not None else "dim"),
            Text(certainty_label(level), style=CERTAINTY_STYLES.get(level, "dim")),
        )

    row("none (all pooled studies)", syn, "bold")
    for one in leave_one_out(syn):
        row(analysis_name(one.label, evidence).removeprefix(WITHOUT), one)
    return table
