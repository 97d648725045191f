"""Schemas for code generation: model names, Python annotations and the models document.

Every schema a generated module needs is given one Python-safe class name here; the
models document handed to datamodel-code-generator holds exactly those schemas under
those names, with every `$ref` rewritten to them, so both sides agree on names.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from generator.load import Document, extend_pointer, join_pointer, split_pointer
from generator.naming import RESERVED, UniqueNames, pascal_case
from generator.model.schema import schema_types
from generator.refs import RefError, Resolver

COMPONENT_PREFIX = "#/components/schemas/"
PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
PARAMETER_FORMATS = {"date-time": "datetime.datetime", "date": "datetime.date"}
Target = tuple[str, str]  # (document path, JSON pointer)
# Keywords beside a `$ref` that only describe it; any other sibling (3.1) also constrains the value.
REF_ANNOTATIONS = {"$ref", "description", "title", "summary", "$comment", "default", "example", "examples",
                   "deprecated", "readOnly", "writeOnly"}
UNSATISFIABLE = "the schema `false` allows no value at all, so no model can be generated for it"


class UnsupportedSchema(Exception):
    """A schema construct the generator cannot turn into code; names where it is."""

    def __init__(self, document: Document, pointer: str, message: str):
        super().__init__(message)
        self.diagnostic = document.diagnostic(pointer, "generate-unsupported", message)


@dataclass
class SchemaRegistry:
    """Names every schema the generated code refers to and collects them for the models."""

    resolver: Resolver
    unique: UniqueNames = field(default_factory=lambda: UniqueNames(RESERVED))
    names: dict[Target, str] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)
    _pending: list[tuple[str, Document, str]] = field(default_factory=list)
    # structure of a hoisted schema -> the (name, pointer) of each place it sits -> the schema there
    _candidates: dict[str, dict[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)
    _shapes: dict[str, str] = field(default_factory=dict)  # structure of a hoisted schema -> its model
    _null_variant: bool = True  # OpenAPI 3.1: a nullable hoisted schema is `anyOf: [$ref, null]`
    _consulted: set[Target] = field(default_factory=set)  # schemas read past on the way to a named one

    def __post_init__(self) -> None:
        root = self.resolver.root
        self._is_v31 = str(root.data.get("openapi", "")).startswith("3.1")
        for name in sorted((root.data.get("components") or {}).get("schemas") or {}):  # order-free names
            self.name_of(root, join_pointer(["components", "schemas", name]), name)

    def name_of(self, document: Document, pointer: str, hint: str) -> str:
        """The class name of the schema at (document, pointer), assigned on first request."""
        target = (str(document.path), pointer)
        if target not in self.names:
            name = self.unique.claim(pascal_case(hint))
            self.names[target] = name
            self._pending.append((name, document, pointer))
        return self.names[target]

    def component_names(self) -> dict[str, str]:
        """The class name of each component schema of the root document, by its key."""
        root = str(self.resolver.root.path)
        prefix = "/components/schemas/"
        return {split_pointer(pointer)[-1]: name for (path, pointer), name in self.names.items()
                if path == root and pointer.startswith(prefix) and len(split_pointer(pointer)) == 3}

    def models_document(self, openapi_version: str) -> dict[str, Any]:
        """The document for datamodel-code-generator: every named schema, `$ref`s rewritten.

        Inline schemas that become classes are hoisted and named from where they sit:
        property `identity` of `Contact` is `ContactIdentity`, its array items
        `ContactIdentityItem`, the second inline variant of a union `...Option2`.
        """
        self._null_variant = openapi_version.startswith("3.1")
        named = []
        while self._pending:  # first pass: every place each inline shape sits, and the names it suggests
            named.append(self._pending.pop(0))
            if self._value(named[-1][1], named[-1][2]) is False:
                raise UnsupportedSchema(named[-1][1], named[-1][2], UNSATISFIABLE)
            self._rewrite(self._value(named[-1][1], named[-1][2]), named[-1][1], named[-1][2], named[-1][0])
        for shape, places in sorted(self._candidates.items(), key=lambda item: (min(item[1]), item[0])):
            self._shapes[shape] = self.unique.claim(min(places)[0])  # the same name whatever the order
        for name, document, pointer in named:
            self.models[name] = self._rewrite(self._value(document, pointer), document, pointer, name)
        ordered = {name: self.models[name] for name in sorted(self.models)}
        return {
            "openapi": openapi_version,
            "info": {"title": "models", "version": "0"},
            "paths": {},
            "components": {"schemas": ordered},
        }

    def inputs(self, openapi_version: str) -> Any | None:
        """What, besides the schemas' contents, `models_document` starts from (JSON data); None when
        that is more than this shows: schemas in other files, `$anchor`s, or a document already made.

        The same inputs and the same contents at `sources()` give the same models document.
        """
        root = str(self.resolver.root.path)
        if self.models or len(self.resolver.documents) > 1 or any(path != root for path, _ in self.names):
            return None
        return {"openapi": openapi_version, "names": [[name, pointer] for name, _, pointer in self._pending],
                "taken": sorted(self.unique.taken)}

    def sources(self) -> list[str] | None:
        """After `models_document`: the pointers of the root document's parts it read (none inside another),
        or None when it read more than those (another file, a `$anchor`)."""
        root = str(self.resolver.root.path)
        read = set(self.names) | self._consulted
        if len(self.resolver.documents) > 1 or self.resolver.anchors_used or any(path != root for path, _ in read):
            return None
        pointers = {pointer for _, pointer in read}
        return sorted(pointer for pointer in pointers  # an escaped pointer's ancestors end before a `/`
                      if not any(pointer[:i] in pointers for i, char in enumerate(pointer) if char == "/"))

    def _value(self, document: Document, pointer: str) -> Any:
        node = document.data
        for part in split_pointer(pointer):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def _rewrite(self, node: Any, document: Document, pointer: str, owner: str | None) -> Any:
        """A copy of a schema whose `$ref`s point at registry names (examples copied as they are).

        `owner` is the class name the schema's inline parts are named after; None where a
        schema only constrains (`not`, `if`/`then`/`else`, ...) and nothing is hoisted.

        Boolean schemas: `true` allows anything; a `false` property can never be present and
        is left out; `false` in `anyOf`/`oneOf` matches nothing (datamodel-code-generator drops
        it); `false` as a whole schema, in `allOf` or as a required property allows no value
        at all and is refused.
        """
        if isinstance(node, list):
            return [self._rewrite(item, document, f"{pointer}/{i}", owner) for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        _refuse_unsatisfiable(node, document, pointer)
        if self._is_v31 and isinstance(node.get("$ref"), str) and set(node) - REF_ANNOTATIONS:
            # 3.1: `$ref` beside other keywords applies both; allOf says so to every tool
            siblings = {key: value for key, value in node.items() if key not in ("$ref", "allOf")}
            node = {**siblings, "allOf": [{"$ref": node["$ref"]}, *(node.get("allOf") or [])]}
        result: dict[str, Any] = {}
        for key, value in node.items():
            child = extend_pointer(pointer, key)
            if key == "$ref" and isinstance(value, str):
                in_all_of = split_pointer(pointer)[-2:-1] == ["allOf"]
                result[key] = COMPONENT_PREFIX + self._ref_name(value, document, pointer, follow_aliases=in_all_of)
            elif key in ("example", "examples", "default", "enum", "const"):
                result[key] = copy.deepcopy(value)
            elif key == "discriminator" and isinstance(value, dict) and isinstance(value.get("mapping"), dict):
                where = extend_pointer(pointer, key, "mapping")
                mapping = {tag: COMPONENT_PREFIX + self._mapping_name(str(target), document, where)
                           for tag, target in value["mapping"].items()}
                result[key] = {**copy.deepcopy(value), "mapping": mapping}
            elif key == "properties" and isinstance(value, dict):
                result[key] = {
                    prop: self._position(schema, document, extend_pointer(child, prop),
                                         owner and owner + pascal_case(prop, "Field"))
                    for prop, schema in value.items() if schema is not False
                }
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                suffix = "Item" if key == "items" else "Value"
                result[key] = self._position(value, document, child, owner and owner + suffix)
            elif key in ("oneOf", "anyOf") and isinstance(value, list):
                result[key] = [self._position(item, document, f"{child}/{i}", owner and f"{owner}Option{i + 1}")
                               for i, item in enumerate(value)]
            elif key == "allOf":
                result[key] = self._rewrite(value, document, child, owner)
            else:
                result[key] = self._rewrite(value, document, child, None)
        return result

    def _position(self, node: Any, document: Document, pointer: str, name: str | None) -> Any:
        """A schema where a class may sit: hoisted to a named model when it needs one."""
        if name is None or not isinstance(node, dict) or not hoisted(node):
            return self._rewrite(node, document, pointer, name)
        types = schema_types(node)
        nullable = "null" in types or None in (node.get("enum") or ())
        if nullable and not self._null_variant:
            return self._rewrite(node, document, pointer, name)
        model = self._shared_name(node, document, pointer, name)
        usage: dict[str, Any] = {k: copy.deepcopy(node[k]) for k in USAGE_KEYWORDS if k in node}
        if nullable:
            return {"anyOf": [{"$ref": COMPONENT_PREFIX + model}, {"type": "null"}], **usage}
        return {"$ref": COMPONENT_PREFIX + model, **usage}

    def _shared_name(self, node: dict[str, Any], document: Document, pointer: str, name: str) -> str:
        """The model of an inline schema; structurally identical ones share one, the least of their names.

        The first pass only collects names (and returns a placeholder); the second uses them.
        """
        target = (str(document.path), pointer)
        if target in self.names:
            return self.names[target]
        schema = {k: v for k, v in node.items() if k not in USAGE_KEYWORDS or k == "description"}
        if isinstance(schema.get("type"), list):
            schema["type"] = [t for t in schema["type"] if t != "null"]
        if isinstance(schema.get("enum"), list):
            schema["enum"] = [v for v in schema["enum"] if v is not None]
        shape = str(document.path) + json.dumps(_shape(schema), sort_keys=True)
        if shape not in self._shapes:
            self._candidates.setdefault(shape, {})[(name, pointer)] = schema
            self._rewrite(schema, document, pointer, name)
            return name
        model = self._shapes[shape]
        if model not in self.models:  # written from the place that gave the name (its description)
            origin = min(self._candidates[shape])
            self.models[model] = self._rewrite(self._candidates[shape][origin], document, origin[1], model)
        return model

    def _mapping_name(self, target: str, document: Document, pointer: str) -> str:
        """A discriminator mapping value: a component schema's name, or a `$ref` relative to its file."""
        schemas = (self.resolver.root.data.get("components") or {}).get("schemas") or {}
        if "/" not in target and "#" not in target and target in schemas:
            return self.name_of(self.resolver.root, join_pointer(["components", "schemas", target]), target)
        return self._ref_name(target, document, pointer)

    def _ref_name(self, ref: str, document: Document, pointer: str, follow_aliases: bool = False) -> str:
        """The class name a `$ref` points at; with follow_aliases, past schemas that are only a `$ref`.

        An `allOf` member must be a class to inherit from, not an alias of one (a root model).
        """
        try:
            target_document, target_pointer, target = self.resolver.resolve(ref, document)
            seen = {(target_document.path, target_pointer)}
            while follow_aliases and isinstance(target, dict) and isinstance(target.get("$ref"), str) \
                    and set(target) <= REF_ANNOTATIONS:
                self._consulted.add((str(target_document.path), target_pointer))
                target_document, target_pointer, target = self.resolver.resolve(target["$ref"], target_document)
                if (target_document.path, target_pointer) in seen:
                    break
                seen.add((target_document.path, target_pointer))
        except RefError as exc:
            raise UnsupportedSchema(document, pointer, str(exc)) from None
        parts = split_pointer(target_pointer)
        return self.name_of(target_document, target_pointer, parts[-1] if parts else target_document.path.stem)

    def deref(self, schema: Any, document: Document) -> tuple[Any, Document, str | None]:
        """Follow a bare `$ref`: (schema, its document, its pointer or None when inline)."""
        document, pointer = self.resolver.where(schema, document, None)
        seen = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            document, pointer, schema = self.resolver.resolve(schema["$ref"], document)
            seen += 1
            if seen > 50:
                raise RefError(f"$ref chain too long at {pointer}")
        return schema, document, pointer


