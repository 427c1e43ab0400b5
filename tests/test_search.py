"""Behaviour of ldn_tui.search.index on a small hand-made Evidence."""

from __future__ import annotations

import threading
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn_tui.model import (
    Biomarker,
    Comparator,
    Domain,
    Evidence,
    Intervention,
    Mechanism,
    Outcome,
    Population,
    Question,
    Review,
    ReviewFinding,
    RiskOfBias,
    Study,
    Topic,
)
from ldn_tui.records.loader import load_evidence
from ldn_tui.search import Hit, QueryError, SearchIndex, SearchService, highlight_spans, parse_query, search
from ldn_tui.search.folding import _fold_map, _fold_text_utf8, _fold_utf8, _utf8, fold, normalize
from ldn_tui.search.index import SNIPPET_WIDTH, _blob, _fields
from ldn_tui.search.service import EAGER_HITS, HIT_LIMIT

TOPIC = Topic(1, "ldn-fm", "LDN for fibromyalgia", "Does LDN help?", date(2025, 1, 1),
              (Domain("pain", "Pain", "benefit", True, "SMD", True), Domain("sleep", "Sleep", "benefit", True, "SMD")))

YOUNGER = Study(
    id="younger-2013", title="Low-dose naltrexone for the treatment of fibromyalgia",
    authors=("Younger J", "Noor N"), year=2013, design="crossover-rct", blinding="double",
    summary="Women with fibromyalgia took LDN; plasma cytokines fell over ten weeks.",
    population=Population("31 women with fibromyalgia", 31), intervention=Intervention("LDN 4.5 mg nightly", 4.5, 10),
    comparator=Comparator("placebo", "identical placebo capsule"), path="studies/younger-2013.toml",
    journal="Arthritis Rheum", keywords=("glia", "crossover"),
    caveats=("Small sample.", "Short washout between periods."),
    outcomes=(Outcome("pain", "VAS", "benefit", "Pain scores fell versus placebo.", "Table 2", "10 weeks"),
              Outcome("sleep", "PSQI", "unclear", "Sleep quality did not clearly change.", "Table 3")),
    biomarkers=(Biomarker("IL-6", "outcome", "decreased", "Interleukin levels dropped.", "Fig 2"),),
    risk_of_bias=RiskOfBias("some-concerns", "ldn-tui", rationale="Carry-over cannot be excluded."),
    adverse_events="Vivid dreams were the most common complaint.",
)
RODRIGUEZ = Study(
    id="rodriguez-2020", title="A parallel trial of LDN in Spain", authors=("Rodríguez M", "García P"),
    year=2020, design="parallel-rct", blinding="double",
    summary="Naltrexone at 3 mg was compared with placebo. Notes kept as [bold]raw[/b] markup text.",
    population=Population("60 adults", 60), intervention=Intervention("LDN 3 mg", 3.0),
    comparator=Comparator("placebo"), path="studies/rodriguez-2020.toml", country="Spain",
    outcomes=(Outcome("sleep", "MOS sleep", "no-difference", "No difference in sleep.", "Table 4"),),
    biomarkers=(Biomarker("IL-6R", "predictor", "no-change", "Soluble receptor.", "Table 5"),
                Biomarker("TNF-α", "outcome", "no-change", "Unchanged.", "Table 5")),
)
OPEN = Study(
    id="open-2024", title="An open-label pilot", authors=("Lee K",), year=2024, design="single-arm",
    blinding="none", summary="Patients took low\n    dose tablets; β-endorphin rose. " + "Filler words. " * 20
    + "The key finding: microglial markers settled. " + "More filler. " * 20,
    population=Population("12 patients", 12), intervention=Intervention("naltrexone, titrated"),
    comparator=Comparator("baseline"), path="studies/open-2024.toml",
    outcomes=(Outcome("pain", "BPI", "benefit", "Pain eased with naltrexone.", "Text"),),
)
META = Review(
    id="meta-2022", title="Naltrexone for chronic pain: a meta-analysis", authors=("Kim S",), year=2022,
    kind="meta-analysis", conclusion="Low certainty evidence of a small benefit.", path="reviews/meta-2022.toml",
    findings=(ReviewFinding("sleep", "SMD", -0.2, note="sensitivity analysis"),), certainty="low",
)
TLR4 = Mechanism(id="tlr4", title="TLR4 antagonism", status="hypothesis",
                 summary="Naltrexone may calm microglia through TLR4 signalling.", references=("Hutchinson 2008",))
