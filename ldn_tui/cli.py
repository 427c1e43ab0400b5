"""The ``ldn-tui`` command line.

``summary``, ``search``, ``validate`` and ``export`` never import Textual;
only ``browse`` (the default) does, and only once the evidence has loaded.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ldn_tui import __version__
from ldn_tui.records.paths import default_evidence
from ldn_tui.text import clean, one_line, plural

if TYPE_CHECKING:
    from ldn_tui.model import Evidence, Problem
    from ldn_tui.records.files import Scan

EXIT_OK, EXIT_NO_HITS, EXIT_PROBLEMS = 0, 1, 2
EXPORT_FORMATS = ("markdown", "html", "csv", "bibtex", "ris", "patient", "patient-html")


def _evidence_arg(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--evidence",
        metavar="PATH",
        default=default,
        help="evidence folder to read (default: $LDN_EVIDENCE, else the bundled LDN-fibromyalgia folder)",
    )


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, minus its ``import shutil`` (and with it zlib, bz2 and lzma), which
    argparse runs for every argument added, and which every command would pay for at start-up."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _terminal_columns() - 2  # as HelpFormatter does with shutil.get_terminal_size()
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else stdout's terminal, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        formatter_class=_HelpFormatter,
        prog="ldn-tui",
        description="Browse the evidence on low-dose naltrexone for fibromyalgia (or any folder in its format).",
        epilog="With no command, opens the browser. Each command takes --evidence PATH.",
    )
    parser.add_argument("--version", action="version", version=f"ldn-tui {__version__}")
    _evidence_arg(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    browse = sub.add_parser("browse", formatter_class=_HelpFormatter, help="open the evidence browser (the default)")
    _evidence_arg(browse, argparse.SUPPRESS)
    browse.add_argument("--allow-problems", action="store_true",
                        help="open a folder that has problems: the records that could be read, and a Problems pane "
                             "(the problems are printed again on quitting, and the exit code is 2)")

    summary = sub.add_parser("summary", formatter_class=_HelpFormatter, help="print the summary of the evidence to stdout")
    _evidence_arg(summary, argparse.SUPPRESS)
    summary.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    summary.add_argument("--width", type=_width, metavar="N", help=f"text width, {MIN_WIDTH} to {MAX_WIDTH} (default: the terminal's, or 80 in a pipe)")
    summary.add_argument("--method", choices=("REML", "DL"), default="REML", help="random-effects method for pooling")
    _pooling_args(summary)

    search = sub.add_parser("search", formatter_class=_HelpFormatter, help="search studies, reviews, mechanisms and questions")
    _evidence_arg(search, argparse.SUPPRESS)
    search.add_argument("query", nargs="+", help='words (all must match), "a phrase", or filters such as year:2013..2024')
    search.add_argument("--format", choices=("text", "json"), default="text")
    search.add_argument("--limit", type=_positive, metavar="N", help="show at most N hits (text default: 50)")
    search.add_argument("--all", action="store_true", help="show every hit")
    search.add_argument("--width", type=_width, metavar="N", help=f"text width, {MIN_WIDTH} to {MAX_WIDTH}")

    export = sub.add_parser("export", formatter_class=_HelpFormatter, help="write a report (markdown, html), the study table (csv) or citations")
    _evidence_arg(export, argparse.SUPPRESS)
    export.add_argument("--format", choices=EXPORT_FORMATS, default="markdown",
                        help="patient: a one-page summary in plain words (Markdown); patient-html: the same as HTML")
    export.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here instead of stdout")
    export.add_argument("--force", action="store_true", help="replace an existing --output file")
    export.add_argument("--method", choices=("REML", "DL"), default="REML", help="random-effects method for pooling")
    _pooling_args(export)

    validate = sub.add_parser("validate", formatter_class=_HelpFormatter, help="check an evidence folder and list every problem")
    _evidence_arg(validate, argparse.SUPPRESS)

    init = sub.add_parser("init", formatter_class=_HelpFormatter, help="make a new evidence folder to edit: a copy of the bundled one")
    init.add_argument("folder", type=Path, metavar="DIR", help="the folder to make (new, or empty)")
    init.add_argument("--blank", action="store_true",
                      help="a minimal valid folder instead: a topic.toml to edit and one fictional example study")

    new = sub.add_parser("new", formatter_class=_HelpFormatter, help="add the commented template of a new record to an evidence folder")
    new.add_argument("kind", choices=("study", "review"), help="what to add")
    new.add_argument("id", metavar="ID", help="its id, also its file name: studies/ID.toml (e.g. smith-2024)")
    new.add_argument("--evidence", metavar="DIR", default=argparse.SUPPRESS,
                     help="the evidence folder to add to (default: $LDN_EVIDENCE); never the bundled one")
    return parser


def _pooling_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--test", choices=("z", "knha"), default="z",
        help="CI and test of the pooled effect: z (Wald, normal) or knha (Hartung-Knapp-Sidik-Jonkman, t)",
    )
    parser.add_argument(
        "--subgroup", metavar="FIELD",
        help="subgroup analysis by design, dose, duration, risk_of_bias, year, or a study key path "
        "(e.g. population.female_percent), with the test for subgroup differences",
    )
    parser.add_argument("--cut", type=_finite, metavar="VALUE", help="with --subgroup on a number: split at VALUE (< VALUE, >= VALUE)")


def _finite(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {value!r}")
    return number


def _subgroup_problem(args: argparse.Namespace, evidence: Evidence, command: str) -> bool:
    """Whether --subgroup/--cut cannot split this folder (then the one-line reason is on stderr)."""
    field, cut = getattr(args, "subgroup", None), getattr(args, "cut", None)
    if field is None:
        if cut is not None:
            sys.stderr.write(f"ldn-tui {command}: --cut needs --subgroup FIELD\n")
            return True
        return False
    from ldn_tui.analysis.subgroups import check_subgroup

    why = check_subgroup(evidence, field, cut)
    if why is not None:
        sys.stderr.write(f"ldn-tui {command}: {one_line(why)}\n")
        return True
    return False


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


MIN_WIDTH, MAX_WIDTH = 20, 1000  # --width: narrower cannot hold a table; wider is no screen


def _width(value: str) -> int:
    number = _positive(value)
    if not MIN_WIDTH <= number <= MAX_WIDTH:
        raise argparse.ArgumentTypeError(f"must be from {MIN_WIDTH} to {MAX_WIDTH}, got {number}")
    return number


def _folder(args: argparse.Namespace) -> Path:
    return Path(args.evidence) if getattr(args, "evidence", None) else default_evidence()


def report_problems(problems: Sequence[Problem], folder: Path) -> None:
    from ldn_tui.records.problems import problem_lines

    sys.stderr.writelines(line + "\n" for line in problem_lines(problems, folder))


def load_or_report(folder: Path, files: Scan | None = None) -> Evidence | None:
    """The folder's evidence (read from ``files``, its one scan, if given), or None once its
    problems are printed."""
    from ldn_tui.records.loader import check_evidence

    evidence, problems = check_evidence(folder, files=files)
    if evidence is None:
        report_problems(problems, folder)
    else:
        gc.freeze()  # the loaded records live until exit: keep the collector from rescanning them
    return evidence


def cmd_validate(args: argparse.Namespace) -> int:
    folder = _folder(args)
    evidence = load_or_report(folder)
    if evidence is None:
        return EXIT_PROBLEMS
    t = evidence.topic
    print(
        f"ok: {plural(len(evidence.studies), 'study')}, {plural(len(evidence.reviews), 'review')}, "
        f"{plural(len(evidence.mechanisms), 'mechanism')}, {plural(len(evidence.questions), 'question')}, "
        f"{plural(len(t.domains), 'outcome domain')} in {clean(str(folder))}"
    )
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from ldn_tui.caching import outputs
    from ldn_tui.records.files import scan

    folder = _folder(args)
    files = scan(folder)
    options: tuple[object, ...] = ("summary", args.format, args.width, args.method)
    if (args.test, args.subgroup, args.cut) != ("z", None, None):
        options += (args.test, args.subgroup, args.cut)
    key = outputs.key_for(files.snapshot, options)
    kept = outputs.lookup(key) if key is not None else None
    try:
        if kept is not None:
            sys.stdout.write(kept.decode("utf-8", "surrogatepass"))
            return EXIT_OK
    except UnicodeDecodeError:
        pass  # not text after all: made again
    evidence = load_or_report(folder, files)
    if evidence is None:
        return EXIT_PROBLEMS
    if _subgroup_problem(args, evidence, "summary"):
        return EXIT_PROBLEMS
    from ldn_tui.report import summary

    text = summary.render(
        evidence, args.format, width=args.width, method=args.method, test=args.test, subgroup=args.subgroup,
        cut=args.cut,
    )
    sys.stdout.write(text)
    if key is not None:
        sys.stdout.flush()  # the answer first
        outputs.keep(key, text.encode("utf-8", "surrogatepass"))
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from ldn_tui.records.files import scan

    folder = _folder(args)
    files = scan(folder)
    evidence = load_or_report(folder, files)
    if evidence is None:
        return EXIT_PROBLEMS
    from ldn_tui.report import search_out
    from ldn_tui.search import QueryError, SearchIndex, parse_query
    from ldn_tui.search import kept as indexcache

    limit = None if args.all else args.limit or (50 if args.format == "text" else None)
    try:
        query = parse_query(" ".join(args.query))
    except QueryError as exc:
        sys.stderr.write(f"ldn-tui search: {clean(str(exc))}\n")
        return EXIT_PROBLEMS
    index = SearchIndex(evidence)
    pending = indexcache.attach(index, files.snapshot)
    result = index.search(query, limit=limit)
    sys.stdout.write(search_out.render(result, args.format, width=args.width))
    if pending is not None:
        sys.stdout.flush()  # the answer first; then the index is kept for the next search
        indexcache.keep(index, pending)
    return EXIT_OK if result.total else EXIT_NO_HITS


def cmd_export(args: argparse.Namespace) -> int:
    folder = _folder(args)
    evidence = load_or_report(folder)
    if evidence is None:
        return EXIT_PROBLEMS
    if _subgroup_problem(args, evidence, "export"):
        return EXIT_PROBLEMS
    from ldn_tui.report.export import export_text, write_export

    text = export_text(evidence, args.format, args.method, test=args.test, subgroup=args.subgroup, cut=args.cut)
    code, message = write_export(text, args.output, folder, args.force)
    if message:
        sys.stderr.write(one_line(message) + "\n")
    return code


def cmd_init(args: argparse.Namespace) -> int:
    from ldn_tui.records.templates import TemplateError, init_folder

    try:
        files = init_folder(args.folder, blank=args.blank)
    except TemplateError as exc:
        sys.stderr.write(f"ldn-tui init: {one_line(str(exc))}\n")
        return EXIT_PROBLEMS
    from shlex import quote

    shown = quote(clean(str(args.folder)))
    what = "a blank evidence folder (topic.toml and a fictional example study)" if args.blank else (
        f"a copy of the bundled evidence ({len(files)} files)")
    print(f"made {what} in {shown}\n"
          f"next: ldn-tui new study ID --evidence {shown}, then ldn-tui validate --evidence {shown}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from ldn_tui.records.templates import TemplateError, new_record

    if not getattr(args, "evidence", None) and not os.environ.get("LDN_EVIDENCE"):
        sys.stderr.write("ldn-tui new: give the folder to add to: --evidence DIR (make one with ldn-tui init DIR)\n")
        return EXIT_PROBLEMS
    folder = _folder(args)
    try:
        path = new_record(folder, args.kind, args.id)
    except TemplateError as exc:
        sys.stderr.write(f"ldn-tui new: {one_line(str(exc))}\n")
        return EXIT_PROBLEMS
    from shlex import quote

    print(f"wrote {clean(str(path))}: uncomment and fill in the lines marked REQUIRED, then run "
          f"ldn-tui validate --evidence {quote(clean(str(folder)))}")
    if args.kind == "study" and (folder / "studies" / "example.toml").is_file():
        print("delete studies/example.toml (the fictional example of a blank folder) once this study is filled in")
    return EXIT_OK


def cmd_browse(args: argparse.Namespace) -> int:
    folder = _folder(args)
    from ldn_tui.tui.app import run_app

    code, problems = run_app(folder, allow_problems=getattr(args, "allow_problems", False))
    if problems:
        report_problems(problems, folder)
    return code


COMMANDS = {
    "browse": cmd_browse,
    "summary": cmd_summary,
    "search": cmd_search,
    "validate": cmd_validate,
    "export": cmd_export,
    "init": cmd_init,
    "new": cmd_new,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Output that cannot be written (a full disk, an I/O error, a closed
    stdout) ends it with one line on stderr and exit code 1; a reader gone away (``| head``)
    ends it quietly."""
    args = build_parser().parse_args(argv)
    command = COMMANDS[args.command or "browse"]
    if sys.stdout is None:  # started with stdout closed (``>&-``)
        return _output_failed("standard output is closed")
    try:
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    try:
        code = command(args)
        sys.stdout.flush()  # here, where a failure can still be reported, not at exit
        return code
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as grep does.
        _drop_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.filename is not None:  # not a failed write to stdout: a file the command needed
            return _output_failed(f"{clean(str(exc.filename))}: {exc.strerror or exc}", "ldn-tui: ")
        return _output_failed(exc.strerror or str(exc))
    except ValueError as exc:  # a write to a stdout closed during the run
        if "closed file" not in str(exc):
            raise
        return _output_failed("standard output is closed")


EXIT_OUTPUT = 1  # the output could not be written


def _output_failed(reason: str, prefix: str = "ldn-tui: cannot write output: ") -> int:
    _drop_stdout()
    if sys.stderr is not None:
        try:
            sys.stderr.write(f"{prefix}{one_line(reason)}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
    return EXIT_OUTPUT


def _drop_stdout() -> None:
    """Point stdout at the null device, so that what is still buffered is not written (and
    failed) again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def run() -> None:
    sys.exit(main())
