"""Formatting generated Python: black (the formatter of record), cheaply.

Black formats each top-level definition of a module on its own terms, so a module is
cut before each top-level class and function and every piece is formatted once: pieces
seen before come from a content-addressed cache (regenerating after a small spec change
formats only what changed), new ones are spread over the cores. A class is cut again
before its second and later methods (one tag class holds every method of a tag): each
method is formatted inside a stand-in class and put back one blank line apart, as black
puts methods. Adjacent fields of a class body (each with its docstring) are cut apart too,
each formatted alone in a stand-in class: black lays out each statement on its own and puts
no blank line between such neighbours, and the models of a large API repeat many fields,
which are then formatted once. The server's long tuple of routes is cut the same way, one
element apart. The joined result is what black gives for the whole file (the tests hold it
to that). Black workers run at a lower priority, so the models process (the longest single
step) keeps a core while they share the other.
`ruff format` is the fast black-compatible alternative; `none` leaves code as emitted.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

FORMATTERS = ("black", "ruff", "none")
PARALLEL_THRESHOLD = 200_000  # characters still to format: below this one process is faster
NICENESS = 5  # black workers yield to the models process (the longest single step) when the cores are busy
# Before a top-level class, function or decorator black always puts two blank lines.
_LEADING_COMMENT = re.compile(r"# [^\n]*\S\n(?=[^\s#])")
_BOUNDARY = re.compile(r"\n(?:[ \t]*\n)+(?=class |def |async def |@)")
# Before a method (or its decorator) that follows the body of another, black puts one blank line.
_METHOD_BOUNDARY = re.compile(r"\n        [^\n]*(\n(?:[ \t]*\n)+)(?=    (?:def |async def |@))")
_STAND_IN = "class _:\n"
_CLASS = re.compile(r"(?:@[^\n]*\n)*class ")  # a class piece, decorated or not
_FIELD_STAND_IN = "class __:\n"
_FIELD = (ast.Assign, ast.AnnAssign)
SOURCE_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # a line with its end, as `ast` counts lines
# A top-level tuple of calls, one per line at one indent (the server's ROUTES); its elements are
# formatted apart, each followed by two filler items so the stand-in tuple stays exploded.
_TUPLE_OPENING = re.compile(r"(?:^|\n)\w+: tuple\[\w+, \.\.\.\] = \(\n")
_TUPLE_ELEMENT = re.compile(r"(?:^|(?<=\n))    \w+\(\n")
_TUPLE_STAND_IN = "_ = (\n"
_TUPLE_END = "    0,\n    0,\n)\n"  # two filler items and the closing bracket, as black leaves them


MARSHAL_SUFFIX = f".py{sys.version_info[0]}{sys.version_info[1]}.marshal"  # marshal's format is this Python's own


class FormatError(Exception):
    """A formatter rejected generated code (a generator bug): names the file."""


def cache_folder() -> Path:
    """Where formatted pieces are remembered between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crm-codegen"


def split_module(source: str) -> list[str]:
    """A module's top-level pieces, cut before each top-level class, function and decorator."""
    return _BOUNDARY.split(source)


def split_class(piece: str) -> list[str]:
    """What black formats apart in a piece: itself, or a class up to a method and each method after it.

    A method is cut off only where the line before it is in a body (indented twice), so
    what precedes it is never a comment, decorator or class-level statement.
    """
    cuts = [match.span(1) for match in _METHOD_BOUNDARY.finditer(piece)] if piece.startswith("class ") else []
    if not cuts:
        return split_fields(piece)
    ends = [start for start, _ in cuts[1:]] + [len(piece)]
    return split_fields(piece[:cuts[0][0]]) + [_STAND_IN + piece[end:next_start]
                                               for (_, end), next_start in zip(cuts, ends)]