DOSE_Q = Question(id="best-dose", question="What dose works best?", why="Trials used 3 to 4.5 mg.",
                  ongoing=("NCT01234567",))
EVIDENCE = Evidence(TOPIC, (YOUNGER, RODRIGUEZ, OPEN), (META,), (TLR4,), (DOSE_Q,))


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(EVIDENCE)


def ids(index: SearchIndex, query: str) -> list[str]:
    return [h.id for h in index.search(query).hits]


def hit(index: SearchIndex, query: str, record_id: str) -> Hit:
    return next(h for h in index.search(query).hits if h.id == record_id)


# --- parsing -----------------------------------------------------------------------------------


def test_parse_query_splits_words_phrases_and_filters() -> None:
    q = parse_query('  Cytokine  "LOW   dose" design:crossover YEAR:2013..2024 ')
    assert q.terms == ("cytokine",)
    assert q.phrases == ("low dose",)
    assert [(f.name, f.value) for f in q.filters] == [("design", "crossover"), ("year", "2013..2024")]
    assert q.needles == ("cytokine", "low dose")


def test_parse_query_quoted_filter_value_and_curly_quotes() -> None:
    q = parse_query('author:"García P" \u201cvivid dreams\u201d')
    assert q.filters[0].options == ("garcia p",)
    assert q.phrases == ("vivid dreams",)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("desing:crossover", 'unknown filter "desing:" (did you mean "design:"?)'),
        ("colour:red", 'unknown filter "colour:"'),
        ('"low dose', "unterminated quote at character 1"),
        ('pain "low dose', "unterminated quote at character 6"),
        ('author:"Younger', "unterminated quote"),
        ("year:abc", 'year: "abc" is not a whole number, a comparison or a range'),
        ("year:2013.5", 'year: "2013.5" is not a whole number'),
        ("dose:>=x", 'dose: ">=x" is not a number'),
        ("n:>fifty", 'n: ">fifty" is not a whole number'),
        ("year:2020..2010", "year: the range 2020..2010 is reversed (did you mean 2010..2020?)"),
        ("year:..", 'year: the range ".." needs at least one end'),
        ("design:", 'filter "design:" needs a value right after the colon'),
        ("design: crossover", 'filter "design:" needs a value'),
        ("marker:,", 'filter "marker:" needs a value'),
        ("type:trail", 'type: "trail" is not a record type (use study, review, mechanism, question, trial)'),
    ],
)
def test_malformed_queries_raise_query_error(index: SearchIndex, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=None) as caught:
        index.search(query)
    assert message in str(caught.value)


# --- matching ----------------------------------------------------------------------------------


def test_every_word_must_match_but_in_any_field(index: SearchIndex) -> None:
    assert ids(index, "younger cytokine") == ["younger-2013"]  # authors + summary
    assert ids(index, "younger rodriguez") == []
    assert ids(index, "carry-over dreams washout") == ["younger-2013"]


def test_words_are_substrings(index: SearchIndex) -> None:
    assert ids(index, "cytokine") == ["younger-2013"]  # the text says "cytokines"
    assert "open-2024" in ids(index, "microglia")  # "microglial"


def test_phrases_match_as_phrases_across_whitespace(index: SearchIndex) -> None:
    assert ids(index, '"low dose"') == ["open-2024"]  # "low\n    dose"; "Low-dose" is not the phrase
    assert set(ids(index, "low dose")) == {"younger-2013", "open-2024"}
    assert ids(index, '"dose works"') == ["best-dose"]
    assert ids(index, '"works dose"') == []


