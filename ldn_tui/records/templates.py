"""New evidence folders and record templates: ``ldn-tui init DIR`` and ``ldn-tui new study ID``.

The template of a study (or review) is generated from its shape (``ldn_tui.records.shapes``), so it
lists every field the loader reads, in an order TOML accepts (keys, then tables), each line commented
out with an example value and what it means. Only ``id`` is written as a value. As written, the file
gives exactly the "fill me" problems (``missing required field`` for each field marked REQUIRED, and
the one identifier a study needs); once those lines are uncommented and filled, it validates.

Nothing here writes anywhere but the folder the user names: ``init`` refuses a folder that is not
empty, and both refuse the bundled folder. Files are created exclusively (never overwritten).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from ldn_tui.records import shapes as H
from ldn_tui.records.paths import bundled_evidence
from ldn_tui.records.readers import SLUG

__all__ = ["DESCRIPTIONS", "TemplateError", "init_folder", "new_record", "record_template"]

KINDS = {"study": ("studies", H.STUDY), "review": ("reviews", H.REVIEW)}


class TemplateError(Exception):
    """Why a folder or file cannot be made (one line, shown to the user)."""


# (example value as TOML, meaning). Keyed by "shape.key", or by "key" for every shape.
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "title": ('"..."', "the title as published"),
    "authors": ('["Smith AB", "Jones C"]', "surname then initials, as PubMed lists them; a surname alone "
                "when the initials are not known (a review may give [] when no list could be verified)"),
    "year": ("2024", "year of publication"),
    "doi": ('"10.1000/xyz"', "DOI without https://doi.org/ (a study needs one of doi, pmid, registration)"),
    "pmid": ('"12345678"', "PubMed id, digits only"),
    "journal": ('"Pain Medicine"', "journal name"),
    "volume": ('"10"', "journal volume, as printed"),
    "issue": ('"4"', "journal issue, as printed"),
    "pages": ('"663-672"', "pages, or an article number such as \"e1080\""),
    "registration": ('"NCT00000000"', "trial registration (NCT..., ACTRN..., ISRCTN...)"),
    "study.design": ("", "study design"),
    "study.blinding": ("", "who was blinded"),
    "study.summary": ('"..."', "one paragraph in your own words (\"\"\"...\"\"\" for several lines)"),
    "study.country": ('"..."', "where the study was run"),
    "study.funding": ('"..."', "who paid for it"),
    "keywords": ('["..."]', "extra words to find the record by"),
    "caveats": ('["..."]', "open doubts about this record"),
    "study.adverse_events": ('"..."', "harms in words; harms with counts are outcomes of a harm domain"),
    "population.description": ('"Adults with ..."', "who took part"),
    "population.n_enrolled": ("40", "how many were enrolled (at least 1)"),
    "population.n_analysed": ("38", "how many were analysed (not more than enrolled)"),
    "population.female_percent": ("90", "percent women, 0 to 100"),
    "population.age_mean": ("45", "mean age in years"),
    "intervention.description": ('"... 4.5 mg at bedtime"', "what the intervention group took"),
    "intervention.dose_mg": ("4.5", "highest daily dose in mg"),
    "intervention.duration_weeks": ("12", "weeks of treatment"),
    "comparator.kind": ("", "what the intervention was compared with"),
    "comparator.description": ('"..."', "the comparator in words"),
    "outcome.domain": ('"pain"', "one of the domains of topic.toml"),
    "outcome.measure": ('"Pain, 0-10 numeric rating scale"', "the scale or count, as reported"),
    "outcome.result": ("", "what the study found"),
    "outcome.summary": ('"..."', "what was found, in your own words"),
    "outcome.source": ('"Table 2"', "where in the paper"),
    "outcome.timepoint": ('"12 weeks"', "when it was measured"),
    "outcome.p_value": ("0.04", "the p-value as reported, above 0 and at most 1"),
    "secondary_source": ("false", "true when the figures were read only in a secondary source"),
    "effect.type": ("", "the effect measure"),
    "effect.estimate": ("-0.5", "the estimate (ratios on the ratio scale, e.g. 1.2)"),
    "effect.ci_low": ("-1.0", "lower end of the 95% CI"),
    "effect.ci_high": ("0.1", "upper end of the 95% CI"),
    "arms.intervention": ("{ mean = 3.1, sd = 1.9, n = 20 }", "or { events = 5, total = 20 } for a count"),
    "arms.control": ("{ mean = 3.6, sd = 2.0, n = 20 }", "the same kind of data as the intervention arm"),
    "biomarker.marker": ('"IL-6"', "what was measured"),
    "biomarker.role": ("", "how the marker was used"),
    "biomarker.finding": ("", "what it did"),
    "biomarker.summary": ('"..."', "what was found, in your own words"),
    "biomarker.source": ('"Table 3"', "where in the paper"),
    "risk_of_bias.randomisation": ("", "RoB 2 domain judgment"),
    "risk_of_bias.deviations": ("", "RoB 2 domain judgment"),
    "risk_of_bias.missing_data": ("", "RoB 2 domain judgment"),
    "risk_of_bias.measurement": ("", "RoB 2 domain judgment"),
    "risk_of_bias.reporting": ("", "RoB 2 domain judgment"),
    "risk_of_bias.overall": ("", "overall risk of bias"),
    "risk_of_bias.assessed_by": ('"..."', "who judged it, and with which tool"),
    "risk_of_bias.rationale": ('"..."', "why"),
    "review.kind": ("", "what kind of review"),
    "review.conclusion": ('"..."', "the review's conclusion, in your own words"),
    "review.certainty": ("", "the review's own GRADE rating"),
    "review.search_date": ("2024-01-31", "date of the last search (a TOML date, no quotes)"),
    "review.includes": ('["younger-2013"]', "ids of included studies in this folder"),
    "review.includes_other": ('["..."]', "included work that has no record here"),
    "review.summary": ('"..."', "one paragraph in your own words"),
    "review.n_studies": ("8", "how many studies the review included in all"),
    "review.n_participants": ("400", "how many participants it included in all"),
    "review.scope": ("", "the population it pooled (fibromyalgia by default)"),
    "review.design": ("", "what kind of work it is (by default its kind)"),
    "finding.domain": ('"pain"', "one of the domains of topic.toml"),
    "finding.type": ("", "the effect measure"),
    "finding.estimate": ("-0.3", "the pooled estimate (ratios on the ratio scale)"),
    "finding.ci_low": ("-0.6", "lower end of the 95% CI"),
    "finding.ci_high": ("0.0", "upper end of the 95% CI"),
    "finding.k": ("5", "how many studies were pooled"),
    "finding.i2": ("40", "I² in percent"),
    "finding.p_value": ("0.05", "the p-value as published"),
    "finding.comparison": ("", "placebo (the default), active, or baseline for a within-group change"),
    "finding.note": ('"sensitivity analysis"', "what this result is, when the domain is broader"),
    "finding.subgroup": ('"..."', "the subgroup this result is for, narrower than the review's scope"),
}

_TABLE_NOTES = {
    "population": "REQUIRED table: who took part",
    "intervention": "REQUIRED table",
    "comparator": "REQUIRED table",
    "outcomes": "one block per result; repeat it for each",
    "effect": "the between-group effect as reported; give either this or [outcomes.arms]; "
              "it needs ci_low and ci_high, or the outcome's p_value",
    "arms": "per-arm data, from which the effect is computed",
    "biomarkers": "one block per biological marker",
    "risk_of_bias": "the overall judgment and, optionally, the RoB 2 domains",
    "findings": "one block per pooled result the review published",
}


def describe(shape: str, key: str) -> tuple[str, str]:
    """The (example, meaning) of a field; KeyError when the field is not described."""
    found = DESCRIPTIONS.get(f"{shape}.{key}") or DESCRIPTIONS[key]
    return found


def _example(field: H.Field, given: str) -> str:
    if given:
        return given
    if field.choices:
        return f'"{field.choices[0]}"'
    defaults = {"text": '"..."', "integer": "0", "number": "0.0", "flag": "false", "strs": '["..."]',
                "day": "2024-01-31"}
    return defaults[field.kind]


def _line(shape: H.Shape, field: H.Field, required_here: bool, domains: tuple[str, ...]) -> str:
    example, meaning = describe(shape.name, field.key)
    if field.choices:
        meaning += ": " + " | ".join(field.choices)
    if field.key == "domain" and domains:
        example, meaning = f'"{domains[0]}"', "one of this folder's domains: " + ", ".join(domains)
    mark = "REQUIRED: " if field.required and required_here else ("required in this block: " if field.required else "")
    return f"# {field.key} = {_example(field, example)}  # {mark}{meaning}"


def _shape_lines(shape: H.Shape, prefix: str, required_here: bool, domains: tuple[str, ...]) -> list[str]:
    fields = [s for s in shape.steps if isinstance(s, H.Field)]
    nested = [f for f in fields if f.kind in ("table", "tables") and isinstance(f.shape, H.Shape)]
    out = [_line(shape, f, required_here, domains) for f in fields if f not in nested and f.key != "id"]
    for f in nested:
        assert isinstance(f.shape, H.Shape)
        name = f"{prefix}{f.key}"
        header = f"[[{name}]]" if f.kind == "tables" else f"[{name}]"
        note = _TABLE_NOTES.get(f.key, "REQUIRED table" if f.required else "optional")
        out += ["", f"# {header}  # {note}"]
        out += _shape_lines(f.shape, f"{name}.", required_here and f.required, domains)
    return out


def record_template(kind: str, record_id: str, domains: Iterable[str] = ()) -> str:
    """The commented template of a ``kind`` ("study" or "review") record with this id."""
    _, shape = KINDS[kind]
    head = [
        f"# A {kind} record for ldn-tui (format 1): docs/evidence-format.md in the source tells every rule.",
        "# Lines starting with '#' are comments. Uncomment a line (delete the first '# ') and put in the value;",
        "# leave out what the paper does not report. Until every line marked REQUIRED is filled in,",
        "# `ldn-tui validate` names each as \"missing required field\"."
        + (" A study also needs one of doi, pmid or registration." if kind == "study" else ""),
        "",
        f'id = "{record_id}"  # the file name without .toml',
    ]
    return "\n".join([*head, *_shape_lines(shape, "", True, tuple(domains))]) + "\n"


# --------------------------------------------------------------------------- folders


def _refuse_bundled(path: Path) -> None:
    bundled = Path(os.path.realpath(bundled_evidence()))
    real = Path(os.path.realpath(path))
    if real == bundled or bundled in real.parents:
        raise TemplateError(f"{path} is in the bundled evidence folder, which is never written; "
                            f"make your own copy with: ldn-tui init DIR")


BLANK_TOPIC = """\
# The topic of this evidence folder (docs/evidence-format.md in the ldn-tui source tells every rule).
format = 1
id = "my-topic"                 # a lowercase slug
title = "My topic"              # e.g. "Low-dose naltrexone for fibromyalgia"
question = "In whom, does what, compared with what, change which outcomes?"
last_reviewed = {today}         # the date the literature was last checked (a TOML date, no quotes)
# summary = \"\"\"A plain-language introduction.\"\"\"

