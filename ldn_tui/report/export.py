"""``ldn-tui export``: the evidence as Markdown, one self-contained HTML file, CSV, BibTeX, RIS, or the
patient page (``patient``: Markdown, ``patient-html``: HTML; ``ldn_tui.report.patient``).

:func:`export_text` builds the text; :func:`write_export` puts it on stdout
or into ``--output`` under the rules: never over an existing file without
``--force``, never inside the evidence folder (paths resolved through
symlinks; refused even with ``--force``), and always atomically (a temporary
file in the target folder, then a hard link when the name must be new, or
``os.replace`` when forcing), so a reader never sees half a file and a file
created meanwhile by someone else is not clobbered.
"""

from __future__ import annotations

import csv
import html
import io
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ldn_tui.analysis.synthesis import DomainSynthesis, synthesise
from ldn_tui.model import Evidence, Review, Study
from ldn_tui.records.toml_file import file_kind
from ldn_tui.report import facts
from ldn_tui.report.forest import evidence_over_time_text, forest_text
from ldn_tui.report.markdown import summary_markdown
from ldn_tui.report.synthesis_view import SECTION_TITLE, domain_view, split_pooled, synthesis_markdown
from ldn_tui.report.verdict import not_assessable_reason, overall_bottom_line
from ldn_tui.text import clean, one_line

__all__ = ["EXIT_OK", "EXIT_REFUSED", "FORMATS", "export_text", "write_export"]

FORMATS = ("markdown", "html", "csv", "bibtex", "ris", "patient", "patient-html")
EXIT_OK, EXIT_REFUSED = 0, 2


def export_text(evidence: Evidence, fmt: str, method: str = "REML") -> str:
    """The whole export in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "csv":
        return export_csv(evidence)
    if fmt == "bibtex":
        return "\n".join(facts.bibtex(r) for r in _records(evidence))
    if fmt == "ris":
        return "".join(ris(r) for r in _records(evidence))
    syntheses = synthesise(evidence, method)
    if fmt == "markdown":
        return summary_markdown(evidence, extra=synthesis_markdown(evidence, syntheses))
    if fmt == "html":
        return export_html(evidence, syntheses)
    if fmt in ("patient", "patient-html"):
        from ldn_tui.report.patient import patient_html, patient_markdown

        return (patient_html if fmt == "patient-html" else patient_markdown)(evidence, syntheses)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def _records(evidence: Evidence) -> list[Study | Review]:
    return [*evidence.studies, *evidence.reviews]


# ---------------------------------------------------------------------------
# CSV

CSV_FIELDS = (
    "id", "title", "year", "design", "randomised", "n_enrolled", "n_analysed", "dose_mg", "duration_weeks",
    "blinding", "risk_of_bias", "{domain}_finding", "doi", "pmid", "registration",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str | float | bool | None) -> str | float:
    """A cell: numbers stay numbers (-0.34 is data); text that a spreadsheet would run as a formula gets a '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    text = one_line(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(evidence: Evidence) -> str:
    benefit = [d for d in evidence.topic.domains if d.kind == "benefit"]
    first = benefit[0].id if benefit else "main"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.format(domain=first.replace("-", "_")) for f in CSV_FIELDS])
    for s in evidence.studies:
        rob = s.risk_of_bias.overall if s.risk_of_bias else None
        finding = facts.domain_brief(s, first) if benefit else None
        row: Sequence[str | float | bool | None] = (
            s.id, s.title, s.year, s.design, s.randomised, s.population.n_enrolled, s.population.n_analysed,
            s.intervention.dose_mg, s.intervention.duration_weeks, s.blinding, rob, finding, s.doi, s.pmid,
            s.registration,
        )
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


# ---------------------------------------------------------------------------
# RIS


def ris(record: Study | Review) -> str:
    """One RIS record, ending with its ``ER`` line: authors as ``AU  - Younger, J.``, then volume (VL),
    issue (IS) and pages (SP, and EP for a range) where recorded. Values are single lines."""
    lines = [("TY", "JOUR" if record.journal else "GEN"), ("ID", record.id)]
    lines += [("AU", facts.inverted_name(a)) for a in record.authors if not facts.is_et_al(a)]
    lines.append(("TI", record.title))
    if record.journal:
        lines.append(("JO", record.journal))
    lines.append(("PY", str(record.year)))
    lines += [(tag, value) for tag, value in (("VL", record.volume), ("IS", record.issue)) if value]
    if record.pages:
        start, dash, end = record.pages.partition("-")
        lines.append(("SP", start.strip() if dash and end.strip("- ") else record.pages))
        if dash and end.strip("- "):
            lines.append(("EP", end.strip("- ")))
    if record.doi:
        lines.append(("DO", record.doi))
    if record.pmid:
        lines.append(("AN", f"PMID {record.pmid}"))
    lines += [("UR", url) for _, url in facts.links(record)[:1]]
    if record.registration:
        lines.append(("N1", f"Registration {record.registration}"))
    if isinstance(record, Review):
        lines.append(("N1", facts.REVIEW_KIND_LABELS.get(record.kind, record.kind)))
    body = "".join(f"{tag}  - {one_line(value)}\n" for tag, value in lines)
    return body + "ER  - \n\n"