def _refuse_unsatisfiable(schema: dict[str, Any], document: Document, pointer: str) -> None:
    """UnsupportedSchema for `false` as an `allOf` member or as a property that is required."""
    for i, member in enumerate(schema.get("allOf") or []):
        if member is False:
            raise UnsupportedSchema(document, f"{pointer}/allOf/{i}", UNSATISFIABLE)
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name in schema.get("required") or []:
        if properties.get(name) is False:  # it must be present and can never be
            raise UnsupportedSchema(document, extend_pointer(pointer, "properties", name), UNSATISFIABLE)


@dataclass
class Annotator:
    """Python annotations for schemas, hoisting what needs a class into the registry."""

    registry: SchemaRegistry

    def model(self, schema: Any, document: Document, pointer: str, hint: str) -> str:
        """Annotation for a body or response schema: models for objects, enums and unions."""
        document, pointer = self.registry.resolver.where(schema, document, pointer)
        if not isinstance(schema, dict) or not schema:
            return "Any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            try:
                target_document, target_pointer, target = self.registry.resolver.resolve(ref, document)
            except RefError as exc:
                raise UnsupportedSchema(document, pointer, str(exc)) from None
            parts = split_pointer(target_pointer)
            name = self.registry.name_of(target_document, target_pointer, parts[-1] if parts else hint)
            return f"models.{name}"
        types = schema_types(schema)
        if needs_class(schema, types):
            return "models." + self.registry.name_of(document, pointer, hint)
        return self._union(
            [self._plain(t, schema, document, pointer, hint, self.model) for t in types]
        )

    def parameter(self, schema: Any, document: Document, pointer: str) -> str:
        """Annotation for a parameter: plain Python types, enums (and `const`) as `Literal`s."""
        document, pointer = self.registry.resolver.where(schema, document, pointer)
        try:
            schema, document, target = self.registry.deref(schema, document)
        except RefError as exc:
            raise UnsupportedSchema(document, pointer, str(exc)) from None
        pointer = target or pointer
        if not isinstance(schema, dict) or not schema:
            return "Any"
        types = schema_types(schema)
        values = pinned_values(schema)
        if values is not None:
            literals = [v for v in values if v is not None and isinstance(v, (str, int, float, bool))]
            literal = f"Literal[{', '.join(repr(v) for v in literals)}]" if literals else "Any"
            if target is not None and literals and "enum" in schema:  # a named enum: members and values
                parts = split_pointer(target)
                literal = f"models.{self.registry.name_of(document, target, parts[-1])} | {literal}"
            return self._union([literal, "None"] if "null" in types or None in values else [literal])
        if any(k in schema for k in ("oneOf", "anyOf", "allOf")) or "object" in types or not types:
            return "Any" if "null" not in types else "Any | None"
        return self._union([self._plain(t, schema, document, pointer, "", self._parameter_item) for t in types])

    def _parameter_item(self, schema: Any, document: Document, pointer: str, hint: str) -> str:
        return self.parameter(schema, document, pointer)

    def _plain(self, type_name: str, schema: dict[str, Any], document: Document, pointer: str, hint: str,
               items_annotation: Any) -> str:
        if type_name == "array":
            items = schema.get("items", {})
            inner = items_annotation(items, document, f"{pointer}/items", hint + "Item")
            return f"list[{inner}]"
        if type_name == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                inner = items_annotation(extra, document, f"{pointer}/additionalProperties", hint + "Value")
                return f"dict[str, {inner}]"
            return "dict[str, Any]"
        if type_name == "string" and schema.get("format") == "binary":
            return "bytes"
        if items_annotation is self._parameter_item and type_name == "string":
            return PARAMETER_FORMATS.get(str(schema.get("format")), "str")
        return PRIMITIVES.get(type_name, "Any")

    @staticmethod
    def _union(parts: list[str]) -> str:
        unique = list(dict.fromkeys(parts))
        if "Any" in unique:
            return "Any"
        if "None" in unique:  # keep None last, as people write it
            unique = [p for p in unique if p != "None"] + ["None"]
        return " | ".join(unique)