def test_case_and_accents_fold(index: SearchIndex) -> None:
    assert ids(index, "RODRIGUEZ") == ["rodriguez-2020"]
    assert ids(index, "rodríguez garcía") == ["rodriguez-2020"]
    assert ids(index, "Tnf-Α") == ["rodriguez-2020"]  # Greek capital alpha
    assert ids(index, "β-endorphin") == ["open-2024"]
    assert ids(index, "b-endorphin") == []  # β is not b
    assert ids(index, "nct01234567") == ["best-dose"]


def test_unicode_dashes_match_hyphens(index: SearchIndex) -> None:
    assert ids(index, "crossover\u2011rct") == ["younger-2013"]  # a non-breaking hyphen
    assert set(ids(index, "il\u20136")) == {"younger-2013", "rodriguez-2020"}  # an en dash


def test_markup_looking_text_is_plain_text(index: SearchIndex) -> None:
    assert ids(index, "[/b]") == ["rodriguez-2020"]
    assert ids(index, "[bold]raw") == ["rodriguez-2020"]
    h = hit(index, "[bold]", "rodriguez-2020")
    assert "[bold]raw[/b]" in h.snippet
    assert [h.snippet[a:b] for a, b in h.spans] == ["[bold]"]


def test_every_field_is_searchable(index: SearchIndex) -> None:
    for record in (YOUNGER, RODRIGUEZ, OPEN, META, TLR4, DOSE_Q):
        for name, text, _ in _fields(record):
            found = index.search(f'"{text.replace(chr(34), " ")}"')
            match = next(h for h in found.hits if h.id == record.id)
            assert name in [f.field for f in match.fields], (record.id, name)


def test_the_index_holds_exactly_the_reported_fields() -> None:
    for record in (YOUNGER, RODRIGUEZ, OPEN, META, TLR4, DOSE_Q):
        blob = _blob(record)
        tiers = [sorted(t.split(b"\0")) for t in blob.split(b"\x01")]
        fields = _fields(record)
        assert tiers == [sorted(fold(text).encode() for _, text, tier in fields if tier == k) for k in range(3)]


def test_folding_a_record_text_is_folding_its_utf8() -> None:
    texts = ["plain ASCII Text", "Rodríguez\0BÉTA β-endorphin\x01Straße İstanbul ǅ ﬁ", "e\u0301 x\u20dd – — \u2212",
             "Ø ü ı Β α\u00a0\u2028end", "lone \udce9 surrogate é", "", "ÀÉÎÕÜ" * 50]
    for text in texts:
        assert _fold_text_utf8(text) == _fold_utf8(_utf8(text)), text


def test_field_names_are_dotted_paths(index: SearchIndex) -> None:
    assert [f.field for f in hit(index, "il-6", "younger-2013").fields] == ["biomarkers[0].marker"]
    for query in ("il-6", "fibromyalgia", "pain design:rct", "design:rct"):
        for h in index.search(query).hits:  # what the hit list shows, without the snippets
            assert h.field_names == tuple(f.field for f in h.fields), (query, h.id)
    assert [f.field for f in hit(index, "washout", "younger-2013").fields] == ["caveats[1]"]
    assert [f.field for f in hit(index, "quality", "younger-2013").fields] == ["outcomes[1].summary"]
    assert [f.field for f in hit(index, "carry-over", "younger-2013").fields] == ["risk_of_bias.rationale"]
    assert [f.field for f in hit(index, "hutchinson", "tlr4").fields] == ["references[0]"]
    assert [f.field for f in hit(index, "sensitivity", "meta-2022").fields] == ["findings[0].note"]
    assert {f.field for f in hit(index, "fibromyalgia", "younger-2013").fields} == {
        "title", "summary", "population.description"}


