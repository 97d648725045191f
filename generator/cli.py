"""Command line: `python -m generator SUBCOMMAND` and the `crm-codegen` console script.

Thin by design: parse arguments, call one function per subcommand, map outcomes
to exit codes (0 clean, 1 problems found, 2 input unusable).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

from generator.config import ConfigError, load_config
from generator.diagnostics import Diagnostic, Level, SpecInputError
from generator.formatting import FORMATTERS
from generator.freshness import Target, default_package, up_to_date
from generator.load import display_path, load_document

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
DEFAULT_SPEC_DIR = Path("spec")
CURATION_LOG = "CURATION.md"


def default_specs() -> list[Path]:
    """Every `spec/*.yaml` below the working directory, sorted."""
    return sorted(DEFAULT_SPEC_DIR.glob("*.yaml"))


def is_curated(path: Path) -> bool:
    """A spec is curated (transcribed from a seed) when its folder keeps a curation log."""
    return (path.resolve().parent / CURATION_LOG).is_file()


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate specs; print one line per problem and a summary."""
    from generator.lint import (
        lint_document,  # heavy (the validators): only when validating
    )

    specs = [Path(p) for p in args.specs] or default_specs()
    if not specs:
        print(f"no specs given and none found in {DEFAULT_SPEC_DIR}/", file=sys.stderr)
        return EXIT_UNUSABLE
    diagnostics: list[Diagnostic] = []
    unusable = 0
    for spec in specs:
        try:
            document = load_document(spec)
            diagnostics.extend(lint_document(document, curated=args.curated or is_curated(spec)))
        except SpecInputError as exc:
            unusable += 1
            diagnostics.append(exc.diagnostic)
    for diagnostic in sorted(diagnostics):
        print(diagnostic)
    errors = sum(d.level is Level.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(_summary(len(specs), errors, warnings, unusable))
    if unusable:
        return EXIT_UNUSABLE
    failing = errors + (warnings if args.strict else 0)
    return EXIT_PROBLEMS if failing else EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    """Generate packages (or, with --check, list the files that are stale)."""
    try:
        config = None if args.specs else load_config(Path("pyproject.toml"))
    except ConfigError as exc:
        location, _, message = str(exc).partition(": ")
        print(f"{location}: config-invalid: {message}")
        return EXIT_UNUSABLE
    if args.package and len(args.specs) != 1:
        print("--package needs exactly one SPEC", file=sys.stderr)
        return EXIT_UNUSABLE
    if config is not None:
        out = Path(args.out) if args.out else config.out
        targets = [Target(p.spec, out / (p.name or default_package(p.spec)), p.name or default_package(p.spec),
                          p.selection) for p in config.packages]
    else:
        out = Path(args.out or "generated")
        specs = [Path(p) for p in args.specs] or default_specs()
        targets = [Target(spec, out / (args.package or default_package(spec)), args.package or default_package(spec))
                   for spec in specs]
    if not args.check and all(up_to_date(target, args.formatter) for target in targets):
        print(f"{len(targets)} package(s): 0 written, 0 removed, 0 unchanged, {len(targets)} up to date")
        return EXIT_OK  # answered without loading the generator
    from generator import (
        generate,  # heavy (datamodel-code-generator, black): only when generating
    )
    from generator.emit.models import ModelGenerationError
    from generator.formatting import FormatError
    from generator.schemas import UnsupportedSchema
    from generator.trial import BrokenPackageError

    try:
        changes, skipped = generate.run(targets, formatter=args.formatter, check=args.check)
    except SpecInputError as exc:
        print(exc.diagnostic)
        return EXIT_UNUSABLE
    except UnsupportedSchema as exc:
        print(exc.diagnostic)
        return EXIT_UNUSABLE
    except (ModelGenerationError, FormatError) as exc:
        print(f"{display_path(targets[0].spec) if len(targets) == 1 else 'generate'}:1:1: generate-failed: {exc}")
        return EXIT_UNUSABLE
    except BrokenPackageError as exc:
        print(exc)
        return EXIT_UNUSABLE
    if args.check:
        for path in changes.stale:
            print(f"stale: {display_path(path)}")
        print(f"{len(targets)} package(s): {len(changes.stale)} stale file(s)")
        return EXIT_PROBLEMS if changes.stale else EXIT_OK
    print(f"{len(targets)} package(s): {len(changes.writes)} written, {len(changes.deletions)} removed, "
          f"{changes.unchanged} unchanged, {skipped} up to date")
    return EXIT_OK


def cmd_mock(args: argparse.Namespace) -> int:
    """Serve a mock of the spec: every operation answers with its examples."""
    from generator import mock
    from generator.emit.models import ModelGenerationError
    from generator.schemas import UnsupportedSchema

    try:
        mock.serve(Path(args.spec), args.host, args.port, args.credential)
    except (SpecInputError, UnsupportedSchema) as exc:
        print(exc.diagnostic)
        return EXIT_UNUSABLE
    except ModelGenerationError as exc:
        print(f"{display_path(Path(args.spec))}:1:1: generate-failed: {exc}")
        return EXIT_UNUSABLE
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare two versions of a spec; exit 1 when a change reaches a --fail-on gate."""
    from generator.diff.change import Policy
    from generator.diff.compare import diff_documents
    from generator.diff.sdk import judge, sdk_changes
    from generator.diff.source import load_source

    try:
        old, new = load_source(args.old), load_source(args.new)
        policy = Policy(**({"today": _date(args.date)} if args.date else {}), deprecation_days=args.deprecation_days)
        changes = judge(diff_documents(old, new, policy), sdk_changes(old, new))
    except SpecInputError as exc:
        print(exc.diagnostic)
        return EXIT_UNUSABLE

    def locate(change: Any) -> tuple[str, int, int]:
        document, pointer = (new, change.new_pointer) if change.new_pointer else (old, change.old_pointer)
        return (document.name, *document.locate(pointer))

    return _report(changes, args, locate)


def _date(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SpecInputError(Diagnostic("--date", 1, 1, "read-error", f"{text!r} is not a YYYY-MM-DD date")) from None


def cmd_verify(args: argparse.Namespace) -> int:
    """Check recorded traffic against a spec; exit 1 when a finding reaches --fail-on."""
    from generator.verify import read_traffic, summary_lines, verify

    try:
        document = load_document(Path(args.spec))
        exchanges = read_traffic(Path(args.traffic))
        findings, verifier = verify(document, exchanges)
    except SpecInputError as exc:
        print(exc.diagnostic)
        return EXIT_UNUSABLE
    code = _report(findings, args, lambda c: (document.name, *document.locate(c.old_pointer)))
    if args.format in ("text", "markdown"):
        print("\n".join(summary_lines(verifier)))
    return code


def cmd_proxy(args: argparse.Namespace) -> int:
    """Forward requests to --upstream, record each exchange and mark the ones that break the spec."""
    from generator import proxy

    try:
        document = load_document(Path(args.spec))
        proxy.serve(document, args.upstream, args.host, args.port, Path(args.record) if args.record else None)
    except SpecInputError as exc:
        print(exc.diagnostic)
        return EXIT_UNUSABLE
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    """Render the static documentation site."""
    from generator.emit.docs import render_site, write_site
    from generator.model import ModelError
    from generator.schemas import UnsupportedSchema

    specs = [Path(p) for p in args.specs] or default_specs()
    try:
        files = render_site(specs, Path(args.out))
    except (SpecInputError, UnsupportedSchema) as exc:
        print(exc.diagnostic)
        return EXIT_UNUSABLE
    except ModelError as exc:
        print(exc.document.diagnostic(exc.pointer, "ref-resolves", str(exc)))
        return EXIT_UNUSABLE
    write_site(files, Path(args.out))
    print(f"{len(specs)} spec(s): {len(files)} files in {args.out}/ (open {args.out}/index.html)")
    return EXIT_OK


def cmd_seed_diff(args: argparse.Namespace) -> int:
    """Which operations' seed blocks changed between two versions of a vendor page (--rewrite: follow them)."""
    from generator import seed_diff

    try:
        reports, line_map = seed_diff.compare(Path(args.old_seed), Path(args.new_seed), [Path(p) for p in args.specs])
    except seed_diff.SeedDiffError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNUSABLE
    sys.stdout.write(seed_diff.render_json(reports) if args.format == "json" else seed_diff.render_text(reports))
    if args.rewrite:
        for path in seed_diff.rewrite([Path(p) for p in args.specs], Path(args.old_seed), Path(args.new_seed), line_map):
            print(f"rewritten: {display_path(path)}", file=sys.stderr)
    return EXIT_OK


def _summary(specs: int, errors: int, warnings: int, unusable: int) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    parts = [count(errors, "error"), count(warnings, "warning")]
    if unusable:
        parts.append(f"{unusable} unusable")
    verdict = "valid" if errors == 0 and not unusable else "invalid"
    return f"{count(specs, 'spec')} {verdict}: {', '.join(parts)}"


def _report_options(parser: argparse.ArgumentParser, what: str, gates: Sequence[str]) -> None:
    """--format, --fail-on and --ignore, shared by diff and verify."""
    from generator.diff.report import FORMATS

    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="github: GitHub Actions annotations; sarif: SARIF 2.1.0 (code scanning)")
    parser.add_argument("--fail-on", choices=gates, action="append", metavar="LEVEL",
                        help=f"exit 1 when a {what} reaches LEVEL ({', '.join(gates)}); may be repeated")
    parser.add_argument("--ignore", metavar="FILE", help=f"accepted {what}s: one 'RULE-ID WHERE' per line")