def split_fields(head: str) -> list[str]:
    """A class up to its second method, cut before each field (assignment) that directly follows
    another field or a field's docstring.

    The first part keeps the class line, its docstring and first field; each later part is a
    field (with its docstring) or more in a stand-in class. Nothing is cut where a blank line,
    a comment or a statement of another kind comes between, so black puts no blank line at
    any cut.
    """
    try:
        (node,) = ast.parse(head).body
    except (SyntaxError, ValueError):  # black reports what is wrong with it
        return [head]
    if not isinstance(node, ast.ClassDef):
        return [head]
    starts = [later.lineno - 1 for index, (earlier, later) in enumerate(itertools.pairwise(node.body))
              if (isinstance(earlier, _FIELD) or (index and is_lone_string(earlier))) and isinstance(later, _FIELD)
              and later.lineno == (earlier.end_lineno or earlier.lineno) + 1 and later.col_offset == 4]
    if not starts:
        return [head]
    lines = SOURCE_LINE.findall(head)
    bounds = [0, *starts, len(lines)]
    parts = ["".join(lines[start:end]) for start, end in zip(bounds, bounds[1:])]
    return [parts[0]] + [_FIELD_STAND_IN + part for part in parts[1:]]


def is_lone_string(statement: ast.stmt) -> bool:
    """A string on its own (a docstring: of a module, class or function, or of the field before it)."""
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def join_class(formatted: list[str]) -> str:
    """Formatted parts of `split_class` back into one piece."""
    head = [part.removeprefix(_FIELD_STAND_IN).strip("\n") for part in formatted
            if not part.startswith(_STAND_IN)]
    methods = [part.removeprefix(_STAND_IN).strip("\n") for part in formatted if part.startswith(_STAND_IN)]
    return "\n\n".join(["\n".join(head), *methods])


def split_piece(piece: str) -> list[str]:
    """What black formats apart in a top-level piece: a class's fields and methods, a long tuple's elements."""
    return split_class(piece) if _CLASS.match(piece) else split_tuple(piece)


def join_piece(formatted: list[str]) -> str:
    """Formatted parts of `split_piece` back into one piece."""
    if len(formatted) > 1 and formatted[1].startswith(_TUPLE_STAND_IN):
        return join_tuple(formatted)
    return join_class(formatted)


def split_tuple(piece: str) -> list[str]:
    """A piece ending in a long tuple of calls (the server's `ROUTES`): its head and each element
    apart, each in a stand-in tuple of two or more items (so its trailing comma keeps it exploded,
    as in the whole tuple); else the piece itself."""
    opening = next(reversed(list(_TUPLE_OPENING.finditer(piece))), None)  # the tuple that ends the piece
    if opening is None or not piece.rstrip().endswith("\n)"):
        return [piece]
    body = piece[opening.end():piece.rstrip().rindex("\n)") + 1]
    starts = [match.start() for match in _TUPLE_ELEMENT.finditer(body)]
    if len(starts) < 2 or starts[0] != 0:
        return [piece]
    elements = [body[start:end] for start, end in zip(starts, starts[1:] + [len(body)])]
    return [piece[:opening.end()] + _TUPLE_END] + [_TUPLE_STAND_IN + element + _TUPLE_END for element in elements]


def join_tuple(formatted: list[str]) -> str:
    """Formatted parts of `split_tuple` back into one piece."""
    if len(formatted) == 1:
        return formatted[0]
    head = formatted[0].removesuffix(_TUPLE_END).rstrip("\n")
    elements = [part.removeprefix(_TUPLE_STAND_IN).removesuffix(_TUPLE_END).rstrip("\n") for part in formatted[1:]]
    return "\n".join([head, *elements, ")"]) + "\n"


def _cut(source: str) -> list[list[str]]:
    """A module (after its leading comment line) cut into what black formats apart, by top-level piece."""
    body = source[len(_leading_comment(source)):]
    return [[ended(unit) for unit in split_piece(piece)] for piece in split_module(body) if piece.strip()]


def pieces(source: str) -> list[str]:
    """Every piece black formats apart in a module, in order."""
    return [unit for units in _cut(source) for unit in units]


def ended(unit: str) -> str:
    """A piece ending in one newline, as black ends what it formats: black then makes no second pass
    over a piece it leaves unchanged."""
    return unit.rstrip("\n") + "\n"


def _leading_comment(source: str) -> str:
    """The first line when it is a comment directly followed by code (black keeps such a line as written)."""
    match = _LEADING_COMMENT.match(source)
    return match.group(0) if match else ""


def join_module(pieces: list[str]) -> str:
    """Formatted pieces back into one module, two blank lines apart as black puts them."""
    return "\n\n\n".join(piece.strip("\n") for piece in pieces if piece.strip()) + "\n"


def _black_mode() -> object:
    import black

    from black.mode import TargetVersion

    return black.Mode(target_versions={TargetVersion.PY311})