def test_empty_query_matches_everything(index: SearchIndex) -> None:
    result = index.search("   ")
    assert result.total == 6
    assert ids(index, "") == ["open-2024", "meta-2022", "rodriguez-2020", "younger-2013", "best-dose", "tlr4"]


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("design:crossover", {"younger-2013"}),
        ("design:rct", {"younger-2013", "rodriguez-2020"}),
        ("design:Crossover-RCT", {"younger-2013"}),
        ("design:crossover,single", {"younger-2013", "open-2024"}),
        ("year:2013..2020", {"younger-2013", "rodriguez-2020"}),
        ("year:2020..2022", {"rodriguez-2020", "meta-2022"}),
        ("year:2013", {"younger-2013"}),
        ("year:=2013", {"younger-2013"}),
        ("year:>=2022", {"meta-2022", "open-2024"}),
        ("year:>2022", {"open-2024"}),
        ("year:<2020", {"younger-2013"}),
        ("year:<=2020", {"younger-2013", "rodriguez-2020"}),
        ("year:2021..", {"meta-2022", "open-2024"}),
        ("year:..2013", {"younger-2013"}),
        ("dose:>=4.5", {"younger-2013"}),
        ("dose:>4.5", set()),
        ("dose:<4.5", {"rodriguez-2020"}),
        ("dose:<=4.5", {"younger-2013", "rodriguez-2020"}),
        ("dose:3..4.5", {"younger-2013", "rodriguez-2020"}),
        ("dose:3", {"rodriguez-2020"}),
        ("dose:0..100", {"younger-2013", "rodriguez-2020"}),  # no dose, no match
        ("n:>50", {"rodriguez-2020"}),
        ("n:>=31", {"younger-2013", "rodriguez-2020"}),
        ("n:<31", {"open-2024"}),
        ("marker:IL-6", {"younger-2013"}),  # not IL-6R
        ("marker:il-6r", {"rodriguez-2020"}),
        ("marker:IL", {"younger-2013", "rodriguez-2020"}),
        ("marker:tnf", {"rodriguez-2020"}),
        ("marker:il-", set()),  # a token must end where the value ends... "il-" is followed by "6"
        ("type:review", {"meta-2022"}),
        ("type:mechanism,questions", {"tlr4", "best-dose"}),
        ("id:younger", {"younger-2013"}),
        ("blinding:double", {"younger-2013", "rodriguez-2020"}),
        ("blinding:none", {"open-2024"}),
        ("result:no-diff", {"rodriguez-2020"}),
        ("result:benefit", {"younger-2013", "open-2024"}),
        ("domain:sleep", {"younger-2013", "rodriguez-2020", "meta-2022"}),
        ("author:garcia", {"rodriguez-2020"}),
        ("country:spain", {"rodriguez-2020"}),
        ("status:hypothesis", {"tlr4"}),
        ("certainty:low", {"meta-2022"}),
        ("design:crossover year:2020", set()),
        ("year:2013..2024 dose:>=4.5", {"younger-2013"}),
        ("naltrexone type:study dose:<4", {"rodriguez-2020"}),
    ],
)
def test_filters(index: SearchIndex, query: str, expected: set[str]) -> None:
    assert set(ids(index, query)) == expected


def test_filter_only_hits_have_a_lead_snippet(index: SearchIndex) -> None:
    result = index.search("type:study")
    assert [h.id for h in result.hits] == ["open-2024", "rodriguez-2020", "younger-2013"]  # newest first
    h = result.hits[2]
    assert h.score == 0 and h.field == "" and h.spans == () and h.fields == ()
    assert h.snippet == YOUNGER.summary
    assert index.search("type:mechanism").hits[0].snippet.startswith("Naltrexone may calm")


def test_filters_work_on_records_directly() -> None:
    f = parse_query("dose:>=4").filters[0]
    assert f.matches(YOUNGER) and not f.matches(RODRIGUEZ) and not f.matches(OPEN) and not f.matches(META)


# --- ranking, snippets, highlighting -------------------------------------------------------------


def test_title_beats_summary_beats_elsewhere_then_newest(index: SearchIndex) -> None:
    result = index.search("naltrexone")
    # title: younger, meta; summary: rodriguez, tlr4; elsewhere only: open (intervention, outcome)
    assert [h.id for h in result.hits] == ["meta-2022", "younger-2013", "rodriguez-2020", "tlr4", "open-2024"]
    assert [h.score for h in result.hits] == [4, 4, 2, 2, 0]