# One block per outcome domain, in display order; each study outcome names one by its id.
[[domains]]
id = "main"
label = "Main outcome"
kind = "benefit"                # benefit | harm
lower_is_better = true
measure = "SMD"                 # MD | SMD | RR | OR: how the studies' results are pooled
critical = true
"""

EXAMPLE_STUDY = """\
# A fictional example, so that a new folder validates. Delete this file once the folder has a real study
# (ldn-tui new study ID --evidence DIR writes the template of one).
id = "example"
title = "Example record (fictional): delete this file once you add a real study"
authors = ["Example A"]
year = 2000
registration = "none (fictional example)"
design = "single-arm"
blinding = "none"
summary = "A fictional record with no results, so that a new evidence folder validates."

[population]
description = "Fictional"
n_enrolled = 1

[intervention]
description = "Fictional"

[comparator]
kind = "none"
"""


def _bundled_files(root: Path) -> list[Path]:
    """The folder's record files, relative to it: regular ``*.toml`` files, no hidden ones."""
    found = []
    for path in sorted(root.rglob("*.toml")):
        rel = path.relative_to(root)
        if not any(part.startswith(".") for part in rel.parts) and path.is_file() and not path.is_symlink():
            found.append(rel)
    return found


def init_folder(target: Path, blank: bool = False) -> list[Path]:
    """Make a new evidence folder at ``target`` (absent or empty): a copy of the bundled folder, or
    ``blank``: a topic.toml to edit and one fictional example study. Returns the files written."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise TemplateError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise TemplateError(f"{target} is not empty; give a new or empty folder")
    _refuse_bundled(target)
    if blank:
        files: dict[Path, str | Path] = {
            Path("topic.toml"): BLANK_TOPIC.format(today=date.today().isoformat()),
            Path("studies", "example.toml"): EXAMPLE_STUDY,
        }
        made = [Path("reviews")]
    else:
        source = bundled_evidence()
        files = {rel: source / rel for rel in _bundled_files(source)}
        made = [Path("studies"), Path("reviews")]
    try:
        target.mkdir(parents=True, exist_ok=True)
        for folder in made:
            (target / folder).mkdir(exist_ok=True)
        for rel, content in files.items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                with open(content, "rb") as src, open(target / rel, "xb") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                with open(target / rel, "x", encoding="utf-8") as dst:
                    dst.write(content)
    except OSError as exc:
        raise TemplateError(f"cannot write {exc.filename or target}: {exc.strerror or exc}") from None
    return sorted(files)


def _domain_ids(folder: Path) -> tuple[str, ...]:
    """The domain ids of ``folder``'s topic.toml, for the template's comments; () if it cannot be read."""
    from ldn_tui.records.toml_file import read_toml

    data: Any = read_toml(folder / "topic.toml", "topic.toml", [])
    domains = data.get("domains") if isinstance(data, dict) else None
    if not isinstance(domains, list):
        return ()
    return tuple(d["id"] for d in domains if isinstance(d, dict) and isinstance(d.get("id"), str)
                 and SLUG.match(d["id"]))


def new_record(folder: Path, kind: str, record_id: str) -> Path:
    """Write the template of a new ``kind`` record into ``folder`` (an evidence folder); the file's path."""
    if not SLUG.match(record_id):
        raise TemplateError(f"'{record_id}' is not a lowercase slug (a-z, 0-9 and '-', starting with a letter "
                            f"or digit), e.g. smith-2024")
    if not (folder / "topic.toml").is_file():
        raise TemplateError(f"{folder} is not an evidence folder (no topic.toml); make one with: ldn-tui init DIR")
    _refuse_bundled(folder)
    sub, _ = KINDS[kind]
    path = folder / sub / f"{record_id}.toml"
    try:
        path.parent.mkdir(exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(record_template(kind, record_id, _domain_ids(folder)))
    except FileExistsError:
        raise TemplateError(f"{path} exists; choose another id or edit that file") from None
    except OSError as exc:
        raise TemplateError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