def _black_batch(batch: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Format (label, piece) pairs; the label names the file in errors."""
    import black

    mode = _black_mode()
    result = []
    for label, piece in batch:
        try:
            result.append((label, black.format_str(piece, mode=mode)))  # type: ignore[arg-type]
        except Exception as exc:  # black raises several kinds; the file is what matters
            raise FormatError(f"{label}: black cannot format the generated code: {str(exc).splitlines()[0]}") from None
    return result


def _batches(items: list[tuple[str, str]], count: int) -> list[list[tuple[str, str]]]:
    """Split work into `count` batches of similar size, biggest pieces first."""
    batches: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    sizes = [0] * count
    for item in sorted(items, key=lambda item: -len(item[1])):
        smallest = sizes.index(min(sizes))
        batches[smallest].append(item)
        sizes[smallest] += len(item[1])
    return [batch for batch in batches if batch]


class BlackFormatter:
    """Black over module pieces, with a cache per output folder."""

    def __init__(self, cache_key: str):
        from importlib.metadata import version

        self.version = version("black")
        self.cache_path = cache_folder() / f"black-{hashlib.sha256(cache_key.encode()).hexdigest()[:16]}.json"
        self.cache = self._load()

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
            return data["pieces"] if data.get("black") == self.version else {}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def _digest(self, piece: str) -> str:
        return hashlib.sha256(piece.encode("utf-8")).hexdigest()

    def format(self, files: dict[str, str]) -> dict[str, str]:
        """Every module formatted; only pieces the cache has not seen go through black.

        A leading comment line (the generated-file header) is kept apart: black leaves it as
        it is, and a header that names a new spec hash then costs no formatting.
        """
        headers = {name: _leading_comment(source) for name, source in files.items()}
        cut = {name: _cut(source) for name, source in files.items()}
        wanted = {self._digest(u): (name, u) for name, ps in cut.items() for units in ps for u in units}
        missing = [(digest, item) for digest, item in wanted.items() if digest not in self.cache]
        formatted = self._run([item for _, item in missing])
        known = {**self.cache, **{digest: text for (digest, _), text in zip(missing, formatted)}}
        kept = {digest: known[digest] for digest in wanted}
        if kept.keys() != self.cache.keys():  # else the file on disk holds exactly these pieces already
            self.cache = kept
            self._save()
        return {name: headers[name] + join_module([join_piece([known[self._digest(u)] for u in units])
                                                   for units in ps]) for name, ps in cut.items()}

    def _run(self, missing: list[tuple[str, str]]) -> list[str]:
        """Black over (label, piece) pairs, in parallel when there is enough work; texts in order."""
        workers = min(os.cpu_count() or 1, 8)
        if sum(len(piece) for _, piece in missing) < PARALLEL_THRESHOLD or workers == 1:
            return [text for _, text in _black_batch(missing)]
        batches = _batches(missing, workers)
        results: dict[tuple[str, str], str] = {}
        with ProcessPoolExecutor(max_workers=len(batches), initializer=os.nice, initargs=(NICENESS,)) as pool:
            for batch, formatted in zip(batches, pool.map(_black_batch, batches)):
                results.update((item, text) for item, (_, text) in zip(batch, formatted))
        return [results[item] for item in missing]

    def _save(self) -> None:
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.cache_path.with_suffix(".tmp")
            temporary.write_text(json.dumps({"black": self.version, "pieces": self.cache}), encoding="utf-8")
            os.replace(temporary, self.cache_path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _ruff(name: str, source: str) -> str:
    process = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", name, "--target-version", "py311", "-"],
        input=source, capture_output=True, text=True,
    )
    if process.returncode != 0:
        raise FormatError(f"{name}: ruff cannot format the generated code: {process.stderr.strip()[:200]}")
    return process.stdout


def format_files(files: dict[Path, str], formatter: str, cache_key: str) -> dict[Path, str]:
    """Format every Python file; other files pass through."""
    python = {str(path): text for path, text in files.items() if path.suffix == ".py"}
    if formatter == "none" or not python:
        return dict(files)
    if formatter == "ruff":
        formatted = {name: _ruff(name, text) for name, text in python.items()}
    else:
        formatted = BlackFormatter(cache_key).format(python)
    return {path: formatted.get(str(path), text) for path, text in files.items()}
