"""Schema rules: types, formats, nullability, enums, constraints, defaults, properties, variants.

Direction matters: what a client sends (`request`, `parameter`) may not be narrowed, what it
receives (`response`) may not be widened. `$ref`s are compared by what they resolve to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, WARNING, SchemaRule, schema_rule
from generator.model import Schema

REQUEST, RESPONSE = "request", "response"
# constraint: does a bigger value tighten it? (maxLength shrinking tightens, minLength growing tightens)
_BOUNDS = {"maxLength": False, "maximum": False, "maxItems": False, "exclusiveMaximum": False,
           "minLength": True, "minimum": True, "minItems": True, "exclusiveMinimum": True}
_FINGERPRINT_DEPTH = 6

TYPE_CHANGED = schema_rule("parameter-type-changed", "request-type-changed", "response-type-changed",
                           (ERROR,), "the schema's type changed")
NULLABLE_ADDED = schema_rule("parameter-nullable-added", "request-nullable-added", "response-nullable-added",
                             (INFO, WARNING), "the value may now be null")
NULLABLE_REMOVED = schema_rule("parameter-nullable-removed", "request-nullable-removed",
                               "response-nullable-removed", (ERROR, INFO), "the value may no longer be null")
FORMAT_CHANGED = schema_rule("parameter-format-changed", "request-format-changed", "response-format-changed",
                             (ERROR,), "the schema's format changed")
ENUM_ADDED = schema_rule("parameter-enum-added", "request-enum-added", "response-enum-added", (ERROR, INFO),
                         "values became restricted to an enumeration")
ENUM_VALUE_REMOVED = schema_rule("parameter-enum-value-removed", "request-enum-value-removed",
                                 "response-enum-value-removed", (ERROR, INFO), "enumeration values removed")
ENUM_VALUE_ADDED = schema_rule("parameter-enum-value-added", "request-enum-value-added",
                               "response-enum-value-added", (INFO, WARNING), "enumeration values added")
CONSTRAINT_TIGHTENED = schema_rule("parameter-constraint-tightened", "request-constraint-tightened",
                                   "response-constraint-tightened", (ERROR, INFO),
                                   "a length, range or item-count bound narrowed")
CONSTRAINT_LOOSENED = schema_rule("parameter-constraint-loosened", "request-constraint-loosened",
                                  "response-constraint-loosened", (INFO, WARNING),
                                  "a length, range or item-count bound widened")
PATTERN_CHANGED = schema_rule("parameter-pattern-changed", "request-pattern-changed", "response-pattern-changed",
                              (ERROR, WARNING), "the pattern changed")
DEFAULT_CHANGED = schema_rule("parameter-default-changed", "request-default-changed", "response-default-changed",
                              (WARNING,), "the default changed")
PROPERTY_REMOVED = schema_rule("parameter-property-removed", "request-property-removed",
                               "response-property-removed", (WARNING, ERROR), "an object property removed")
PROPERTY_ADDED = schema_rule("parameter-property-added", "request-property-added", "response-property-added",
                             (INFO,), "an optional object property added")
REQUIRED_PROPERTY_ADDED = schema_rule("parameter-required-property-added", "request-required-property-added",
                                      "response-required-property-added", (ERROR,),
                                      "a required property added to what the client sends")
PROPERTY_BECAME_REQUIRED = schema_rule("parameter-property-became-required", "request-property-became-required",
                                       "response-property-became-required", (ERROR, INFO),
                                       "a property became required")
PROPERTY_BECAME_OPTIONAL = schema_rule("parameter-property-became-optional", "request-property-became-optional",
                                       "response-property-became-optional", (INFO, WARNING),
                                       "a property is no longer required")
VARIANT_REMOVED = schema_rule("parameter-variant-removed", "request-variant-removed", "response-variant-removed",
                              (ERROR, INFO), "a oneOf/anyOf variant removed")
VARIANT_ADDED = schema_rule("parameter-variant-added", "request-variant-added", "response-variant-added",
                            (INFO, WARNING), "a oneOf/anyOf variant added")


@dataclass(frozen=True)
class Place:
    """What is being compared: the operation label, the direction and rule prefix, a readable path."""

    label: str
    direction: str  # request | response
    prefix: str  # parameter | request | response
    what: str  # e.g. "response 200.items[]"

    def at(self, suffix: str) -> Place:
        return Place(self.label, self.direction, self.prefix, self.what + suffix)


def compare_schemas(comparison: Comparison, place: Place, old: Schema | None, new: Schema | None,
                    seen: frozenset[tuple[tuple[str, str], tuple[str, str]]] = frozenset()) -> None:
    """Every schema rule on one pair of schemas, recursing into properties and items."""
    if old is None or new is None or (old.identity(), new.identity()) in seen:
        return
    seen = seen | {(old.identity(), new.identity())}

    def add(check: SchemaRule, level: str, message: str) -> None:
        comparison.add(place.label, check[place.prefix], level, f"{place.what}: {message}", old.pointer, new.pointer)

    request = place.direction == REQUEST
    old_types, new_types = old.declared_types, new.declared_types
    if old_types - {"null"} != new_types - {"null"} and old_types and new_types:
        add(TYPE_CHANGED, ERROR, f"type {_join(old_types)} became {_join(new_types)}")
    elif ("null" in old_types) != ("null" in new_types) and old_types and new_types:
        if "null" in new_types:
            add(NULLABLE_ADDED, INFO if request else WARNING, "may now be null")
        else:
            add(NULLABLE_REMOVED, ERROR if request else INFO, "may no longer be null")
    if old.get("format") != new.get("format"):
        add(FORMAT_CHANGED, ERROR, f"format {old.get('format')!r} became {new.get('format')!r}")
    _enum(old, new, request, add)
    _constraints(old, new, request, add)
    if old.get("default") != new.get("default") and (old.has("default") or new.has("default")):
        add(DEFAULT_CHANGED, WARNING, f"default {old.get('default')!r} became {new.get('default')!r}")
    _properties(comparison, place, old, new, seen)
    if old.has("items") or new.has("items"):
        compare_schemas(comparison, place.at("[]"), old.items, new.items, seen)
    _variants(old, new, request, add)


def _enum(old: Schema, new: Schema, request: bool, add: Any) -> None:
    if old.enum is None or new.enum is None:
        if new.enum is not None and not old.has("enum"):
            add(ENUM_ADDED, ERROR if request else INFO, "values restricted to an enumeration")
        return
    removed = [v for v in old.enum if v not in new.enum]
    added = [v for v in new.enum if v not in old.enum]
    if removed:
        add(ENUM_VALUE_REMOVED, ERROR if request else INFO, f"enum values removed: {removed}")
    if added:
        add(ENUM_VALUE_ADDED, INFO if request else WARNING, f"enum values added: {added}")


def _constraints(old: Schema, new: Schema, request: bool, add: Any) -> None:
    for key, bigger_is_tighter in _BOUNDS.items():
        before, after = _number(old.get(key)), _number(new.get(key))
        if before == after:
            continue
        tightened = after is not None and (before is None or (after > before) == bigger_is_tighter)
        if tightened:
            add(CONSTRAINT_TIGHTENED, ERROR if request else INFO, f"{key} {before} became {after}")
        else:
            add(CONSTRAINT_LOOSENED, INFO if request else WARNING, f"{key} {before} became {after}")
    if old.get("pattern") != new.get("pattern"):
        level = ERROR if request and new.get("pattern") else WARNING
        add(PATTERN_CHANGED, level, f"pattern {old.get('pattern')!r} became {new.get('pattern')!r}")


def _properties(comparison: Comparison, place: Place, old: Schema, new: Schema,
                seen: frozenset[tuple[tuple[str, str], tuple[str, str]]]) -> None:
    request = place.direction == REQUEST
    old_props, new_props = old.properties, new.properties
    for name in sorted(old_props.keys() - new_props.keys()):
        comparison.add(place.label, PROPERTY_REMOVED[place.prefix], WARNING if request else ERROR,
                       f"{place.what}: property {name!r} removed", old=old_props[name].pointer)
    for name in sorted(new_props.keys() - old_props.keys()):
        if request and name in new.required:
            comparison.add(place.label, REQUIRED_PROPERTY_ADDED[place.prefix], ERROR,
                           f"{place.what}: required property {name!r} added", new=new_props[name].pointer)
        else:
            comparison.add(place.label, PROPERTY_ADDED[place.prefix], INFO,
                           f"{place.what}: property {name!r} added", new=new_props[name].pointer)
    for name in sorted(old_props.keys() & new_props.keys()):
        was, now = name in old.required, name in new.required
        if was != now:
            pointers = old_props[name].pointer, new_props[name].pointer
            if now:
                comparison.add(place.label, PROPERTY_BECAME_REQUIRED[place.prefix], ERROR if request else INFO,
                               f"{place.what}: property {name!r} became required", *pointers)
            else:
                comparison.add(place.label, PROPERTY_BECAME_OPTIONAL[place.prefix], INFO if request else WARNING,
                               f"{place.what}: property {name!r} is no longer required", *pointers)
        compare_schemas(comparison, place.at(f".{name}"), old_props[name], new_props[name], seen)


def _variants(old: Schema, new: Schema, request: bool, add: Any) -> None:
    for keyword in ("oneOf", "anyOf"):
        old_set = {fingerprint(v) for v in old.children(keyword)}
        new_set = {fingerprint(v) for v in new.children(keyword)}
        if old_set - new_set:
            add(VARIANT_REMOVED, ERROR if request else INFO, f"{len(old_set - new_set)} {keyword} variant(s) removed")
        if new_set - old_set:
            add(VARIANT_ADDED, INFO if request else WARNING, f"{len(new_set - old_set)} {keyword} variant(s) added")


def fingerprint(schema: Schema, depth: int = 0) -> str:
    """A schema's structure with `$ref`s inlined (to a depth), independent of key order and prose."""
    if depth > _FINGERPRINT_DEPTH:
        return "..."
    return _fingerprint_value(schema, schema.node, [], depth)


def _fingerprint_value(schema: Schema, value: Any, path: list[str | int], depth: int) -> str:
    if isinstance(value, dict):
        if path and isinstance(value.get("$ref"), str):
            child = schema.child(*path)
            return fingerprint(child, depth + 1) if child is not None else "null"
        return json.dumps({k: _fingerprint_value(schema, v, [*path, k], depth + 1) for k, v in sorted(value.items())
                           if k not in ("description", "example", "examples", "title")}, sort_keys=True)
    if isinstance(value, list):
        return json.dumps([_fingerprint_value(schema, v, [*path, i], depth + 1) for i, v in enumerate(value)])
    return json.dumps(value)


def _join(types: frozenset[str]) -> str:
    return "|".join(sorted(types))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
