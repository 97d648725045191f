"""The comparison: operations, parameters, bodies, responses and schemas, rule by rule.

Every change has a stable rule id and a level: `error` breaks existing clients,
`warning` may, `info` does not. Direction matters: what a client sends (request) may
not be narrowed, what it receives (response) may not be widened. `$ref`s are compared by
what they resolve to, so moving a schema into components is no change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from generator.ir import serialization
from generator.load import Document, join_pointer
from generator.refs import RefError, Resolver
from generator.walk import HTTP_METHODS

ERROR, WARNING, INFO = "error", "warning", "info"
REQUEST, RESPONSE = "request", "response"
# constraint: (bigger is tighter?) — maxLength shrinking tightens, minLength growing tightens
_BOUNDS = {"maxLength": False, "maximum": False, "maxItems": False, "exclusiveMaximum": False,
           "minLength": True, "minimum": True, "minItems": True, "exclusiveMinimum": True}


@dataclass(frozen=True, order=True)
class Change:
    """One difference: rule id, level, where (operation or component) and a one-line message."""

    operation: str
    rule: str
    level: str
    message: str
    old_pointer: str = ""
    new_pointer: str = ""


@dataclass
class _Side:
    document: Document
    resolver: Resolver = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.document)

    def deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        try:
            _, target_pointer, value = self.resolver.resolve_chain(node, self.document, pointer)
        except RefError:
            return None, pointer
        return value, target_pointer


def _normalise(path: str) -> str:
    """`/contacts/{id}` and `/contacts/{contactId}` are the same endpoint."""
    return re.sub(r"{[^}]+}", "{}", path.rstrip("/") or "/")


class Differ:
    """Compares two documents; `changes()` lists every difference found."""

    def __init__(self, old: Document, new: Document):
        self.old, self.new = _Side(old), _Side(new)
        self.found: list[Change] = []

    def changes(self) -> list[Change]:
        old_ops, new_ops = self._operations(self.old), self._operations(self.new)
        for key in sorted(old_ops.keys() - new_ops.keys()):
            label, pointer, _ = old_ops[key]
            self._add(label, "operation-removed", ERROR, "operation removed", old=pointer)
        for key in sorted(new_ops.keys() - old_ops.keys()):
            label, pointer, _ = new_ops[key]
            self._add(label, "operation-added", INFO, "operation added", new=pointer)
        for key in sorted(old_ops.keys() & new_ops.keys()):
            self._operation(new_ops[key][0], old_ops[key], new_ops[key])
        self._servers()
        self._security_schemes()
        return sorted(set(self.found))

    def _add(self, where: str, rule: str, level: str, message: str, old: str = "", new: str = "") -> None:
        self.found.append(Change(where, rule, level, message, old, new))

    @staticmethod
    def _operations(side: _Side) -> dict[tuple[str, str], tuple[str, str, dict[str, Any]]]:
        result = {}
        for path, item in (side.document.data.get("paths") or {}).items():
            item, item_pointer = side.deref(item, join_pointer(["paths", path]))
            for method in HTTP_METHODS if isinstance(item, dict) else ():
                if isinstance(item.get(method), dict):
                    pointer = f"{item_pointer}/{method}"
                    merged = dict(item[method])
                    merged["x-path-parameters"] = item.get("parameters") or []
                    result[(method, _normalise(path))] = (f"{method.upper()} {path}", pointer, merged)
        return result

    # -- operations ---------------------------------------------------------------------------------

    def _operation(self, label: str, old: tuple[str, str, dict[str, Any]], new: tuple[str, str, dict[str, Any]]) -> None:
        _, old_pointer, old_op = old
        _, new_pointer, new_op = new
        if old_op.get("operationId") != new_op.get("operationId"):
            self._add(label, "operation-id-changed", WARNING,
                      f"operationId {old_op.get('operationId')!r} became {new_op.get('operationId')!r} "
                      "(generated method names follow it)", old_pointer, new_pointer)
        if new_op.get("deprecated") and not old_op.get("deprecated"):
            self._add(label, "operation-deprecated", WARNING, "operation deprecated", old_pointer, new_pointer)
        self._security(label, old_op, new_op, old_pointer, new_pointer)
        self._parameters(label, old_op, new_op, old_pointer, new_pointer)
        self._request_body(label, old_op, new_op, old_pointer, new_pointer)
        self._responses(label, old_op, new_op, old_pointer, new_pointer)

    def _security(self, label: str, old_op: dict[str, Any], new_op: dict[str, Any], old_p: str, new_p: str) -> None:
        old_req = _requirements(old_op.get("security", self.old.document.data.get("security")))
        new_req = _requirements(new_op.get("security", self.new.document.data.get("security")))
        if old_req == new_req:
            return
        if not old_req or (new_req and not (old_req & new_req)):
            self._add(label, "security-requirement-changed", ERROR,
                      f"security changed from {_describe(old_req)} to {_describe(new_req)}", old_p, new_p)
        else:
            self._add(label, "security-requirement-changed", WARNING,
                      f"security alternatives changed from {_describe(old_req)} to {_describe(new_req)}", old_p, new_p)

    def _parameter_map(self, side: _Side, op: dict[str, Any], pointer: str) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
        result: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        path_index = 0
        owners = ((op["x-path-parameters"], pointer.rsplit("/", 1)[0]), (op.get("parameters") or [], pointer))
        for parameters, owner_pointer in owners:
            for i, raw in enumerate(parameters):
                parameter, where = side.deref(raw, f"{owner_pointer}/parameters/{i}")
                if not isinstance(parameter, dict):
                    continue
                location = str(parameter.get("in"))
                name = str(parameter.get("name"))
                if location == "path":  # path parameters are matched by position, not by name
                    name, path_index = f"#{path_index}", path_index + 1
                result[(location, name)] = (parameter, where)
        return result

    def _parameters(self, label: str, old_op: dict[str, Any], new_op: dict[str, Any], old_p: str, new_p: str) -> None:
        old_params = self._parameter_map(self.old, old_op, old_p)
        new_params = self._parameter_map(self.new, new_op, new_p)
        moved = {name for (_, name) in old_params.keys() - new_params.keys()} & {
            name for (_, name) in new_params.keys() - old_params.keys()}
        for key in sorted(old_params.keys() - new_params.keys()):
            parameter, where = old_params[key]
            if key[1] in moved:
                new_location = next(loc for (loc, name) in new_params if name == key[1])
                self._add(label, "parameter-location-changed", ERROR,
                          f"parameter {parameter['name']!r} moved from {key[0]} to {new_location}", old=where)
            else:
                self._add(label, "parameter-removed", WARNING, f"{key[0]} parameter {parameter['name']!r} removed",
                          old=where)
        for key in sorted(new_params.keys() - old_params.keys()):
            if key[1] in moved:
                continue
            parameter, where = new_params[key]
            if parameter.get("required"):
                self._add(label, "required-parameter-added", ERROR,
                          f"required {key[0]} parameter {parameter['name']!r} added", new=where)
            else:
                self._add(label, "optional-parameter-added", INFO,
                          f"optional {key[0]} parameter {parameter['name']!r} added", new=where)
        for key in sorted(old_params.keys() & new_params.keys()):
            (old_param, old_where), (new_param, new_where) = old_params[key], new_params[key]
            name = str(new_param.get("name"))
            if bool(new_param.get("required")) and not old_param.get("required"):
                self._add(label, "parameter-became-required", ERROR, f"parameter {name!r} became required",
                          old_where, new_where)
            elif old_param.get("required") and not new_param.get("required"):
                self._add(label, "parameter-became-optional", INFO, f"parameter {name!r} became optional",
                          old_where, new_where)
            old_wire, new_wire = serialization(old_param, key[0]), serialization(new_param, key[0])
            if old_wire != new_wire:  # the same value goes on the wire differently: old clients send the old form
                self._add(label, "parameter-serialization-changed", ERROR,
                          f"parameter {name!r} is serialised as style {new_wire[0]}, explode "
                          f"{str(new_wire[1]).lower()} (was {old_wire[0]}, explode {str(old_wire[1]).lower()})",
                          old_where, new_where)
            self._schema(label, old_param.get("schema"), new_param.get("schema"), f"{old_where}/schema",
                         f"{new_where}/schema", REQUEST, f"parameter {name!r}", "parameter", set())

    def _request_body(self, label: str, old_op: dict[str, Any], new_op: dict[str, Any], old_p: str, new_p: str) -> None:
        old_body, old_where = self.old.deref(old_op.get("requestBody"), f"{old_p}/requestBody")
        new_body, new_where = self.new.deref(new_op.get("requestBody"), f"{new_p}/requestBody")
        if old_body is None and new_body is None:
            return
        if old_body is None:
            level, rule = (ERROR, "request-body-added-required") if new_body.get("required") else (
                INFO, "request-body-added")
            self._add(label, rule, level, "request body added" + (" (required)" if level == ERROR else ""),
                      new=new_where)
            return
        if new_body is None:
            self._add(label, "request-body-removed", WARNING, "request body removed", old=old_where)
            return
        if bool(new_body.get("required")) != bool(old_body.get("required")):
            now = bool(new_body.get("required"))
            self._add(label, "request-body-became-required" if now else "request-body-became-optional",
                      ERROR if now else INFO, f"request body became {'required' if now else 'optional'}",
                      old_where, new_where)
        self._content(label, old_body, new_body, old_where, new_where, REQUEST, "request")

    def _responses(self, label: str, old_op: dict[str, Any], new_op: dict[str, Any], old_p: str, new_p: str) -> None:
        old_responses, new_responses = old_op.get("responses") or {}, new_op.get("responses") or {}
        for status in sorted(set(old_responses) - set(new_responses), key=str):
            level = ERROR if str(status).startswith("2") else WARNING
            self._add(label, "response-status-removed", level, f"response {status} removed",
                      old=f"{old_p}/responses/{status}")
        for status in sorted(set(new_responses) - set(old_responses), key=str):
            self._add(label, "response-status-added", INFO, f"response {status} added",
                      new=f"{new_p}/responses/{status}")
        for status in sorted(set(old_responses) & set(new_responses), key=str):
            old_response, old_where = self.old.deref(old_responses[status], f"{old_p}/responses/{status}")
            new_response, new_where = self.new.deref(new_responses[status], f"{new_p}/responses/{status}")
            if isinstance(old_response, dict) and isinstance(new_response, dict):
                self._content(label, old_response, new_response, old_where, new_where, RESPONSE, f"response {status}")

    def _content(self, label: str, old: dict[str, Any], new: dict[str, Any], old_p: str, new_p: str,
                 direction: str, what: str) -> None:
        old_content, new_content = old.get("content") or {}, new.get("content") or {}
        for media in sorted(set(old_content) - set(new_content)):
            self._add(label, f"{direction}-media-type-removed", ERROR, f"{what}: media type {media} removed",
                      old=f"{old_p}/content/{_escape(media)}")
        for media in sorted(set(new_content) - set(old_content)):
            self._add(label, f"{direction}-media-type-added", INFO, f"{what}: media type {media} added",
                      new=f"{new_p}/content/{_escape(media)}")
        for media in sorted(set(old_content) & set(new_content)):
            where_old = f"{old_p}/content/{_escape(media)}/schema"
            where_new = f"{new_p}/content/{_escape(media)}/schema"
            self._schema(label, (old_content[media] or {}).get("schema"), (new_content[media] or {}).get("schema"),
                         where_old, where_new, direction, what, direction, set())

    # -- schemas ------------------------------------------------------------------------------------

    def _schema(self, label: str, old: Any, new: Any, old_p: str, new_p: str, direction: str, what: str,
                prefix: str, seen: set[tuple[str, str]]) -> None:
        old, old_p = self.old.deref(old, old_p)
        new, new_p = self.new.deref(new, new_p)
        if not isinstance(old, dict) or not isinstance(new, dict) or (old_p, new_p) in seen:
            return
        seen = seen | {(old_p, new_p)}
        add = lambda rule, level, message: self._add(label, f"{prefix}-{rule}", level, f"{what}: {message}",  # noqa: E731
                                                     old_p, new_p)
        old_types, new_types = _types(old), _types(new)
        if old_types - {"null"} != new_types - {"null"} and old_types and new_types:
            add("type-changed", ERROR, f"type {_join(old_types)} became {_join(new_types)}")
        elif ("null" in old_types) != ("null" in new_types) and old_types and new_types:
            became_nullable = "null" in new_types
            level = (INFO if became_nullable else ERROR) if direction == REQUEST else (
                WARNING if became_nullable else INFO)
            add("nullable-added" if became_nullable else "nullable-removed", level,
                "may now be null" if became_nullable else "may no longer be null")
        if old.get("format") != new.get("format"):
            add("format-changed", ERROR, f"format {old.get('format')!r} became {new.get('format')!r}")
        self._enum(old, new, direction, add)
        self._constraints(old, new, direction, add)
        if old.get("default") != new.get("default") and ("default" in old or "default" in new):
            add("default-changed", WARNING, f"default {old.get('default')!r} became {new.get('default')!r}")
        self._properties(label, old, new, old_p, new_p, direction, what, prefix, seen)
        if "items" in old or "items" in new:
            self._schema(label, old.get("items"), new.get("items"), f"{old_p}/items", f"{new_p}/items", direction,
                         f"{what}[]", prefix, seen)
        self._variants(old, new, old_p, new_p, direction, add)

    def _enum(self, old: dict[str, Any], new: dict[str, Any], direction: str, add: Any) -> None:
        if not isinstance(old.get("enum"), list) or not isinstance(new.get("enum"), list):
            if isinstance(new.get("enum"), list) and "enum" not in old:
                add("enum-added", ERROR if direction == REQUEST else INFO, "values restricted to an enumeration")
            return
        removed = [v for v in old["enum"] if v not in new["enum"]]
        added = [v for v in new["enum"] if v not in old["enum"]]
        if removed:
            add("enum-value-removed", ERROR if direction == REQUEST else INFO, f"enum values removed: {removed}")
        if added:
            add("enum-value-added", INFO if direction == REQUEST else WARNING, f"enum values added: {added}")

    def _constraints(self, old: dict[str, Any], new: dict[str, Any], direction: str, add: Any) -> None:
        for key, bigger_is_tighter in _BOUNDS.items():
            before, after = _number(old.get(key)), _number(new.get(key))
            if before == after:
                continue
            tightened = (before is None) or (after is not None and (after > before) == bigger_is_tighter)
            if after is None:
                tightened = False
            level = (ERROR if tightened else INFO) if direction == REQUEST else (INFO if tightened else WARNING)
            add("constraint-tightened" if tightened else "constraint-loosened", level,
                f"{key} {before} became {after}")
        if old.get("pattern") != new.get("pattern"):
            level = ERROR if direction == REQUEST and new.get("pattern") else WARNING
            add("pattern-changed", level, f"pattern {old.get('pattern')!r} became {new.get('pattern')!r}")

    def _properties(self, label: str, old: dict[str, Any], new: dict[str, Any], old_p: str, new_p: str,
                    direction: str, what: str, prefix: str, seen: set[tuple[str, str]]) -> None:
        old_props, old_required = self._object(self.old, old, old_p)
        new_props, new_required = self._object(self.new, new, new_p)
        for name in sorted(old_props.keys() - new_props.keys()):
            level = WARNING if direction == REQUEST else ERROR
            self._add(label, f"{prefix}-property-removed", level, f"{what}: property {name!r} removed",
                      old=old_props[name][1])
        for name in sorted(new_props.keys() - old_props.keys()):
            if direction == REQUEST and name in new_required:
                self._add(label, f"{prefix}-required-property-added", ERROR,
                          f"{what}: required property {name!r} added", new=new_props[name][1])
            else:
                self._add(label, f"{prefix}-property-added", INFO, f"{what}: property {name!r} added",
                          new=new_props[name][1])
        for name in sorted(old_props.keys() & new_props.keys()):
            was, now = name in old_required, name in new_required
            if was != now:
                if direction == REQUEST:
                    level = ERROR if now else INFO
                else:
                    level = INFO if now else WARNING
                rule = "property-became-required" if now else "property-became-optional"
                self._add(label, f"{prefix}-{rule}", level, f"{what}: property {name!r} "
                          f"{'became required' if now else 'is no longer required'}", old_props[name][1],
                          new_props[name][1])
            self._schema(label, old_props[name][0], new_props[name][0], old_props[name][1], new_props[name][1],
                         direction, f"{what}.{name}", prefix, seen)

    def _object(self, side: _Side, schema: dict[str, Any], pointer: str,
                depth: int = 0) -> tuple[dict[str, tuple[Any, str]], set[str]]:
        """Properties (with their pointers) and required names, `allOf` members merged."""
        properties = {name: (value, f"{pointer}/properties/{_escape(name)}")
                      for name, value in (schema.get("properties") or {}).items()}
        required = set(schema.get("required") or [])
        for i, member in enumerate(schema.get("allOf") or []):
            member, where = side.deref(member, f"{pointer}/allOf/{i}")
            if isinstance(member, dict) and depth < 20:
                more, more_required = self._object(side, member, where, depth + 1)
                properties.update(more)
                required |= more_required
        return properties, required

    def _variants(self, old: dict[str, Any], new: dict[str, Any], old_p: str, new_p: str, direction: str,
                  add: Any) -> None:
        for keyword in ("oneOf", "anyOf"):
            old_set = {self._fingerprint(self.old, v, f"{old_p}/{keyword}/{i}") for i, v in enumerate(old.get(keyword) or [])}
            new_set = {self._fingerprint(self.new, v, f"{new_p}/{keyword}/{i}") for i, v in enumerate(new.get(keyword) or [])}
            if old_set - new_set:
                add("variant-removed", ERROR if direction == REQUEST else INFO,
                    f"{len(old_set - new_set)} {keyword} variant(s) removed")
            if new_set - old_set:
                add("variant-added", INFO if direction == REQUEST else WARNING,
                    f"{len(new_set - old_set)} {keyword} variant(s) added")

    def _fingerprint(self, side: _Side, schema: Any, pointer: str, depth: int = 0) -> str:
        """A schema's structure with `$ref`s inlined (to a depth), independent of key order."""
        schema, pointer = side.deref(schema, pointer)
        if depth > 6:
            return "..."
        if isinstance(schema, dict):
            return json.dumps({k: self._fingerprint(side, v, f"{pointer}/{_escape(str(k))}", depth + 1)
                               for k, v in sorted(schema.items()) if k not in ("description", "example", "examples",
                                                                           "title")}, sort_keys=True)
        if isinstance(schema, list):
            return json.dumps([self._fingerprint(side, v, f"{pointer}/{i}", depth + 1) for i, v in enumerate(schema)])
        return json.dumps(schema)

    # -- document-wide ------------------------------------------------------------------------------

    def _servers(self) -> None:
        old = [s.get("url") for s in self.old.document.data.get("servers") or [] if isinstance(s, dict)]
        new = [s.get("url") for s in self.new.document.data.get("servers") or [] if isinstance(s, dict)]
        if old != new:
            self._add("servers", "servers-changed", WARNING, f"servers {old} became {new}", "/servers", "/servers")

    def _security_schemes(self) -> None:
        old = (self.old.document.data.get("components") or {}).get("securitySchemes") or {}
        new = (self.new.document.data.get("components") or {}).get("securitySchemes") or {}
        for name in sorted(set(old) - set(new)):
            self._add("components", "security-scheme-removed", ERROR, f"security scheme {name!r} removed",
                      old=join_pointer(["components", "securitySchemes", name]))
        for name in sorted(set(new) - set(old)):
            self._add("components", "security-scheme-added", INFO, f"security scheme {name!r} added",
                      new=join_pointer(["components", "securitySchemes", name]))
        for name in sorted(set(old) & set(new)):
            if _fingerprint_plain(old[name]) != _fingerprint_plain(new[name]):
                pointer = join_pointer(["components", "securitySchemes", name])
                self._add("components", "security-scheme-changed", ERROR, f"security scheme {name!r} changed",
                          pointer, pointer)


def _requirements(security: Any) -> set[frozenset[str]]:
    return {frozenset(map(str, r)) for r in security or [] if isinstance(r, dict)}


def _describe(requirements: set[frozenset[str]]) -> str:
    return " or ".join(sorted("+".join(sorted(r)) or "(none)" for r in requirements)) or "no security"


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    types = set(declared) if isinstance(declared, list) else {declared} if isinstance(declared, str) else set()
    if schema.get("nullable") is True:
        types.add("null")
    return types


def _join(types: set[str]) -> str:
    return "|".join(sorted(types))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _fingerprint_plain(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def diff_documents(old: Document, new: Document) -> list[Change]:
    """Every change from `old` to `new`, sorted by place and rule."""
    return Differ(old, new).changes()