def _report(changes: list[Any], args: argparse.Namespace, locate: Callable[[Any], tuple[str, int, int]]) -> int:
    """Print changes or findings in the chosen format; the exit code follows --fail-on."""
    from generator.diff import report

    if args.ignore:
        changes = report.without_ignored(changes, report.read_ignore_file(Path(args.ignore)))
    colour = args.format == "text" and sys.stdout.isatty()
    sys.stdout.write(report.render(changes, args.format, locate, colour))
    return EXIT_PROBLEMS if report.should_fail(changes, args.fail_on) else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-codegen", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="validate specs (openapi-spec-validator + project rules)")
    validate.add_argument("specs", nargs="*", metavar="SPEC", help="spec files (default: spec/*.yaml)")
    validate.add_argument("--curated", action="store_true",
                          help="apply the curation conventions (snake_case operationIds, tags, summaries, "
                               "x-seed) even outside a folder with CURATION.md")
    validate.add_argument("--strict", action="store_true", help="warnings fail too")
    validate.set_defaults(handler=cmd_validate)

    gen = commands.add_parser("generate", help="generate a typed client package per spec")
    gen.add_argument("specs", nargs="*", metavar="SPEC", help="spec files (default: spec/*.yaml)")
    gen.add_argument("--out", help="folder that receives one package folder per spec (default: the configuration's"
                                   " `out`, else generated)")
    gen.add_argument("--package", help="Python package name (one SPEC only; default crm_<spec name>)")
    gen.add_argument("--check", action="store_true", help="write nothing; exit 1 and list stale files if any")
    gen.add_argument("--formatter", choices=FORMATTERS, default="black",
                     help="black (default, the formatter of record), ruff (black-compatible, faster) or none")
    gen.set_defaults(handler=cmd_generate)

    from generator.diff import report  # light: the format and gate names

    diff = commands.add_parser("diff", help="what changed between two versions of a spec, breaking or not")
    diff.add_argument("old", metavar="OLD", help="spec file or REVISION:path (git)")
    diff.add_argument("new", metavar="NEW", help="spec file or REVISION:path (git)")
    _report_options(diff, "change", report.FAIL_ON)
    diff.add_argument("--deprecation-days", type=int, default=0, metavar="N",
                      help="deprecating needs an x-sunset at least N days away (0: a sunset is optional)")
    diff.add_argument("--date", metavar="YYYY-MM-DD", help="the day sunsets are judged against (default: today, UTC)")
    diff.set_defaults(handler=cmd_diff)

    verify = commands.add_parser("verify", help="check recorded traffic (HAR or JSON lines) against a spec")
    verify.add_argument("spec", metavar="SPEC")
    verify.add_argument("traffic", metavar="TRAFFIC", help="a .har file or JSON lines of request/response pairs")
    _report_options(verify, "finding", ("error", "warning"))
    verify.set_defaults(handler=cmd_verify)

    docs = commands.add_parser("docs", help="render the static HTML documentation site")
    docs.add_argument("specs", nargs="*", metavar="SPEC", help="spec files (default: spec/*.yaml)")
    docs.add_argument("--out", default="site", help="output folder (replaced as a whole)")
    docs.set_defaults(handler=cmd_docs)

    seeds = commands.add_parser("seed-diff", help="which operations a republished vendor page changed or moved")
    seeds.add_argument("old_seed", metavar="OLD_SEED", help="the seed file the specs' x-seed lines cite")
    seeds.add_argument("new_seed", metavar="NEW_SEED", help="the republished page")
    seeds.add_argument("specs", nargs="+", metavar="SPEC")
    seeds.add_argument("--format", choices=("text", "json"), default="text")
    seeds.add_argument("--rewrite", action="store_true",
                       help="move the specs' x-seed lines and their CURATION.md citations to the new seed")
    seeds.set_defaults(handler=cmd_seed_diff)
    proxy = commands.add_parser("proxy", help="a validating reverse proxy: forward, record, mark non-conforming "
                                              "exchanges")
    proxy.add_argument("spec", metavar="SPEC")
    proxy.add_argument("--upstream", required=True, metavar="URL", help="where requests are forwarded")
    proxy.add_argument("--port", type=int, default=8080, help="port (0: any free port)")
    proxy.add_argument("--host", default="127.0.0.1")
    proxy.add_argument("--record", metavar="FILE", help="append each exchange as a JSON line `verify` reads")
    proxy.set_defaults(handler=cmd_proxy)

    mock = commands.add_parser("mock", help="serve a mock of a spec that answers with its examples")
    mock.add_argument("spec", metavar="SPEC")
    mock.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    mock.add_argument("--host", default="127.0.0.1")
    mock.add_argument("--credential", action="append", default=[], metavar="VALUE",
                      help="accept only this credential value (repeatable); default: any well-formed one")
    mock.set_defaults(handler=cmd_mock)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a subcommand, never letting a traceback out unless --debug."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_UNUSABLE
    except Exception as exc:  # a bug of ours: one line, unless asked for more
        if args.debug:
            traceback.print_exc()
        where = display_path(Path(args.specs[0])) if getattr(args, "specs", None) else "crm-codegen"
        print(f"{where}:1:1: internal-error: {type(exc).__name__}: {exc} (run with --debug for a traceback)",
              file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
