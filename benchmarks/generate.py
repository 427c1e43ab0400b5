"""Write a deterministic, valid evidence folder of N studies, for the benchmarks.

    python benchmarks/generate.py N OUTDIR [--seed S]

The same N and seed always give the same bytes. Records look like the bundled ones
(several outcomes with arm data or reported effects, biomarkers, risk of bias, a
paragraph of text, keywords and caveats), plus a topic, a few reviews, mechanisms
and questions whose references all resolve, so ``ldn-tui validate --evidence OUTDIR``
passes. The numbers are invented: this is load for a benchmark, not evidence.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

SEED = 20261124
LAST_YEAR = 2025  # no record may be dated in the future

DOMAINS: tuple[tuple[str, str, str, bool, str, bool], ...] = (
    # id, label, kind, lower_is_better, measure, critical
    ("pain", "Pain intensity", "benefit", True, "MD", True),
    ("function", "Quality of life and function (FIQR)", "benefit", True, "SMD", True),
    ("symptoms", "Overall symptom severity", "benefit", True, "SMD", False),
    ("fatigue", "Fatigue", "benefit", True, "SMD", False),
    ("sleep", "Sleep quality", "benefit", False, "SMD", False),
    ("any-adverse-event", "Any adverse event", "harm", True, "RR", False),
    ("vivid-dreams", "Vivid dreams", "harm", True, "RR", False),
    ("headache", "Headache", "harm", True, "OR", False),
)
BENEFIT = [d for d in DOMAINS if d[2] == "benefit"]
HARM = [d for d in DOMAINS if d[2] == "harm"]

SURNAMES = (
    "Younger", "Noor", "Mackey", "Bested", "Due Bruun", "Rodríguez-Freire", "Parkitny", "Metyas",
    "Jackson", "Müller", "Østergaard", "Nakamura", "Okafor", "Silva", "Kowalski", "Lindqvist", "Haddad",
    "O'Brien", "Nguyen", "García", "Schmidt", "Rossi", "Dubois", "Kim", "Chen", "Patel", "Ivanova",
    "Andersen", "Fischer", "Moreau", "Santos", "Yılmaz", "Novak", "Hughes", "Tanaka", "Costa",
)
SLUG_NAMES = {
    "Due Bruun": "due-bruun", "Rodríguez-Freire": "rodriguez-freire", "Müller": "muller",
    "Østergaard": "ostergaard", "O'Brien": "obrien", "García": "garcia", "Yılmaz": "yilmaz",
}
COUNTRIES = ("USA", "Denmark", "Spain", "Canada", "Germany", "Japan", "Brazil", "Australia", "Italy", "Turkey")
JOURNALS = (
    "Arthritis & Rheumatism", "Pain Medicine", "Journal of Pain Research", "Clinical Rheumatology",
    "PLOS ONE", "BMJ Open", "European Journal of Pain", "Rheumatology International",
)
DESIGNS = (("parallel-rct", "double"), ("parallel-rct", "double"), ("crossover-rct", "double"),
           ("parallel-rct", "single"), ("non-randomised-controlled", "none"), ("single-arm", "none"),
           ("observational", "none"), ("case-series", "none"))
SCALES = ("0-10 NRS", "0-100 VAS", "questionnaire", "diary")
SOURCES = ("Abstract", "Table 2", "Figure 3", "Registry results", "Full text")
MARKERS = ("IL-6", "IL-1β", "TNF-α", "ESR", "CRP", "IL-10", "IL-1Ra", "BDNF", "TGF-β", "IL-17A")
KEYWORDS = (
    "RCT", "crossover", "placebo", "daily pain", "FIQR", "VAS", "responder", "sleep", "fatigue", "mood",
    "vivid dreams", "headache", "compounded", "cytokines", "inflammation", "women", "dose escalation",
    "central sensitisation", "opioid antagonist", "glia", "microglia", "TLR4", "quality of life",
)
WORDS = (
    "participants", "reported", "pain", "fatigue", "sleep", "placebo", "naltrexone", "low-dose", "trial",
    "weeks", "daily", "scores", "fell", "rose", "compared", "baseline", "treatment", "symptoms", "women",
    "fibromyalgia", "randomised", "blinded", "analysis", "effect", "difference", "small", "large", "group",
    "outcome", "measured", "questionnaire", "inflammatory", "markers", "cytokines", "responders", "dose",
    "tolerated", "adverse", "events", "dreams", "headache", "nausea", "dizziness", "followed", "clinic",
    "recruited", "criteria", "American", "College", "Rheumatology", "threshold", "pressure", "cold",
    "tolerance", "function", "quality", "life", "improved", "worsened", "unchanged", "significant",
    "confidence", "interval", "estimate", "primary", "secondary", "endpoint", "protocol", "registered",
    "Rodríguez", "β-endorphin", "microglial", "signalling", "sensitisation", "modulation", "the", "and",
    "of", "in", "with", "on", "a", "to", "was", "were", "than", "after", "before", "during", "while",
)


def q(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def paragraph(rng: random.Random, sentences: int) -> str:
    out: list[str] = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(9, 22))]
        if rng.random() < 0.4:
            words.insert(rng.randint(1, len(words) - 1), f"(P = {rng.uniform(0.001, 0.9):.3f})")
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def multiline(text: str, width: int = 100) -> str:
    """A TOML multi-line string folded with line-ending backslashes, as the bundled records are."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + len(word) + 1 > width:
            lines.append(line + " \\")
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    body = "\n".join(lines).replace('"""', '""\\"')
    return '"""\n' + body + '"""'


