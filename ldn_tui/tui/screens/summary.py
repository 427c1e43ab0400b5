"""The summary screen (``s``): per outcome domain, the pooled effect and how certain it is.

Rendered by the summary's own renderers: ``report.tables.heading``,
``verdict.overall_bottom_line`` and ``report.synthesis_view.domain_renderable``
(which draws the forest plot of ``report.forest``). ``a`` switches every
domain to a sensitivity analysis on the same axis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual import on, work
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


class SummaryScreen(Screen[None]):
    AUTO_FOCUS = "#summary-scroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,s", "app.pop_screen", "Back"),
        Binding("a", "analysis", "Sensitivity"),
        Binding("e", "export", "Export", priority=True),
    ]

    def __init__(self, evidence: Evidence) -> None:
        super().__init__(classes="summary-screen")
        self.evidence = evidence
        self.syntheses: tuple[DomainSynthesis, ...] = ()
        self.analysis = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary-scroll"):
            yield SensitivityBanner(id="sensitivity-banner")
            yield Static(id="findings", markup=False)
            with Vertical(id="bottom-line-box"):
                yield Static("Bottom line", classes="box-title")
                yield Static("Pooling the studies…", id="bottom-line", markup=False)
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

        self.post_message(Synthesised(synthesise(self.evidence)))

    @on(Synthesised)
    async def _show(self, event: Synthesised) -> None:
        from ldn_tui.report.synthesis_view import findings_table, ordered
        from ldn_tui.report.verdict import overall_bottom_line

        self.syntheses = tuple(ordered(event.syntheses))
        await self.query_one("#summary-loading").remove()
        self.query_one("#findings", Static).update(findings_table(self.evidence, self.syntheses))
        self.query_one("#bottom-line", Static).update(Text(overall_bottom_line(self.syntheses, self.evidence)))
        blocks = [
            Vertical(DomainBlock(id=f"domain-{syn.domain.id}"), classes="domain") for syn in self.syntheses
        ]
        await self.query_one("#domains").mount_all(blocks)
        self.render_domains()

    def render_domains(self) -> None:
        from ldn_tui.report import sensitivity
        from ldn_tui.report.forest import forest_axis
        from ldn_tui.report.synthesis_view import domain_renderable

        name, variant = ANALYSES[self.analysis]
        self.query_one(SensitivityBanner).show_analysis(sensitivity.banner_text(name, self.syntheses, self.evidence))
        self.show_findings(sensitivity.analysis_syntheses(self.syntheses, name))
        following = ANALYSES[(self.analysis + 1) % len(ANALYSES)][0]
        self.query_one("#analysis", Static).update(
            Text.assemble(("Analysis: ", "bold"), name, (f"   (a: {following})", "dim"))
        )
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

    def show_findings(self, syntheses: tuple[DomainSynthesis, ...]) -> None:
        """The certainty table and the bottom line of the analysis shown."""
        from ldn_tui.report.synthesis_view import findings_table
        from ldn_tui.report.verdict import overall_bottom_line

        self.query_one("#findings", Static).update(findings_table(self.evidence, syntheses))
        self.query_one("#bottom-line", Static).update(Text(overall_bottom_line(syntheses, self.evidence)))

    def action_analysis(self) -> None:
        if self.syntheses:
            self.analysis = (self.analysis + 1) % len(ANALYSES)
            self.render_domains()

    async def action_export(self) -> None:
        await start_export(self, "the summary", "summary", section_text(self.evidence, "summary", self.syntheses),
                     self.evidence.root)