# ---------------------------------------------------------------------------
# HTML

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:62rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem;margin-bottom:.3rem}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:1px solid #bbb}
h3{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0 1rem}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}th{background:#f1f1f1}
pre{font:13px/1.3 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;overflow-x:auto;background:#f7f7f7;
padding:.6rem;border:1px solid #ddd}
.muted{color:#555}.bottom{background:#eef4fc;border-left:4px solid #3b6fb6;padding:.5rem .8rem}
ul.grade li{margin:.15rem 0}
@media print{body{margin:0;max-width:none;font-size:10.5pt}pre{font-size:7.5pt;break-inside:avoid;border:0}
h2,h3{break-after:avoid}tr{break-inside:avoid}a{color:inherit}}
"""


def _e(text: str) -> str:
    return html.escape(clean(text), quote=True)


def _p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{_e(text)}</p>' if cls else f"<p>{_e(text)}</p>"


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_synthesis(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> list[str]:
    pooled, rest = split_pooled(syntheses)
    out = [f"<h2>{_e(SECTION_TITLE)}</h2>", _p(overall_bottom_line(syntheses, evidence), "bottom")]
    for syn in pooled:
        view = domain_view(syn, evidence)
        items = [*view.downgrades, *(f"not rated down: {n}" for n in view.grade_notes),
                 *(f"Note: {n}" for n in view.notes)]
        out += [f"<h3>{_e(view.header)}</h3>", _p(view.pooled), f"<p><strong>{_e(view.certainty)}</strong></p>",
                '<ul class="grade">' + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>",
                f'<pre aria-label="forest plot">{_e(forest_text(syn, 80, evidence))}</pre>']
        if view.over_time:
            out.append(f'<pre aria-label="evidence over time">{_e(evidence_over_time_text(syn, evidence, 80))}</pre>')
        out.append(f"<p><strong>Bottom line:</strong> {_e(view.bottom_line)}</p>")
    if rest:
        out.append("<h3>Not assessable: nothing pools</h3><ul>")
        out += [f"<li><strong>{_e(s.domain.label)}</strong>: {_e(not_assessable_reason(s, evidence))}</li>"
                for s in rest]
        out.append("</ul>")
    return out


def _html_body(evidence: Evidence) -> list[str]:
    out: list[str] = []
    benefit = [d for d in evidence.topic.domains if d.kind == "benefit"][:1]
    rows = [[r.label, r.design, r.n, r.dose, r.weeks, r.blinding, r.risk_of_bias, r.pain][: 7 + len(benefit)]
            for r in facts.study_rows(evidence)]
    header = ["Study", "Design", "n", "Dose", "Weeks", "Blinding", "Risk of bias", *(d.label for d in benefit)]
    out += ["<h2>Studies</h2>", _html_table(header, rows), "<h2>Findings by outcome</h2>"]
    for domain in evidence.topic.domains:
        found = facts.domain_findings(evidence, domain.id)
        if found:
            out += [f"<h3>{_e(domain.label)}</h3>", _html_table(
                ["Study", "Measure", "Finding", "What was found", "Where in the paper"],
                [[facts.study_label(f.study), f.outcome.measure, facts.outcome_brief(f.outcome), f.outcome.summary,
                  f.outcome.source] for f in found])]
    groups = facts.inflammation_groups(evidence)
    if groups:
        out += ["<h2>Inflammation and other biological findings</h2>", _html_table(
            ["Study", "n", "Markers", "Role", "Finding", "What was found"],
            [[facts.study_label(g.study), facts.n_text(g.study), ", ".join(g.markers), g.role,
              facts.FINDING_LABELS.get(g.finding, g.finding), g.summary] for g in groups])]
    if evidence.mechanisms:
        out += ["<h2>Proposed mechanisms</h2>", _html_table(
            ["Mechanism", "Status", "Summary"],
            [[m.title, facts.STATUS_LABELS.get(m.status, m.status), m.summary] for m in evidence.mechanisms])]
    if evidence.questions:
        out += ["<h2>Open questions</h2>", _html_table(
            ["Question", "Why it matters", "Ongoing or registered"],
            [[q.question, q.why, ", ".join(q.ongoing) or "none found"] for q in evidence.questions])]
    if evidence.reviews:
        first = evidence.topic.domains[0] if evidence.topic.domains else None
        rows = []
        for r in facts.reviews_by_date(evidence):
            main = facts.review_main_finding(r, first.id) if first else None
            rows.append([facts.study_label(r), facts.REVIEW_KIND_LABELS.get(r.kind, r.kind),
                         facts.finding_text(main) if main else "no pooled estimate", r.conclusion])
        label = f"{first.label}: pooled" if first else "Pooled"
        out += ["<h2>Systematic reviews and meta-analyses, oldest first</h2>",
                _html_table(["Review", "Kind", label, "Conclusion"], rows)]
    out.append("<h2>References</h2><ol>")
    for rec in _records(evidence):
        links = " ".join(f'<a href="{html.escape(url, quote=True)}">{_e(label)}</a>' for label, url in facts.links(rec))
        out.append(f'<li id="{_e(rec.id)}">{_e(facts.citation(rec))} {links}</li>')
    out.append("</ol>")
    return out


def export_html(evidence: Evidence, syntheses: Sequence[DomainSynthesis]) -> str:
    """One HTML file: inline CSS, no scripts, nothing loaded from elsewhere, every record string escaped."""
    topic = evidence.topic
    head = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(topic.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{_e(topic.title)}</h1>", f"<p><strong>Question:</strong> {_e(topic.question)}</p>",
        _p(f"{facts.counts(evidence)} ({facts.year_span(evidence)}); last checked against the literature "
           f"{topic.last_reviewed.isoformat()}.", "muted"),
    ]
    if topic.summary:
        head.append(_p(one_line(topic.summary)))
    body = _html_synthesis(evidence, syntheses) + _html_body(evidence)
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"


# ---------------------------------------------------------------------------
# Writing


def inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or lies under it (also on a case-insensitive file system or a bind mount)."""
    if path == folder or folder in path.parents:
        return True
    for ancestor in (path, *path.parents):
        try:
            if os.path.samefile(ancestor, folder):
                return True
        except OSError:
            continue
    return False


def target_problem(output: Path, evidence_root: Path) -> str | None:
    """Why ``output`` may never be written (inside the evidence folder, anything but a regular
    file, no such folder, no current folder to be relative to), or None."""
    shown = clean(str(output))
    if not output.is_absolute():
        try:
            os.getcwd()
        except OSError:
            return f"the current folder no longer exists (deleted?); give a full path instead of {shown}"
    root = Path(os.path.realpath(evidence_root))
    link = Path(os.path.realpath(output.parent)) / output.name  # where the name lives
    target = Path(os.path.realpath(output))  # where a write through a symlink would land
    if inside(link, root) or inside(target, root):
        return f"refusing to write inside the evidence folder ({clean(str(root))}), even with --force: {shown}"
    kind = _not_regular(target)
    if kind == "a folder":
        return f"{shown} is a folder; give a file name"
    if kind:
        return f"{shown} is {kind}: export writes only regular files, even with --force"
    if not target.parent.is_dir():
        return f"no such folder: {clean(str(target.parent))}"
    return None


def _not_regular(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a regular file ("a FIFO"), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else file_kind(mode)


def write_export(text: str, output: Path | None, evidence_root: Path, force: bool) -> tuple[int, str]:
    """Print ``text`` (no ``output``, or ``-``) or write it to ``output``; (exit code, message
    for stderr; '' when nothing to say). Only a regular file is ever written or replaced."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return EXIT_OK, ""
    shown = clean(str(output))
    problem = target_problem(output, evidence_root)
    if problem:
        return EXIT_REFUSED, f"ldn-tui export: {problem}"
    target = Path(os.path.realpath(output))
    if target.exists() and not force:
        return EXIT_REFUSED, f"ldn-tui export: {shown} exists; use --force to replace it"
    data = text.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        return EXIT_REFUSED, f"ldn-tui export: cannot write in {clean(str(target.parent))}: {exc.strerror or exc}"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode(target))
        if force:
            kind = _not_regular(target)  # again, just before: it may have been swapped meanwhile
            if kind:
                return EXIT_REFUSED, f"ldn-tui export: {shown} is {kind}: export writes only regular files"
            os.replace(tmp, target)
        else:
            _link_new(tmp, target, data)
    except FileExistsError:
        return EXIT_REFUSED, f"ldn-tui export: {shown} exists; use --force to replace it"
    except OSError as exc:
        return EXIT_REFUSED, f"ldn-tui export: cannot write {shown}: {exc.strerror or exc}"
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return EXIT_OK, f"ldn-tui export: wrote {shown} ({len(data)} bytes)"


def _link_new(tmp: str, target: Path, data: bytes) -> None:
    """Give the finished temporary file the new name; FileExistsError if the name is taken meanwhile."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system: create the name exclusively instead
        with open(target, "xb") as handle:
            handle.write(data)


def _mode(target: Path) -> int:
    """The mode of the file being replaced, else what a new file gets under the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        pass
    try:  # Linux: read the umask without changing it (os.umask would, for the whole process)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
