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
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from generator.diagnostics import Diagnostic, Level, SpecInputError
from generator.load import Document, check_openapi_version, join_pointer, load_document, split_pointer
from generator.refs import RefCycleError, RefError, Resolver, iter_refs
from generator.walk import OperationSite, iter_example_holders, iter_operations, iter_schemas

SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
SEED_REFERENCE = re.compile(r"\S+#L\d+")
PATH_TEMPLATE = re.compile(r"{([^{}]+)}")


@dataclass
class LintContext:
    """What the rules look at: the root document, its resolver and options."""

    document: Document
    resolver: Resolver
    curated: bool
    operations: list[OperationSite] = field(init=False)

    def __post_init__(self) -> None:
        self.operations = list(iter_operations(self.document.data))

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

    def deref(self, node: Any) -> Any:
        """`node` with bare `$ref`s followed; None when they do not resolve."""
        try:
            return self.resolver.resolve_chain(node, self.document, "")[2]
        except RefError:
            return None


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
    first_seen: dict[str, OperationSite] = {}
    for site in ctx.operations:
        operation_id = site.operation.get("operationId")
        if operation_id is None:
            continue
        if operation_id in first_seen:
            other = first_seen[operation_id]
            message = f"operationId {operation_id!r} is also used by {other.method.upper()} {other.path}"
            yield ctx.at(site.pointer + "/operationId", "operation-id-unique", message)
        else:
            first_seen[operation_id] = site


def rule_operation_id_style(ctx: LintContext) -> Iterator[Diagnostic]:
    """operation-id / operation-id-snake-case (conventions): every operation has a snake_case id."""
    for site in ctx.operations:
        operation_id = site.operation.get("operationId")
        if not operation_id:
            yield ctx.at(site.pointer, "operation-id", f"{site.method.upper()} {site.path} has no operationId")
        elif not SNAKE_CASE.fullmatch(str(operation_id)):
            message = f"operationId {operation_id!r} is not snake_case"
            yield ctx.at(site.pointer + "/operationId", "operation-id-snake-case", message)


def rule_operation_docs(ctx: LintContext) -> Iterator[Diagnostic]:
    """operation-tags / operation-summary (conventions): every operation has a tag and a summary."""
    for site in ctx.operations:
        label = f"{site.method.upper()} {site.path}"
        if not site.operation.get("tags"):
            yield ctx.at(site.pointer, "operation-tags", f"{label} has no tag")
        if not site.operation.get("summary"):
            yield ctx.at(site.pointer, "operation-summary", f"{label} has no summary")


def rule_seed_provenance(ctx: LintContext) -> Iterator[Diagnostic]:
    """x-seed (conventions): every operation names the seed block it was transcribed from."""
    for site in ctx.operations:
        seed = site.operation.get("x-seed")
        label = f"{site.method.upper()} {site.path}"
        if seed is None:
            yield ctx.at(site.pointer, "x-seed", f"{label} has no x-seed (curated specs name their seed block)")
        elif not SEED_REFERENCE.fullmatch(str(seed)):
            yield ctx.at(site.pointer + "/x-seed", "x-seed", f"x-seed {seed!r} is not of the form FILE#L<line>")


def rule_path_parameters(ctx: LintContext) -> Iterator[Diagnostic]:
    """path-params: the `{names}` in a path and its declared path parameters match."""
    for site in ctx.operations:
        if not site.pointer.startswith("/paths/"):
            continue
        templated = PATH_TEMPLATE.findall(site.path)
        declared: dict[str, str] = {}
        item_pointer = site.pointer.rsplit("/", 1)[0]
        for owner, owner_pointer in ((site.path_item, item_pointer), (site.operation, site.pointer)):
            for i, parameter in enumerate(owner.get("parameters") or []):
                parameter = ctx.deref(parameter)
                if isinstance(parameter, dict) and parameter.get("in") == "path":
                    declared[str(parameter.get("name"))] = f"{owner_pointer}/parameters/{i}"
        label = f"{site.method.upper()} {site.path}"
        for name in templated:
            if name not in declared:
                yield ctx.at(site.pointer, "path-params", f"{label}: path parameter {{{name}}} is not declared")
        for name, pointer in declared.items():
            if name not in templated:
                yield ctx.at(pointer, "path-params", f"{label}: path parameter {name!r} is not in the path")


def rule_security_schemes(ctx: LintContext) -> Iterator[Diagnostic]:
    """security-defined: every security requirement names a declared security scheme."""
    schemes = ((ctx.data.get("components") or {}).get("securitySchemes")) or {}
    owners = [("", ctx.data)] + [(site.pointer, site.operation) for site in ctx.operations]
    for pointer, owner in owners:
        for i, requirement in enumerate(owner.get("security") or []):
            for name in requirement if isinstance(requirement, dict) else ():
                if name not in schemes:
                    message = f"security scheme {name!r} is not declared in components.securitySchemes"
                    yield ctx.at(f"{pointer}/security/{i}", "security-defined", message)


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
    """Validates values against schemas of the document, `$ref`s included, with formats."""

    def __init__(self, ctx: LintContext):
        self.ctx = ctx
        self.validator_class = OAS31Validator if ctx.is_v31 else OAS30Validator
        specification = DRAFT202012 if ctx.is_v31 else DRAFT4
        self.registry: Registry = Registry(retrieve=self._retrieve).with_resource(  # type: ignore[call-arg]
            self._uri(ctx.document), Resource(contents=ctx.data, specification=specification)
        )
        self.specification = specification
        self._validators: dict[str, Any] = {}  # one per schema, shared by its examples

    @staticmethod
    def _uri(document: Document) -> str:
        return document.path.resolve().as_uri()

    def _retrieve(self, uri: str) -> Resource[Any]:
        path = Path(uri.removeprefix("file://"))
        document = self.ctx.resolver.documents.get(path) or load_document(path)
        return Resource(contents=document.data, specification=self.specification)

    def check(self, value: Any, schema_pointer: str, example_pointer: str,
              document: Document | None = None) -> Iterator[Diagnostic]:
        document = document or self.ctx.document
        validator = self._validators.get(schema_pointer)
        if validator is None:
            schema = {"$ref": f"{self._uri(self.ctx.document)}#{schema_pointer}"}
            validator = self.validator_class(
                schema, registry=self.registry, format_checker=self.validator_class.FORMAT_CHECKER
            )
            self._validators[schema_pointer] = validator
        try:
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
]


def lint_document(document: Document, curated: bool = False) -> list[Diagnostic]:
    """All diagnostics for one loaded document, sorted by position."""
    check_openapi_version(document)
    ctx = LintContext(document=document, resolver=Resolver(document), curated=curated)
    rules = CORRECTNESS_RULES + (CONVENTION_RULES if curated else [])
    diagnostics = {d for rule in rules for d in rule(ctx)}
    return sorted(diagnostics)