def slug_name(name: str) -> str:
    return SLUG_NAMES.get(name, name.lower().replace(" ", "-"))


def study_ids(n: int) -> list[tuple[str, int]]:
    """(id, year) of every study; the same ids whatever the seed."""
    rng = random.Random(n)
    return [(f"{slug_name(rng.choice(SURNAMES))}-{year}-{i:06d}", year)
            for i, year in ((i, rng.randint(1995, LAST_YEAR)) for i in range(n))]


def ci(rng: random.Random, estimate: float, half: float, ratio: bool) -> tuple[float, float]:
    if ratio:
        return round(estimate / (1 + half), 3), round(estimate * (1 + half), 3)
    return round(estimate - half, 3), round(estimate + half, 3)


def outcome(rng: random.Random, domain: tuple[str, str, str, bool, str, bool], n: int) -> list[str]:
    did, label, kind, _, measure, _ = domain
    result = rng.choice(("benefit", "no-difference", "no-difference", "unclear")) if kind == "benefit" \
        else rng.choice(("harm", "no-difference", "unclear"))
    lines = [
        "", "[[outcomes]]", f"domain = {q(did)}",
        f"measure = {q(label + ' (' + rng.choice(SCALES) + ')')}",
        f"timepoint = {q('week ' + str(rng.choice((4, 8, 12, 16, 24))))}",
        f"result = {q(result)}",
        f"summary = {q(paragraph(rng, 2))}",
    ]
    p = round(rng.uniform(0.001, 0.95), 3)
    if rng.random() < 0.7:
        lines.append(f"p_value = {p}")
    lines.append(f"source = {q(rng.choice(SOURCES))}")
    half = n // 2
    shape = rng.random()
    if kind == "harm" and shape < 0.5:
        total_i, total_c = half, n - half
        lines += ["", "  [outcomes.arms]",
                  f"  intervention = {{ events = {rng.randint(0, total_i)}, total = {total_i} }}",
                  f"  control = {{ events = {rng.randint(0, total_c)}, total = {total_c} }}"]
    elif kind == "benefit" and shape < 0.5:
        mean_c = round(rng.uniform(3.0, 7.5), 2)
        lines += ["", "  [outcomes.arms]",
                  f"  intervention = {{ mean = {round(mean_c - rng.uniform(-0.5, 1.5), 2)}, "
                  f"sd = {round(rng.uniform(0.8, 2.6), 2)}, n = {half} }}",
                  f"  control = {{ mean = {mean_c}, sd = {round(rng.uniform(0.8, 2.6), 2)}, n = {n - half} }}"]
    elif shape < 0.85:
        ratio = measure in ("RR", "OR")
        estimate = round(rng.uniform(0.6, 2.8), 3) if ratio else round(rng.uniform(-1.5, 0.6), 3)
        low, high = ci(rng, estimate, rng.uniform(0.2, 1.2), ratio)
        lines += ["", "  [outcomes.effect]", f"  type = {q(measure)}", f"  estimate = {estimate}",
                  f"  ci_low = {low}", f"  ci_high = {high}"]
    return lines


