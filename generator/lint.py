"""Validation: openapi-spec-validator plus the project's own rules.

Each rule is a function taking a `LintContext` and yielding diagnostics; `RULES`
lists them with their ids. Diagnostics are located in the source through the
documents' JSON-pointer locators.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator

from jsonschema.exceptions import ValidationError
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError

from generator.diagnostics import Diagnostic, Level
from generator.load import Document, check_openapi_version, join_pointer, split_pointer
from generator.model import ModelError, Operation, SpecModel
from generator.model.validation import Validators
from generator.refs import RefCycleError, RefError, Resolver, iter_refs
from generator.model.walk import iter_example_holders, iter_schemas

SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
SEED_REFERENCE = re.compile(r"\S+#L\d+")
PATH_TEMPLATE = re.compile(r"{([^{}]+)}")
# Provenance belongs in x-seed, x-curation and CURATION.md, not in text an API user reads.
PROVENANCE_WORDS = re.compile(r"\bseeds?\b|\bCURATION\.md\b|\bcuration log\b|(?<![\w#/])L\d+(?:[-–]L\d+)?\b",
                              re.IGNORECASE)
PROSE_KEYS = ("description", "summary", "title")
VALUE_KEYS = ("example", "examples", "value", "default", "enum", "const")  # data, not prose


@dataclass
class LintContext:
    """What the rules look at: the root document, its resolver and options."""

    document: Document
    resolver: Resolver
    curated: bool
    spec: SpecModel = field(init=False)

    def __post_init__(self) -> None:
        self.spec = SpecModel(self.document, self.resolver)

    @cached_property
    def operations(self) -> list[Operation]:
        """Operations under `paths` and `webhooks`; none when a path item's `$ref` is broken (ref-resolves says so)."""
        try:
            return self.spec.operations + self.spec.webhooks
        except ModelError:
            return []

    @cached_property
    def ref_problems(self) -> list[Diagnostic]:
        """Dangling and looping `$ref`s (every referenced file gets loaded on the way)."""
        return _find_ref_problems(self.resolver)

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data  # type: ignore[no-any-return]

    @property
    def is_v31(self) -> bool:
        return str(self.data.get("openapi", "")).startswith("3.1")

    def at(self, pointer: str, rule: str, message: str, level: Level = Level.ERROR) -> Diagnostic:
        return self.document.diagnostic(pointer, rule, message, level=level)


Rule = Callable[[LintContext], Iterator[Diagnostic]]


def rule_spec_schema(ctx: LintContext) -> Iterator[Diagnostic]:
    """oas-schema: the document is valid per openapi-spec-validator."""
    validator_class = OpenAPIV31SpecValidator if ctx.is_v31 else OpenAPIV30SpecValidator
    validator = validator_class(ctx.data, base_uri=ctx.document.path.resolve().as_uri())
    try:
        # Phase 1, the document against the OpenAPI meta-schema: errors carry absolute paths.
        for error in validator.schema_validator.iter_errors(ctx.data):
            yield ctx.at(join_pointer(list(error.absolute_path)), "oas-schema", _one_line(error.message))
        if ctx.ref_problems:
            return  # phase 2 follows $refs and would only stop on the ones reported already
        # Phase 2, semantic checks (schemas, defaults, parameters): paths are relative, if any.
        for error in validator.root_validator(validator.schema_path):
            if isinstance(error, DuplicateOperationIDError):
                continue  # reported with its location by operation-id-unique
            yield ctx.at(_locate_semantic_error(ctx, error), "oas-schema", _one_line(error.message))
    except Exception as exc:  # the validator could not finish
        yield ctx.at("", "oas-schema", f"openapi-spec-validator stopped: {_one_line(str(exc))[:300]}")


def _locate_semantic_error(ctx: LintContext, error: ValidationError) -> str:
    """Best-effort pointer for an openapi-spec-validator error found inside some schema."""
    relative = list(getattr(error, "path", ()))
    candidates = [relative, ["default", *relative]]  # default values are checked on their own
    for pointer, schema in iter_schemas(ctx.data):
        for path in candidates:
            node: Any = schema
            try:
                for part in path:
                    node = node[part]
            except (LookupError, TypeError):
                continue
            if node is error.instance:
                return pointer + join_pointer(path)
    return ""


def rule_refs_resolve(ctx: LintContext) -> Iterator[Diagnostic]:
    """ref-resolves / ref-cycle: every `$ref` resolves, and no chain of bare `$ref`s loops."""
    return iter(ctx.ref_problems)


