"""The summary screen (``s``): the bottom line, the summary of findings, then per outcome domain the
pooled effect, how certain it is and the forest plot.

Rendered by the summary's own renderers: ``verdict.overall_bottom_line``,
``report.synthesis_view.sof_table``, ``report.tables.heading`` and
``report.synthesis_view.domain_renderable`` (which draws the forest plot of
``report.forest``). ``a`` switches every domain to a sensitivity analysis on
the same axis; ``m`` switches REML / DL, ``t`` the Wald z test / Hartung-Knapp
(HKSJ), ``g`` cycles the subgroup analysis (design, dose, duration, risk of
bias, year, off); each of these three pools again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, LoadingIndicator, Static

from ldn_tui.analysis.synthesis import DomainSynthesis, leave_one_out, low_risk_only, randomised_only
from ldn_tui.model import Evidence
from ldn_tui.report.screen_export import section_text
from ldn_tui.report.tables import heading
from ldn_tui.tui.screens.common import start_export
from ldn_tui.tui.widgets.footer import AppFooter
from ldn_tui.tui.widgets.sensitivity import SensitivityBanner


def _one(variant: Callable[[DomainSynthesis], DomainSynthesis]) -> Callable[[DomainSynthesis], tuple[DomainSynthesis, ...]]:
    return lambda syn: (variant(syn),)


ANALYSES: tuple[tuple[str, Callable[[DomainSynthesis], tuple[DomainSynthesis, ...]] | None], ...] = (
    ("all pooled studies", None),
    ("leave one out (each pooled study omitted in turn)", lambda syn: leave_one_out(syn) or (syn,)),
    ("randomised studies only", _one(randomised_only)),
    ("studies at low risk of bias only", _one(low_risk_only)),
)


@dataclass
class Synthesised(Message):
    syntheses: tuple[DomainSynthesis, ...]


class DomainBlock(Static):
    """One outcome domain: numbers, certainty with every downgrade, forest plot, bottom line."""


METHODS = ("REML", "DL")
TESTS = (("z", "Wald z"), ("knha", "Hartung-Knapp (HKSJ)"))
SUBGROUPS = ("design", "dose", "duration", "risk_of_bias", "year", None)  # None: no subgroup analysis


def _subgroup_name(field: str | None) -> str:
    return field.replace("_", " ") if field else "off"


class SummaryScreen(Screen[None]):
    AUTO_FOCUS = "#summary-scroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,s", "app.pop_screen", "Back"),
        Binding("a", "analysis", "Sensitivity", tooltip="All studies, leave one out, randomised only, low risk only"),
        Binding("m", "method", "REML/DL", tooltip="Pool with REML or DerSimonian-Laird"),
        Binding("t", "test", "z/HKSJ", tooltip="Wald z test or Hartung-Knapp-Sidik-Jonkman (t, k-1 df)"),
        Binding("g", "subgroup", "Subgroups", tooltip="Subgroups by design, dose, duration, risk of bias, year, off"),
        Binding("e", "export", "Export", priority=True),
    ]

    def __init__(self, evidence: Evidence) -> None:
        super().__init__(classes="summary-screen")
        self.evidence = evidence
        self.syntheses: tuple[DomainSynthesis, ...] = ()
        self.analysis = 0
        self.method = METHODS[0]
        self.test = TESTS[0][0]
        self.subgroup: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary-scroll"):
            yield SensitivityBanner(id="sensitivity-banner")
            with Vertical(id="bottom-line-box"):
                yield Static("Bottom line", classes="box-title")
                yield Static("Pooling the studies…", id="bottom-line", markup=False)
            yield Static(id="findings", markup=False)
            yield Static(heading(self.evidence), id="summary-heading")
            yield Static(id="analysis", markup=False)
            yield LoadingIndicator(id="summary-loading")
            yield Vertical(id="domains")
        yield AppFooter()

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, group="synthesis")
    def compute(self) -> None:
        from ldn_tui.analysis.synthesis import synthesise

        self.post_message(Synthesised(
            synthesise(self.evidence, self.method, test=self.test, subgroup=self.subgroup)
        ))

    @on(Synthesised)
    async def _show(self, event: Synthesised) -> None:
        from ldn_tui.report.synthesis_view import ordered

        first = not self.syntheses
        self.syntheses = tuple(ordered(event.syntheses))
        self.show_findings()
        if first:
            await self.query_one("#summary-loading").remove()
            blocks = [
                Vertical(DomainBlock(id=f"domain-{syn.domain.id}"), classes="domain") for syn in self.syntheses
            ]
            await self.query_one("#domains").mount_all(blocks)
        self.render_domains()

    def show_findings(self) -> None:
        """The summary of findings and the bottom line of the analysis shown, laid out for the width there
        is (stacked when narrow)."""
        from ldn_tui.report import sensitivity
        from ldn_tui.report.synthesis_view import sof_table
        from ldn_tui.report.verdict import overall_bottom_line

        if self.syntheses:
            shown = sensitivity.analysis_syntheses(self.syntheses, ANALYSES[self.analysis][0])
            findings = self.query_one("#findings", Static)
            width = findings.content_region.width or self.size.width
            findings.update(sof_table(self.evidence, shown, width))
            self.query_one("#bottom-line", Static).update(Text(overall_bottom_line(shown, self.evidence)))

    def on_resize(self, event: events.Resize) -> None:
        self.show_findings()

    def options_text(self) -> Text:
        """What is shown and how it was pooled, each with the key that changes it."""
        name = ANALYSES[self.analysis][0]
        test = dict(TESTS)[self.test]
        following = SUBGROUPS[(SUBGROUPS.index(self.subgroup) + 1) % len(SUBGROUPS)]
        return Text.assemble(
            ("Analysis: ", "bold"), name, ("  (a)", "dim"),
            ("   Method: ", "bold"), self.method, ("  (m)", "dim"),
            ("   Test: ", "bold"), test, ("  (t)", "dim"),
            ("   Subgroups: ", "bold"), _subgroup_name(self.subgroup), (f"  (g: {_subgroup_name(following)})", "dim"),
        )

    def render_domains(self) -> None:
        from ldn_tui.report import sensitivity
        from ldn_tui.report.forest import forest_axis
        from ldn_tui.report.synthesis_view import domain_renderable

        name, variant = ANALYSES[self.analysis]
        self.query_one(SensitivityBanner).show_analysis(sensitivity.banner_text(name, self.syntheses, self.evidence))
        self.show_findings()
        self.query_one("#analysis", Static).update(self.options_text())
        for syn in self.syntheses:
            axis = forest_axis(syn) if syn.result is not None else None
            block = self.query_one(f"#domain-{syn.domain.id}", DomainBlock)
            if variant is None:
                block.update(domain_renderable(syn, self.evidence, axis=axis))
                continue
            if name == sensitivity.LEAVE_ONE_OUT and syn.k > 1:
                block.update(sensitivity.leave_one_out_table(syn, self.evidence))
                continue
            shown = variant(syn)
            parts = [domain_renderable(one, self.evidence, axis=axis, over_time=False) for one in shown]
            block.update(Group(*parts) if len(parts) > 1 else parts[0])

    def action_analysis(self) -> None:
        if self.syntheses:
            self.analysis = (self.analysis + 1) % len(ANALYSES)
            self.render_domains()

    def action_method(self) -> None:
        if self.syntheses:
            self.method = METHODS[(METHODS.index(self.method) + 1) % len(METHODS)]
            self.compute()

    def action_test(self) -> None:
        if self.syntheses:
            names = [t for t, _ in TESTS]
            self.test = names[(names.index(self.test) + 1) % len(names)]
            self.compute()

    def action_subgroup(self) -> None:
        if self.syntheses:
            self.subgroup = SUBGROUPS[(SUBGROUPS.index(self.subgroup) + 1) % len(SUBGROUPS)]
            self.compute()

    async def action_export(self) -> None:
        await start_export(self, "the summary", "summary", section_text(self.evidence, "summary", self.syntheses),
                     self.evidence.root)