def study(rng: random.Random, sid: str, year: int) -> str:
    design, blinding = rng.choice(DESIGNS)
    n = rng.randint(8, 240)
    authors = [f"{rng.choice(SURNAMES)} {rng.choice('ABCDEFGHJKLMNPRS')}{rng.choice(('', 'A', 'J', 'M'))}"
               for _ in range(rng.randint(1, 8))]
    lines = [
        f"id = {q(sid)}",
        f"title = {q(paragraph(rng, 1)[:-1])}",
        f"authors = [{', '.join(q(a) for a in authors)}]",
        f"year = {year}",
        f"journal = {q(rng.choice(JOURNALS))}",
        f"doi = {q(f'10.{rng.randint(1000, 9999)}/{sid}')}",
    ]
    if rng.random() < 0.6:
        lines.append(f"pmid = {q(str(rng.randint(10_000_000, 40_000_000)))}")
    if rng.random() < 0.5:
        lines.append(f"registration = {q(f'NCT{rng.randint(0, 99_999_999):08d}')}")
    lines += [
        f"design = {q(design)}",
        f"blinding = {q(blinding)}",
        f"country = {q(rng.choice(COUNTRIES))}",
        f"funding = {q(paragraph(rng, 1))}",
        f"summary = {multiline(paragraph(rng, rng.randint(5, 9)))}",
        f"keywords = [{', '.join(q(k) for k in rng.sample(KEYWORDS, rng.randint(3, 9)))}]",
        f"caveats = [{', '.join(q(paragraph(rng, 1)) for _ in range(rng.randint(0, 3)))}]",
        f"adverse_events = {q(paragraph(rng, 2))}",
        "",
        "[population]",
        f"description = {q('Adults with fibromyalgia (ACR 2010 criteria); ' + paragraph(rng, 1))}",
        f"n_enrolled = {n}",
        f"n_analysed = {n - rng.randint(0, n // 5)}",
        f"female_percent = {round(rng.uniform(80, 100), 1)}",
        f"age_mean = {round(rng.uniform(30, 60), 1)}",
        "",
        "[intervention]",
        f"description = {q('Naltrexone ' + rng.choice(('1.5', '3', '4.5', '6')) + ' mg once daily at bedtime')}",
        f"dose_mg = {rng.choice((1.5, 3.0, 4.5, 4.5, 6.0))}",
        f"duration_weeks = {rng.choice((4, 8, 10, 12, 16, 24))}",
        "",
        "[comparator]",
        f"kind = {q('placebo' if design.endswith('rct') else rng.choice(('baseline', 'none', 'active')))}",
        f"description = {q(paragraph(rng, 1))}",
    ]
    for domain in rng.sample(BENEFIT, rng.randint(2, 4)) + rng.sample(HARM, rng.randint(1, 2)):
        lines += outcome(rng, domain, n)
    for marker in rng.sample(MARKERS, rng.randint(0, 3)):
        lines += [
            "", "[[biomarkers]]", f"marker = {q(marker)}",
            f"role = {q(rng.choice(('predictor', 'outcome')))}",
            f"finding = {q(rng.choice(('decreased', 'increased', 'no-change', 'predicts-response')))}",
            f"summary = {q(paragraph(rng, 1))}",
            f"source = {q(rng.choice(('Abstract', 'Table 3', 'Supplement')))}",
        ]
    judgments = ("low", "some-concerns", "high")
    lines += ["", "[risk_of_bias]"]
    lines += [f"{d} = {q(rng.choice(judgments))}"
              for d in ("randomisation", "deviations", "missing_data", "measurement", "reporting")]
    lines += [f"overall = {q(rng.choice(judgments))}",
              f"rationale = {multiline(paragraph(rng, 3))}",
              f"assessed_by = {q('benchmark generator')}"]
    return "\n".join(lines) + "\n"


def topic() -> str:
    lines = [
        "format = 1",
        'id = "benchmark-topic"',
        'title = "Generated topic for benchmarks"',
        'question = "In adults with fibromyalgia, does low-dose naltrexone compared with placebo reduce pain?"',
        "last_reviewed = 2025-06-30",
        'summary = "A generated folder: the records are invented and are not evidence about anything."',
    ]
    for did, label, kind, lower, measure, critical in DOMAINS:
        lines += ["", "[[domains]]", f"id = {q(did)}", f"label = {q(label)}", f"kind = {q(kind)}",
                  f"lower_is_better = {'true' if lower else 'false'}", f"measure = {q(measure)}"]
        if critical:
            lines.append("critical = true")
    lines += ["", "[grade.pain]",
              'indirectness = { levels = 1, reason = "Nearly all participants were women." }']
    return "\n".join(lines) + "\n"