def _find_ref_problems(resolver: Resolver) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    scanned: set[Path] = set()
    while pending := [p for p in resolver.documents if p not in scanned]:
        for path in pending:
            scanned.add(path)
            document = resolver.documents[path]
            for pointer, ref in iter_refs(document.data):
                try:
                    resolver.resolve_chain({"$ref": ref}, document, pointer)
                except RefCycleError as exc:
                    if (document.path, pointer) in exc.members:  # on the loop, not merely leading to it
                        problems.append(document.diagnostic(pointer + "/$ref", "ref-cycle", str(exc)))
                except RefError as exc:
                    problems.append(document.diagnostic(pointer + "/$ref", "ref-resolves", str(exc)))
    return problems


def rule_operation_ids_unique(ctx: LintContext) -> Iterator[Diagnostic]:
    """operation-id-unique: no two operations share an operationId."""
    first_seen: dict[str, Operation] = {}
    for op in ctx.operations:
        operation_id = op.operation_id
        if operation_id is None:
            continue
        if operation_id in first_seen:
            message = f"operationId {operation_id!r} is also used by {first_seen[operation_id].label}"
            yield op.document.diagnostic(op.pointer + "/operationId", "operation-id-unique", message)
        else:
            first_seen[operation_id] = op


def rule_operation_id_style(ctx: LintContext) -> Iterator[Diagnostic]:
    """operation-id / operation-id-snake-case (conventions): every operation has a snake_case id."""
    for op in ctx.operations:
        operation_id = op.operation_id
        if not operation_id:
            yield op.document.diagnostic(op.pointer, "operation-id", f"{op.label} has no operationId")
        elif not SNAKE_CASE.fullmatch(operation_id):
            message = f"operationId {operation_id!r} is not snake_case"
            yield op.document.diagnostic(op.pointer + "/operationId", "operation-id-snake-case", message)


def rule_operation_docs(ctx: LintContext) -> Iterator[Diagnostic]:
    """operation-tags / operation-summary (conventions): every operation has a tag and a summary."""
    for op in ctx.operations:
        if not op.tags:
            yield op.document.diagnostic(op.pointer, "operation-tags", f"{op.label} has no tag")
        if not op.summary:
            yield op.document.diagnostic(op.pointer, "operation-summary", f"{op.label} has no summary")


def rule_seed_provenance(ctx: LintContext) -> Iterator[Diagnostic]:
    """x-seed (conventions): every operation names the seed block it was transcribed from."""
    for op in ctx.operations:
        seed = op.raw.get("x-seed")
        if seed is None:
            yield op.document.diagnostic(op.pointer, "x-seed", f"{op.label} has no x-seed (curated specs name their "
                                         "seed block)")
        elif not SEED_REFERENCE.fullmatch(str(seed)):
            yield op.document.diagnostic(op.pointer + "/x-seed", "x-seed",
                                         f"x-seed {seed!r} is not of the form FILE#L<line>")


def rule_provenance_prose(ctx: LintContext) -> Iterator[Diagnostic]:
    """provenance-prose (conventions): descriptions, summaries and titles do not talk about the seed."""
    stack: list[tuple[list[Any], Any]] = [([], ctx.data)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, list):
            stack.extend((parts + [i], item) for i, item in enumerate(node))
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            is_data = key in VALUE_KEYS and not _is_examples_map(key, value) and parts[-1:] != ["responses"]
            if str(key).startswith("x-") or is_data:
                continue
            if key in PROSE_KEYS and isinstance(value, str) and (found := PROVENANCE_WORDS.search(value)):
                message = f"{key} mentions {found[0]!r}: provenance goes in x-seed, x-curation or CURATION.md"
                yield ctx.at(join_pointer(parts + [key]), "provenance-prose", message)
            else:
                stack.append((parts + [key], value))


def _is_examples_map(key: str, value: Any) -> bool:
    """A media type's or parameter's `examples` (Example Objects, whose summaries are prose)."""
    return key == "examples" and isinstance(value, dict)


def rule_path_parameters(ctx: LintContext) -> Iterator[Diagnostic]:
    """path-params: the `{names}` in a path and its declared path parameters match."""
    for op in ctx.operations:
        if op.section != "paths":
            continue
        try:
            declared = {p.name: p for p in op.parameters if p.location == "path"}
        except ModelError:
            continue  # a parameter's $ref does not resolve: ref-resolves reports it
        templated = PATH_TEMPLATE.findall(op.path)
        for name in templated:
            if name not in declared:
                yield op.document.diagnostic(op.pointer, "path-params",
                                             f"{op.label}: path parameter {{{name}}} is not declared")
        for name, parameter in declared.items():
            if name not in templated:
                yield parameter.document.diagnostic(parameter.pointer, "path-params",
                                                    f"{op.label}: path parameter {name!r} is not in the path")