def test_more_words_in_the_title_rank_higher(index: SearchIndex) -> None:
    assert ids(index, "naltrexone fibromyalgia")[0] == "younger-2013"
    # "Spain" contains "pain": rodriguez scores 4 (title) + 2 (naltrexone in the summary)
    assert ids(index, "naltrexone pain") == ["meta-2022", "rodriguez-2020", "younger-2013", "open-2024"]
    assert [h.score for h in index.search("naltrexone pain").hits] == [8, 6, 4, 0]


def test_the_id_ranks_its_record_first(index: SearchIndex) -> None:
    result = index.search("younger-2013")
    assert result.hits[0].id == "younger-2013" and result.hits[0].score == 14
    assert index.search("tlr4").hits[0].id == "tlr4"


def test_limit_and_total(index: SearchIndex) -> None:
    result = index.search("naltrexone", limit=2)
    assert result.total == 5
    assert [h.id for h in result.hits] == ["meta-2022", "younger-2013"]
    assert index.search("naltrexone", limit=0).hits == ()


def test_prepare_in_a_thread_then_search() -> None:
    index = SearchIndex(EVIDENCE)
    worker = threading.Thread(target=index.prepare)
    worker.start()
    result = index.search('"low dose"')  # waits for the build if it is under way
    worker.join()
    assert [h.id for h in result.hits] == ["open-2024"]


def test_the_browser_service_computes_the_first_screenful_of_snippets_only() -> None:
    """The app's search worker ranks and computes EAGER_HITS snippets; the hit list computes the
    rest when they come into view, with the same result."""
    many = tuple(YOUNGER._replace(id=f"younger-{i:03d}", path=f"studies/younger-{i:03d}.toml")
                 for i in range(HIT_LIMIT + 20))
    service = SearchService(Evidence(TOPIC, many, (), (), ()))
    result = service.search("cytokines")
    assert result.total == HIT_LIMIT + 20 and len(result.hits) == HIT_LIMIT
    assert [i for i, h in enumerate(result.hits) if "_best" in vars(h)] == list(range(EAGER_HITS))
    first, last = result.hits[0], result.hits[-1]
    assert "_best" not in vars(last) and "fields" not in vars(last)
    at = YOUNGER.summary.index("cytokines")
    assert (last.field, last.snippet, last.spans) == (first.field, first.snippet, first.spans) == (
        "summary", YOUNGER.summary, ((at, at + len("cytokines")),))
    assert [f.field for f in last.fields] == [f.field for f in first.fields]


def test_search_accepts_an_evidence() -> None:
    assert [h.id for h in search(EVIDENCE, "spain").hits] == ["rodriguez-2020"]
    assert search(EVIDENCE, "spain").query.terms == ("spain",)


def test_snippet_is_a_window_around_the_match(index: SearchIndex) -> None:
    h = hit(index, "microglial", "open-2024")
    assert h.field == "summary"
    assert h.snippet.startswith("…") and h.snippet.endswith("…")
    assert len(h.snippet) <= SNIPPET_WIDTH + 2
    assert "\n" not in h.snippet and "  " not in h.snippet
    assert [h.snippet[a:b] for a, b in h.spans] == ["microglial"]


def test_snippet_prefers_the_field_with_most_words(index: SearchIndex) -> None:
    h = hit(index, "pain placebo", "younger-2013")
    assert h.field == "outcomes[0].summary"
    assert h.snippet == "Pain scores fell versus placebo."
    assert [h.snippet[a:b] for a, b in h.spans] == ["Pain", "placebo"]


def test_snippet_spans_highlight_the_original_accented_text(index: SearchIndex) -> None:
    h = hit(index, "garcia", "rodriguez-2020")
    assert h.field == "authors[1]"
    assert [h.snippet[a:b] for a, b in h.spans] == ["García"]


def test_title_is_the_question_for_questions(index: SearchIndex) -> None:
    h = index.search("works").hits[0]
    assert (h.id, h.kind, h.title, h.year) == ("best-dose", "question", "What dose works best?", None)