def pinned_values(schema: dict[str, Any]) -> list[Any] | None:
    """The values an `enum` (or a `const`) allows; None when the schema lists none."""
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return list(schema["enum"])
    return [schema["const"]] if "const" in schema else None


# Keywords about a schema's use at one place (field docs, default), kept there when it is hoisted.
USAGE_KEYWORDS = ("description", "default", "example", "examples", "deprecated", "readOnly", "writeOnly")
DOC_KEYWORDS = frozenset({"description", "title", "example", "examples", "$comment", "deprecated"})


def hoisted(schema: dict[str, Any]) -> bool:
    """Inline schemas that get a class of their own: enums, objects with properties, merges."""
    if "const" in schema:
        return False
    if isinstance(schema.get("enum"), list) and [v for v in schema["enum"] if v is not None]:
        return True
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) > 1:
        return True
    types = schema_types(schema)
    return (not types or "object" in types) and bool(schema.get("properties"))


def _shape(node: Any, values: bool = False) -> Any:
    """A schema without its documentation: what makes two inline schemas the same class."""
    if isinstance(node, list):
        return [_shape(item, values) for item in node]
    if not isinstance(node, dict) or values:
        return node
    result = {}
    for key, value in node.items():
        if key in DOC_KEYWORDS:
            continue
        if key in ("properties", "patternProperties", "$defs", "dependentSchemas") and isinstance(value, dict):
            result[key] = {name: _shape(schema) for name, schema in value.items()}
        else:
            result[key] = _shape(value, values=key in ("enum", "const", "default"))
    return result


def needs_class(schema: dict[str, Any], types: list[str]) -> bool:
    """Inline schemas that become classes: objects with properties, enums, compositions."""
    if any(k in schema for k in ("oneOf", "anyOf", "allOf", "enum", "const")):
        return True
    return "object" in types and bool(schema.get("properties"))