def rule_security_schemes(ctx: LintContext) -> Iterator[Diagnostic]:
    """security-defined: every security requirement names a declared security scheme."""
    schemes = ((ctx.data.get("components") or {}).get("securitySchemes")) or {}
    owners = [(ctx.document, "", ctx.data)] + [(op.document, op.pointer, op.raw) for op in ctx.operations]
    for document, pointer, owner in owners:
        for i, requirement in enumerate(owner.get("security") or []):
            for name in requirement if isinstance(requirement, dict) else ():
                if name not in schemes:
                    message = f"security scheme {name!r} is not declared in components.securitySchemes"
                    yield document.diagnostic(f"{pointer}/security/{i}", "security-defined", message)


def rule_unused_schemas(ctx: LintContext) -> Iterator[Diagnostic]:
    """unused-schema (warning): component schemas that no operation reaches through `$ref`s."""
    schemas = (ctx.data.get("components") or {}).get("schemas") or {}
    prefix = "#/components/schemas/"
    edges: dict[str, set[str]] = defaultdict(set)
    reached: set[str] = set()
    for pointer, ref in iter_refs(ctx.data):
        if not ref.startswith(prefix):
            continue
        target = split_pointer(ref[1:])[2]
        parts = split_pointer(pointer)
        if parts[:2] == ["components", "schemas"] and len(parts) > 2:
            edges[parts[2]].add(target)
        else:
            reached.add(target)
    pending = list(reached)
    while pending:
        for target in edges.pop(pending.pop(), ()):
            if target not in reached:
                reached.add(target)
                pending.append(target)
    for name in schemas:
        if name not in reached:
            yield ctx.at(join_pointer(["components", "schemas", name]), "unused-schema",
                         f"schema {name!r} is never used", Level.WARNING)


def rule_examples_valid(ctx: LintContext) -> Iterator[Diagnostic]:
    """example-valid: every example validates against the schema it illustrates."""
    checker = _ExampleChecker(ctx)
    for pointer, holder in iter_example_holders(ctx.data):
        if "schema" not in holder:
            continue
        schema_pointer = pointer + "/schema"
        if "example" in holder:
            yield from checker.check(holder["example"], schema_pointer, pointer + "/example")
        for name, example in (holder.get("examples") or {}).items():
            example_pointer = f"{pointer}/examples/{join_pointer([name])[1:]}"
            try:
                document, resolved_pointer, example = ctx.resolver.resolve_chain(example, ctx.document, example_pointer)
            except RefError:
                continue  # reported by ref-resolves
            if isinstance(example, dict) and "value" in example:
                yield from checker.check(example["value"], schema_pointer, resolved_pointer + "/value", document)
    for pointer, schema in iter_schemas(ctx.data):
        if "example" in schema:
            yield from checker.check(schema["example"], pointer, pointer + "/example")
        if ctx.is_v31 and isinstance(schema.get("examples"), list):
            for i, value in enumerate(schema["examples"]):
                yield from checker.check(value, pointer, f"{pointer}/examples/{i}")


class _ExampleChecker:
    """Validates examples against the root document's schemas, `$ref`s included, with formats."""

    def __init__(self, ctx: LintContext):
        self.ctx = ctx
        self.validators = Validators(ctx.spec)

    def check(self, value: Any, schema_pointer: str, example_pointer: str,
              document: Document | None = None) -> Iterator[Diagnostic]:
        document = document or self.ctx.document
        try:
            validator = self.validators.at(self.ctx.document, schema_pointer)
            errors = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
        except Exception as exc:  # an unresolvable or malformed schema: reported by other rules
            yield document.diagnostic(example_pointer, "example-valid", f"cannot check example: {_one_line(str(exc))}")
            return
        for error in errors:
            where = example_pointer + join_pointer(list(error.absolute_path))
            inside = "/" + "/".join(map(str, error.absolute_path)) if error.absolute_path else "the example"
            yield document.diagnostic(where, "example-valid", f"{inside} does not match the schema: {_short(error)}")


def _short(error: ValidationError) -> str:
    return _one_line(error.message)[:200]


def _one_line(text: str) -> str:
    return " ".join(text.split())


# Rules for every OpenAPI document: what makes a spec wrong or unusable.
CORRECTNESS_RULES: list[Rule] = [
    rule_refs_resolve,
    rule_spec_schema,
    rule_operation_ids_unique,
    rule_path_parameters,
    rule_security_schemes,
    rule_unused_schemas,
    rule_examples_valid,
]
# The project's conventions for curated specs (DESIGN.md): applied to spec/ and on request.
CONVENTION_RULES: list[Rule] = [
    rule_operation_id_style,
    rule_operation_docs,
    rule_seed_provenance,
    rule_provenance_prose,
]


def lint_document(document: Document, curated: bool = False) -> list[Diagnostic]:
    """All diagnostics for one loaded document, sorted by position."""
    check_openapi_version(document)
    ctx = LintContext(document=document, resolver=Resolver(document), curated=curated)
    rules = CORRECTNESS_RULES + (CONVENTION_RULES if curated else [])
    diagnostics = {d for rule in rules for d in rule(ctx)}
    return sorted(diagnostics)