def test_highlight_spans_maps_back_to_the_original_text() -> None:
    text = "Rodri\u0301guez  and RODRÍGUEZ met in\n  Straße"
    spans = highlight_spans(text, "rodriguez")
    assert [text[a:b] for a, b in spans] == ["Rodri\u0301guez", "RODRÍGUEZ"]
    spans = highlight_spans(text, '"met in strasse"')
    assert [text[a:b] for a, b in spans] == ["met in\n  Straße"]
    assert [text[a:b] for a, b in highlight_spans(text, "rodri")] == ["Rodri\u0301", "RODRÍ"]  # with its accent
    assert highlight_spans(text, "design:crossover") == []
    assert highlight_spans("ab", parse_query("a b")) == [(0, 2)]  # touching spans merge


def test_highlight_spans_rejects_malformed_queries() -> None:
    with pytest.raises(QueryError):
        highlight_spans("text", '"open')


# --- caching and properties ----------------------------------------------------------------------


def test_typing_letter_by_letter_gives_the_same_results_as_fresh_searches() -> None:
    typed = SearchIndex(EVIDENCE)
    for end in range(1, len("naltrexone pain design:rct") + 1):
        text = "naltrexone pain design:rct"[:end]
        try:
            got = [(h.id, h.score) for h in typed.search(text).hits]
        except QueryError:
            continue
        assert got == [(h.id, h.score) for h in SearchIndex(EVIDENCE).search(text).hits], text


@pytest.mark.parametrize("typed", [
    ["n", "na", "nal", "naltrexone", "naltrexone p", "naltrexone pa", "naltrexone pain"],
    ["e", "ex", "rex", "trex", "altrex", "naltrex", "naltrexone"],  # each word inside the next, not at its start
    ["o", "lo", "low", "low d", "low do", '"low dose"', "i", "il", "il-", "il-6", "x", "xz"],
    ["p", "pain design:rct", "pain design:rct s", "pain design:rct sl", "a", "an", "pan"],
    ["design:rct p", "design:rct pa", "pa", "p", "year:>2015 low", "low", "low dose", "dose", "dose low"],
])
def test_typing_words_inside_earlier_ones_gives_the_same_results_as_fresh_searches(typed: list[str]) -> None:
    """A new word is scanned only in the records that have a recent word inside it, from that
    word's first occurrence on: the hits and scores must be those of a fresh index."""
    warm = SearchIndex(EVIDENCE)
    for text in typed:
        got = warm.search(text)
        fresh = SearchIndex(EVIDENCE).search(text)
        assert [(h.id, h.score) for h in got.hits] == [(h.id, h.score) for h in fresh.hits], text
        assert got.total == fresh.total


def test_a_word_in_the_summary_just_before_an_earlier_one_still_counts() -> None:
    """Typing "xq" after "q": the summary's "xq" starts one character before its first "q"."""
    odd = OPEN._replace(id="odd", title="xq", keywords=(), summary="xq")
    warm = SearchIndex(Evidence(TOPIC, (odd,), ()))
    assert warm.search("q").hits[0].score == 5
    assert [h.score for h in warm.search("xq").hits] == [5]


WORDS = st.sampled_from(["na", "naltrexone", "altrex", "e", "pain", "low", "dose", '"low dose"', "il-6", "younger",
                         "design:rct", "year:>2015", "type:study", "b", "zz", "garcía"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(WORDS, max_size=4).map(" ".join), min_size=1, max_size=6))
def test_remembered_results_never_change_answers(queries: list[str]) -> None:
    warm = SearchIndex(EVIDENCE)
    for text in queries:
        got = warm.search(text)
        fresh = SearchIndex(EVIDENCE).search(text)
        assert [(h.id, h.score) for h in got.hits] == [(h.id, h.score) for h in fresh.hits]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=40)
       | st.lists(st.sampled_from(['"', ":", "year", "dose", "..", ">=", "<", "design", "x", " ", "2013",
                                   "4.5", ",", "[/b]", "é", "\x00", "type", "marker"]), max_size=12).map("".join))