def review(rng: random.Random, rid: str, year: int, ids: Sequence[str]) -> str:
    includes = sorted(rng.sample(list(ids), min(len(ids), rng.randint(3, 25))))
    lines = [
        f"id = {q(rid)}",
        f"title = {q(paragraph(rng, 1)[:-1])}",
        f"authors = [{q(rng.choice(SURNAMES) + ' A')}, {q(rng.choice(SURNAMES) + ' B')}]",
        f"year = {year}",
        f"doi = {q(f'10.5555/{rid}')}",
        f"kind = {q(rng.choice(('systematic-review', 'meta-analysis')))}",
        f"search_date = {year - 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        f"includes = [{', '.join(q(i) for i in includes)}]",
        f"conclusion = {q(paragraph(rng, 2))}",
        f"summary = {multiline(paragraph(rng, 4))}",
        f"certainty = {q(rng.choice(('moderate', 'low', 'very-low')))}",
        f"n_studies = {len(includes)}",
        f"keywords = [{', '.join(q(k) for k in rng.sample(KEYWORDS, 4))}]",
    ]
    for did, _, _, _, measure, _ in rng.sample(DOMAINS, 2):
        ratio = measure in ("RR", "OR")
        estimate = round(rng.uniform(0.7, 2.5), 3) if ratio else round(rng.uniform(-1.0, 0.2), 3)
        low, high = ci(rng, estimate, rng.uniform(0.2, 0.8), ratio)
        lines += ["", "[[findings]]", f"domain = {q(did)}", f"type = {q(measure)}", f"estimate = {estimate}",
                  f"ci_low = {low}", f"ci_high = {high}", f"k = {len(includes)}",
                  f"i2 = {round(rng.uniform(0, 95), 1)}"]
    return "\n".join(lines) + "\n"


def mechanisms(rng: random.Random, ids: Sequence[str]) -> str:
    lines: list[str] = []
    for i, status in enumerate(("hypothesis", "animal-evidence", "human-evidence", "contested", "hypothesis")):
        lines += [
            "[[mechanism]]", f'id = "mechanism-{i + 1}"', f"title = {q(paragraph(rng, 1)[:-1])}",
            f"status = {q(status)}", f"summary = {multiline(paragraph(rng, 6))}",
            f"studies = [{', '.join(q(s) for s in rng.sample(list(ids), min(len(ids), 4)))}]",
            f"references = [{q(f'doi:10.1000/mech.{i}')}]",
            f"caveats = [{q(paragraph(rng, 1))}]", "",
        ]
    return "\n".join(lines)


def questions(rng: random.Random, ids: Sequence[str]) -> str:
    lines: list[str] = []
    for i in range(5):
        lines += [
            "[[question]]", f'id = "question-{i + 1}"', f"question = {q(paragraph(rng, 1)[:-1] + '?')}",
            f"why = {multiline(paragraph(rng, 5))}",
            f"studies = [{', '.join(q(s) for s in rng.sample(list(ids), min(len(ids), 5)))}]",
            f'ongoing = ["NCT{rng.randint(0, 99_999_999):08d}"]', "",
        ]
    return "\n".join(lines)


def generate(n: int, out: Path, seed: int = SEED) -> Path:
    """Write the folder (replacing ``out`` if it is an earlier generated folder) and return it."""
    if n < 1:
        raise ValueError("need at least one study")
    if out.exists():
        if not (out / ".generated").is_file():
            raise FileExistsError(f"{out} exists and was not written by this generator; refusing to replace it")
        shutil.rmtree(out)
    (out / "studies").mkdir(parents=True)
    (out / "reviews").mkdir()
    rng = random.Random(seed)
    ids = study_ids(n)
    for sid, year in ids:
        (out / "studies" / f"{sid}.toml").write_text(study(rng, sid, year), encoding="utf-8")
    names = [sid for sid, _ in ids]
    for i in range(max(3, n // 200)):
        year = rng.randint(2010, LAST_YEAR)
        rid = f"review-{year}-{i:04d}"
        (out / "reviews" / f"{rid}.toml").write_text(review(rng, rid, year, names), encoding="utf-8")
    (out / "topic.toml").write_text(topic(), encoding="utf-8")
    (out / "mechanisms.toml").write_text(mechanisms(rng, names), encoding="utf-8")
    (out / "questions.toml").write_text(questions(rng, names), encoding="utf-8")
    (out / ".generated").write_text(f"{n} {seed}\n", encoding="utf-8")  # hidden: the loader skips it
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a valid generated evidence folder of N studies.")
    parser.add_argument("n", type=int, help="number of studies")
    parser.add_argument("outdir", type=Path, help="folder to write (must not be evidence/ or tests/data/)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    repo = Path(__file__).resolve().parent.parent
    target = args.outdir.resolve()
    for protected in (repo / "evidence", repo / "tests" / "data", repo / "ldn_tui"):
        if target == protected or protected in target.parents:
            parser.error(f"refusing to write into {protected}")
    try:
        generate(args.n, args.outdir, args.seed)
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    print(f"wrote {args.n} studies to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