def test_any_query_string_gives_a_result_or_a_query_error(text: str) -> None:
    index = SearchIndex(EVIDENCE)
    try:
        result = index.search(text)
    except QueryError as error:
        assert str(error)
        return
    assert result.total == len(result.hits)
    for h in result.hits:
        for snippet, spans in [(h.snippet, h.spans), *((f.snippet, f.spans) for f in h.fields)]:
            assert all(0 <= a < b <= len(snippet) for a, b in spans)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_fold_works_char_by_char(a: str, b: str) -> None:
    assert fold(a + b) == fold(a) + fold(b)
    folded, starts, ends = _fold_map(a + b)
    assert folded == normalize(a + b)
    if starts is not None and ends is not None:
        assert len(starts) == len(ends) == len(folded)
        assert all(0 <= s < e <= len(a + b) for s, e in zip(starts, ends, strict=True))


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_characters="\x00\x01\x02"), min_size=1, max_size=30),
       st.integers(0, 29), st.integers(1, 8))
def test_highlight_spans_cover_what_they_match(text: str, start: int, size: int) -> None:
    needle = normalize(text[start:start + size])
    if not needle or any(q in needle for q in '"\u201c\u201d\u201e\u201f'):
        return
    spans = highlight_spans(text, f'"{needle}"')
    assert spans, (text, needle)
    assert any(needle in normalize(text[a:b]) for a, b in spans)


def test_lone_surrogates_do_not_break_anything() -> None:
    index = SearchIndex(EVIDENCE)
    assert index.search("\udcff").total == 0
    assert highlight_spans("a\udcffb", "\udcffB") == [(1, 3)]
    odd = OPEN._replace(id="odd", title="x\ud800y")
    assert [h.id for h in SearchIndex(Evidence(TOPIC, (odd,), ())).search("\ud800Y").hits] == ["odd"]


def test_only_ascii_whitespace_survives_folding() -> None:
    for code in range(0x110000):
        char = chr(code)
        if char.isspace() and unicodedata.category(char) != "Cs":
            assert fold(char) == " " or fold(char) in "\t\n\v\f\r\x1c\x1d\x1e\x1f", hex(code)


@pytest.mark.parametrize("query", ["ye", "4.5", "viv", "il-6", "cy", "pain", "naltrexone", "rodr", "é", '"low dose"'])
def test_both_ways_of_scanning_find_the_same(query: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A word is scanned with ``re`` or with ``bytes.find``, whichever is faster for it: the
    matches, their scores and their order must not depend on which."""
    from ldn_tui.records.paths import bundled_evidence
    from ldn_tui.search import index as S

    evidence = load_evidence(bundled_evidence())
    results = []
    for regex in (False, True):
        monkeypatch.setattr(S, "_regex_is_faster", lambda needle, regex=regex: regex)
        result = SearchIndex(evidence).search(query)
        results.append([(h.id, h.score) for h in result.hits])
    assert results[0], "a query that finds something"
    assert results[0] == results[1]


def test_hits_name_the_record_and_the_field_in_words(fixture_folder: Path) -> None:
    """Issue 13: a hit shows "Beta et al. 2015" and "keyword", not "beta-2015" and "keywords[0]"; for numeric
    filters it says the value that matched."""
    from ldn_tui.model import Study
    from ldn_tui.records.loader import load_evidence
    from ldn_tui.report.search_out import field_words, filter_values, hit_label
    from ldn_tui.search import SearchIndex

    assert field_words("keywords[1]") == "keyword"
    assert field_words("biomarkers[0].marker") == "biomarker"
    assert field_words("caveats[3]") == "caveat"
    assert field_words("outcomes[2].summary") == "outcome summary"
    assert field_words("population.description") == "population"
    index = SearchIndex(load_evidence(fixture_folder))
    hit = index.search("cytokine").hits[0]
    assert hit.id == "beta-2015" and hit_label(hit) == "Beta et al. 2015"
    numeric = index.search("n:>50 year:2020").hits[0]
    assert isinstance(numeric.record, Study)
    assert filter_values(numeric) == [f"participants enrolled: {numeric.record.population.n_enrolled}", "year: 2020"]
