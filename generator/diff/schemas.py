"""Schema rules: types, values, constraints, properties, composition and the JSON Schema 2020-12 keywords.

Direction matters, as in the reference tool (oasdiff): what a client sends (`request`, `parameter`)
may not be narrowed, what it receives (`response`, `response-header`) may not be widened. A change
inside a readOnly request property or a writeOnly response property reaches no client (info).
`$ref`s are compared by what they resolve to; identical subtrees are skipped without a rule run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from generator.diff import deprecation
from generator.diff.change import Comparison
from generator.diff.registry import ERROR, INFO, WARNING, SchemaRule, schema_rule
from generator.model import Schema

REQUEST, RESPONSE = "request", "response"
NARROWS, WIDENS = (ERROR, INFO), (INFO, ERROR)  # (level in a request, level in a response)
# bound keyword: does a bigger value tighten it?
_BOUNDS = {"maxLength": False, "maxItems": False, "maxProperties": False, "maxContains": False, "maximum": False,
           "exclusiveMaximum": False, "minLength": True, "minItems": True, "minProperties": True,
           "minContains": True, "minimum": True, "exclusiveMinimum": True}
# keywords holding one schema: (rule-id part, does adding it narrow what is valid?)
_APPLICATORS = {"additionalProperties": "additional-properties", "not": "not", "contains": "contains",
                "propertyNames": "property-names", "if": "if", "then": "then", "else": "else",
                "unevaluatedItems": "unevaluated-items", "unevaluatedProperties": "unevaluated-properties",
                "contentSchema": "content-schema"}
_SCHEMA_MAPS = {"patternProperties": "pattern-properties", "dependentSchemas": "dependent-schemas"}
_FINGERPRINT_DEPTH = 6
_PROSE = ("description", "example", "examples", "title", "$comment", "externalDocs", "xml")

TYPE_CHANGED = schema_rule("type-changed", (ERROR,), "the type changed to one that is neither wider nor narrower")
TYPE_WIDENED = schema_rule("type-widened", (INFO, ERROR), "the type widened (e.g. integer to number)")
TYPE_NARROWED = schema_rule("type-narrowed", (ERROR, INFO), "the type narrowed (e.g. number to integer)")
NULLABLE_ADDED = schema_rule("nullable-added", WIDENS, "the value may now be null")
NULLABLE_REMOVED = schema_rule("nullable-removed", NARROWS, "the value may no longer be null")
FORMAT_CHANGED = schema_rule("format-changed", (ERROR,), "the format changed")
FORMAT_ADDED = schema_rule("format-added", NARROWS, "a format set where there was none")
FORMAT_REMOVED = schema_rule("format-removed", WIDENS, "the format removed")
ENUM_ADDED = schema_rule("enum-added", NARROWS, "values became restricted to an enumeration")
ENUM_REMOVED = schema_rule("enum-removed", WIDENS, "the enumeration removed: any value of the type is valid")
ENUM_VALUE_REMOVED = schema_rule("enum-value-removed", NARROWS, "enumeration values removed")
ENUM_VALUE_ADDED = schema_rule("enum-value-added", (INFO, WARNING), "enumeration values added")
EXTENSIBLE_ENUM_VALUE_REMOVED = schema_rule("extensible-enum-value-removed", NARROWS,
                                            "x-extensible-enum values removed")
EXTENSIBLE_ENUM_VALUE_ADDED = schema_rule("extensible-enum-value-added", (INFO,),
                                          "x-extensible-enum values added (clients accept unknown ones)")
CONST_ADDED = schema_rule("const-added", NARROWS, "the value became a constant")
CONST_REMOVED = schema_rule("const-removed", WIDENS, "the constant removed")
CONST_CHANGED = schema_rule("const-changed", (ERROR,), "the constant changed")
CONSTRAINT_TIGHTENED = schema_rule("constraint-tightened", NARROWS,
                                   "a length, range, item, property or contains bound narrowed")
CONSTRAINT_LOOSENED = schema_rule("constraint-loosened", WIDENS,
                                  "a length, range, item, property or contains bound widened")
CONSTRAINT_ADDED = schema_rule("constraint-added", (WARNING, INFO),
                               "a bound set where there was none (clients may already comply)")
CONSTRAINT_REMOVED = schema_rule("constraint-removed", WIDENS, "a bound removed")
PATTERN_ADDED = schema_rule("pattern-added", NARROWS, "a pattern set where there was none")
PATTERN_REMOVED = schema_rule("pattern-removed", WIDENS, "the pattern removed")
PATTERN_CHANGED = schema_rule("pattern-changed", (WARNING,), "the pattern changed (may narrow or widen)")
DEFAULT_CHANGED = schema_rule("default-changed", (INFO,), "the default changed")
DEFAULT_ADDED = schema_rule("default-added", (INFO,), "a default set")
DEFAULT_REMOVED = schema_rule("default-removed", (INFO,), "the default removed")
READ_ONLY_CHANGED = schema_rule("read-only-changed", (INFO,), "readOnly set or unset")
WRITE_ONLY_CHANGED = schema_rule("write-only-changed", (INFO,), "writeOnly set or unset")
CONTENT_ENCODING_CHANGED = schema_rule("content-encoding-changed", (ERROR,),
                                       "contentMediaType or contentEncoding changed")
PROPERTY_REMOVED = schema_rule("property-removed", (WARNING, ERROR),
                               "a property removed (error for a required response property)")
PROPERTY_ADDED = schema_rule("property-added", (INFO,), "an optional property added (or any, in a response)")
REQUIRED_PROPERTY_ADDED = schema_rule("required-property-added", (ERROR,),
                                      "a required property added to what the client sends")
PROPERTY_BECAME_REQUIRED = schema_rule("property-became-required", NARROWS, "a property became required")
PROPERTY_BECAME_OPTIONAL = schema_rule("property-became-optional", WIDENS,
                                       "a property is no longer required (clients relying on it break)")
DEPENDENT_REQUIRED_ADDED = schema_rule("dependent-required-added", NARROWS, "a dependentRequired name added")
DEPENDENT_REQUIRED_REMOVED = schema_rule("dependent-required-removed", WIDENS,
                                         "a dependentRequired name removed")
VARIANT_REMOVED = schema_rule("variant-removed", NARROWS, "a oneOf/anyOf variant removed")
VARIANT_ADDED = schema_rule("variant-added", WIDENS, "a oneOf/anyOf variant added")
WRAPPED_IN_VARIANTS = schema_rule("wrapped-in-variants", (ERROR,),
                                  "the schema became one variant of a oneOf/anyOf")
ALL_OF_ADDED = schema_rule("all-of-added", NARROWS, "an allOf member added")
ALL_OF_REMOVED = schema_rule("all-of-removed", (WARNING, ERROR), "an allOf member removed")
PREFIX_ITEMS_ADDED = schema_rule("prefix-items-added", NARROWS, "a prefixItems entry added")
PREFIX_ITEMS_REMOVED = schema_rule("prefix-items-removed", WIDENS, "a prefixItems entry removed")
IF_CHANGED = schema_rule("if-changed", (WARNING,), "the `if` condition changed (which branch applies moved)")
DISCRIMINATOR_ADDED = schema_rule("discriminator-added", (INFO,), "a discriminator added")
DISCRIMINATOR_REMOVED = schema_rule("discriminator-removed", (INFO,), "the discriminator removed")
DISCRIMINATOR_PROPERTY_CHANGED = schema_rule("discriminator-property-name-changed", (INFO,),
                                             "the discriminator's propertyName changed")
DISCRIMINATOR_MAPPING_CHANGED = schema_rule("discriminator-mapping-changed", (INFO,),
                                            "the discriminator's mapping changed")
# Deprecation and sunset of body properties, by the reference's policy (`generator.diff.deprecation`).
PROPERTY_LIFECYCLE = {prefix: deprecation.lifecycle_rules(f"{prefix}-property", "property lifecycle")
                      for prefix in ("request", "response")}
KEYWORD_ADDED = {keyword: schema_rule(f"{part}-added", NARROWS, f"`{keyword}` added")
                 for keyword, part in {**_APPLICATORS, **_SCHEMA_MAPS}.items()}
KEYWORD_REMOVED = {keyword: schema_rule(f"{part}-removed", WIDENS, f"`{keyword}` removed")
                   for keyword, part in {**_APPLICATORS, **_SCHEMA_MAPS}.items()}


@dataclass(frozen=True)
class Place:
    """What is being compared: the operation label, the direction and rule prefix, a readable path."""

    label: str
    direction: str  # request | response
    prefix: str  # parameter | request | response | response-header
    what: str  # e.g. "response 200.items[]"
    inert: bool = False  # inside a readOnly request / writeOnly response property: no client sees it

    def at(self, suffix: str, inert: bool = False, flip: bool = False) -> Place:
        direction = (RESPONSE if self.direction == REQUEST else REQUEST) if flip else self.direction
        return replace(self, what=self.what + suffix, inert=self.inert or inert, direction=direction)


@dataclass
class _Check:
    """One pair of schemas at one place: reports a rule at its level for the direction."""

    comparison: Comparison
    place: Place
    old: Schema
    new: Schema

    @property
    def request(self) -> bool:
        return self.place.direction == REQUEST

    def by_direction(self, levels: tuple[str, str]) -> str:
        return levels[0] if self.request else levels[1]

    def add(self, check: SchemaRule, level: str | tuple[str, str], message: str, old: str | None = None,
            new: str | None = None) -> None:
        if isinstance(level, tuple):
            level = self.by_direction(level)
        self.comparison.add(self.place.label, check[self.place.prefix], INFO if self.place.inert else level,
                            f"{self.place.what}: {message}", self.old.pointer if old is None else old,
                            self.new.pointer if new is None else new)


Seen = frozenset[tuple[tuple[str, str], tuple[str, str]]]


def compare_schemas(comparison: Comparison, place: Place, old: Schema | None, new: Schema | None,
                    seen: Seen = frozenset()) -> None:
    """Every schema rule on one pair of schemas, recursing into every sub-schema keyword."""
    if old is None or new is None or comparison.unchanged(old, new):
        return
    pair = (old.identity(), new.identity())
    if pair in seen:
        return
    seen = seen | {pair}
    check = _Check(comparison, place, old, new)
    _types(check)
    _values(check)
    _bounds(check)
    _annotations(check)
    _properties(check, seen)
    _sub_schemas(check, seen)
    _variants(check, seen)
    _all_of(check)


def _widen(types: frozenset[str]) -> frozenset[str]:
    return types | {"integer"} if "number" in types else types


def _types(check: _Check) -> None:
    old, new = check.old, check.new
    old_types, new_types = old.declared_types - {"null"}, new.declared_types - {"null"}
    if old_types and new_types and old_types != new_types:
        before, after = _widen(old_types), _widen(new_types)
        message = f"type {_join(old_types)} became {_join(new_types)}"
        if before <= after:
            check.add(TYPE_WIDENED, (INFO, ERROR), message)
        elif after <= before:
            check.add(TYPE_NARROWED, (ERROR, INFO), message)
        else:
            check.add(TYPE_CHANGED, ERROR, message)
    elif bool(old_types) != bool(new_types) and not any(_states_values(s) for s in (old, new)):
        if old_types:
            check.add(TYPE_WIDENED, (INFO, ERROR), f"type {_join(old_types)} removed: any type is valid")
        else:
            check.add(TYPE_NARROWED, (ERROR, INFO), f"type {_join(new_types)} set where any type was valid")
    if ("null" in old.declared_types) != ("null" in new.declared_types) and (old.declared_types or new.declared_types):
        if "null" in new.declared_types:
            check.add(NULLABLE_ADDED, WIDENS, "may now be null")
        else:
            check.add(NULLABLE_REMOVED, NARROWS, "may no longer be null")
    _set_unset_changed(check, "format", (FORMAT_ADDED, NARROWS), (FORMAT_REMOVED, WIDENS), (FORMAT_CHANGED, ERROR))


def _values(check: _Check) -> None:
    old, new = check.old, check.new
    if old.enum is None and new.enum is not None:
        check.add(ENUM_ADDED, NARROWS, "values restricted to an enumeration")
    elif old.enum is not None and new.enum is None:
        check.add(ENUM_REMOVED, WIDENS, "the enumeration removed")
    elif old.enum is not None and new.enum is not None:
        _value_sets(check, old.enum, new.enum, ENUM_VALUE_REMOVED, NARROWS, ENUM_VALUE_ADDED, (INFO, WARNING), "enum")
    extensible_old, extensible_new = old.get("x-extensible-enum"), new.get("x-extensible-enum")
    if isinstance(extensible_old, list) and isinstance(extensible_new, list):
        _value_sets(check, extensible_old, extensible_new, EXTENSIBLE_ENUM_VALUE_REMOVED, NARROWS,
                    EXTENSIBLE_ENUM_VALUE_ADDED, (INFO, INFO), "x-extensible-enum")
    _set_unset_changed(check, "const", (CONST_ADDED, NARROWS), (CONST_REMOVED, WIDENS), (CONST_CHANGED, ERROR))
    _set_unset_changed(check, "default", (DEFAULT_ADDED, INFO), (DEFAULT_REMOVED, INFO), (DEFAULT_CHANGED, INFO))


Verdict = tuple[SchemaRule, str | tuple[str, str]]


def _set_unset_changed(check: _Check, keyword: str, added: Verdict, removed: Verdict, changed: Verdict) -> None:
    """A keyword set where it was absent, removed, or given another value (a JSON null counts as a value)."""
    old, new = check.old, check.new
    before, after = old.get(keyword), new.get(keyword)
    if not old.has(keyword) and new.has(keyword):
        check.add(*added, f"{keyword} {after!r} set")
    elif old.has(keyword) and not new.has(keyword):
        check.add(*removed, f"{keyword} {before!r} removed")
    elif before != after:
        check.add(*changed, f"{keyword} {before!r} became {after!r}")


def _value_sets(check: _Check, old: list[Any], new: list[Any], removed_rule: SchemaRule,
                removed_level: tuple[str, str], added_rule: SchemaRule, added_level: tuple[str, str],
                keyword: str) -> None:
    removed = [v for v in old if v not in new]
    added = [v for v in new if v not in old]
    if removed:
        check.add(removed_rule, removed_level, f"{keyword} values removed: {removed}")
    if added:
        check.add(added_rule, added_level, f"{keyword} values added: {added}")


def _bounds(check: _Check) -> None:
    old, new = check.old, check.new
    for key, bigger_is_tighter in _BOUNDS.items():
        before, after = _number(old.get(key)), _number(new.get(key))
        if before == after:
            continue
        message = f"{key} {_show(before)} became {_show(after)}"
        if before is None:
            check.add(CONSTRAINT_ADDED, (WARNING, INFO), message)
        elif after is None:
            check.add(CONSTRAINT_REMOVED, WIDENS, message)
        elif (after > before) == bigger_is_tighter:
            check.add(CONSTRAINT_TIGHTENED, NARROWS, message)
        else:
            check.add(CONSTRAINT_LOOSENED, WIDENS, message)
    before, after = _number(old.get("multipleOf")), _number(new.get("multipleOf"))
    if before != after:
        message = f"multipleOf {_show(before)} became {_show(after)}"
        if before is None:
            check.add(CONSTRAINT_ADDED, (WARNING, INFO), message)
        elif after is None:
            check.add(CONSTRAINT_REMOVED, WIDENS, message)
        elif after and (before / after).is_integer():  # 10 -> 5: every old multiple is still one
            check.add(CONSTRAINT_LOOSENED, WIDENS, message)
        else:
            check.add(CONSTRAINT_TIGHTENED, NARROWS, message)
    if (old.get("uniqueItems") is True) != (new.get("uniqueItems") is True):
        tightened = new.get("uniqueItems") is True
        check.add(CONSTRAINT_TIGHTENED if tightened else CONSTRAINT_LOOSENED, NARROWS if tightened else WIDENS,
                  f"uniqueItems {old.get('uniqueItems') is True} became {tightened}")
    _set_unset_changed(check, "pattern", (PATTERN_ADDED, NARROWS), (PATTERN_REMOVED, WIDENS),
                       (PATTERN_CHANGED, WARNING))


def _annotations(check: _Check) -> None:
    old, new = check.old, check.new
    if old.read_only != new.read_only:
        check.add(READ_ONLY_CHANGED, INFO, f"readOnly {old.read_only} became {new.read_only}")
    if old.write_only != new.write_only:
        check.add(WRITE_ONLY_CHANGED, INFO, f"writeOnly {old.write_only} became {new.write_only}")
    for keyword in ("contentMediaType", "contentEncoding"):
        if old.get(keyword) != new.get(keyword):
            check.add(CONTENT_ENCODING_CHANGED, ERROR, f"{keyword} {old.get(keyword)!r} became {new.get(keyword)!r}")
    before, after = old.discriminator, new.discriminator
    if before is None and after is not None:
        check.add(DISCRIMINATOR_ADDED, INFO, f"discriminator on {after.get('propertyName')!r} added")
    elif before is not None and after is None:
        check.add(DISCRIMINATOR_REMOVED, INFO, f"discriminator on {before.get('propertyName')!r} removed")
    elif before is not None and after is not None:
        if before.get("propertyName") != after.get("propertyName"):
            check.add(DISCRIMINATOR_PROPERTY_CHANGED, INFO,
                      f"discriminator propertyName {before.get('propertyName')!r} became {after.get('propertyName')!r}")
        if (before.get("mapping") or {}) != (after.get("mapping") or {}):
            old_map, new_map = before.get("mapping") or {}, after.get("mapping") or {}
            moved = sorted(str(k) for k in old_map.keys() | new_map.keys() if old_map.get(k) != new_map.get(k))
            check.add(DISCRIMINATOR_MAPPING_CHANGED, INFO, f"discriminator mapping changed for {moved}")


def _properties(check: _Check, seen: Seen) -> None:
    comparison, place, old, new = check.comparison, check.place, check.old, check.new
    request = check.request
    old_props, new_props = old.properties, new.properties

    def unseen(schema: Schema) -> bool:
        """A property no client of this direction sees: readOnly in a request, writeOnly in a response."""
        return schema.read_only if request else schema.write_only

    lifecycle = PROPERTY_LIFECYCLE.get(place.prefix)
    for name in sorted(old_props.keys() - new_props.keys()):
        prop = old_props[name]
        if lifecycle and deprecation.removal(comparison, lifecycle, place.label, prop.node,
                                             f"{place.what}: property {name!r}", prop.pointer):
            continue
        level = WARNING if request or name not in old.required else ERROR
        sub = place.at("", inert=unseen(prop))
        _Check(comparison, sub, old, new).add(PROPERTY_REMOVED, level, f"property {name!r} removed",
                                              old=prop.pointer, new="")
    for name in sorted(new_props.keys() - old_props.keys()):
        prop = new_props[name]
        sub = place.at("", inert=unseen(prop))
        if request and name in new.required:
            _Check(comparison, sub, old, new).add(REQUIRED_PROPERTY_ADDED, ERROR, f"required property {name!r} added",
                                                  old="", new=prop.pointer)
        else:
            _Check(comparison, sub, old, new).add(PROPERTY_ADDED, INFO, f"property {name!r} added", old="",
                                                  new=prop.pointer)
    for name in sorted(old_props.keys() & new_props.keys()):
        before, after = old_props[name], new_props[name]
        sub = place.at(f".{name}", inert=unseen(before) or unseen(after))
        was, now = name in old.required, name in new.required
        pair = _Check(comparison, place.at("", inert=sub.inert), before, after)
        if now and not was:
            pair.add(PROPERTY_BECAME_REQUIRED, NARROWS, f"property {name!r} became required")
        elif was and not now:
            pair.add(PROPERTY_BECAME_OPTIONAL, WIDENS, f"property {name!r} is no longer required")
        if lifecycle:
            deprecation.lifecycle(comparison, lifecycle, place.label, before.node, after.node,
                                  f"{place.what}: property {name!r}", (before.pointer, after.pointer))
        compare_schemas(comparison, sub, before, after, seen)
    old_dep, new_dep = _mapping(old.get("dependentRequired")), _mapping(new.get("dependentRequired"))
    for name in sorted(old_dep.keys() | new_dep.keys()):
        before_names, after_names = set(_strings(old_dep.get(name))), set(_strings(new_dep.get(name)))
        if after_names - before_names:
            check.add(DEPENDENT_REQUIRED_ADDED, NARROWS,
                      f"with {name!r}, also required: {sorted(after_names - before_names)}")
        if before_names - after_names:
            check.add(DEPENDENT_REQUIRED_REMOVED, WIDENS,
                      f"with {name!r}, no longer required: {sorted(before_names - after_names)}")


def _sub_schemas(check: _Check, seen: Seen) -> None:
    comparison, place, old, new = check.comparison, check.place, check.old, check.new
    if old.has("items") or new.has("items"):
        compare_schemas(comparison, place.at("[]"), old.items, new.items, seen)
    for keyword in _APPLICATORS:
        before, after = _applicator(old, keyword), _applicator(new, keyword)
        if before is None and after is None:
            continue
        if before is None:
            check.add(KEYWORD_ADDED[keyword], NARROWS, f"`{keyword}` added")
        elif after is None:
            check.add(KEYWORD_REMOVED[keyword], WIDENS, f"`{keyword}` removed")
        elif keyword == "if":
            if fingerprint(before) != fingerprint(after):
                check.add(IF_CHANGED, WARNING, "the `if` condition changed")
        else:
            compare_schemas(comparison, place.at(f"<{keyword}>", flip=keyword == "not"), before, after, seen)
    for keyword in _SCHEMA_MAPS:
        old_map, new_map = old.mapping(keyword), new.mapping(keyword)
        for key in sorted(new_map.keys() - old_map.keys()):
            check.add(KEYWORD_ADDED[keyword], NARROWS, f"`{keyword}` {key!r} added", old="", new=new_map[key].pointer)
        for key in sorted(old_map.keys() - new_map.keys()):
            check.add(KEYWORD_REMOVED[keyword], WIDENS, f"`{keyword}` {key!r} removed", old=old_map[key].pointer,
                      new="")
        for key in sorted(old_map.keys() & new_map.keys()):
            compare_schemas(comparison, place.at(f"<{keyword} {key}>"), old_map[key], new_map[key], seen)
    old_prefix, new_prefix = old.children("prefixItems"), new.children("prefixItems")
    for index, (before, after) in enumerate(zip(old_prefix, new_prefix)):
        compare_schemas(comparison, place.at(f"[{index}]"), before, after, seen)
    if len(new_prefix) > len(old_prefix):
        check.add(PREFIX_ITEMS_ADDED, NARROWS, f"prefixItems grew from {len(old_prefix)} to {len(new_prefix)}")
    elif len(old_prefix) > len(new_prefix):
        check.add(PREFIX_ITEMS_REMOVED, WIDENS, f"prefixItems shrank from {len(old_prefix)} to {len(new_prefix)}")


def _applicator(schema: Schema, keyword: str) -> Schema | None:
    """The schema of a one-schema keyword; None when absent or when it allows everything (`true`, `{}`)."""
    value = schema.get(keyword)
    if value is None or value is True or value == {}:
        return None
    return schema.child(keyword)


def _variants(check: _Check, seen: Seen) -> None:
    comparison, place, old, new = check.comparison, check.place, check.old, check.new
    for keyword in ("oneOf", "anyOf"):
        old_variants, new_variants = old.children(keyword), new.children(keyword)
        if not old_variants and new_variants and not old.has("anyOf") and not old.has("oneOf"):
            own = fingerprint(old, skip=(keyword,))
            if any(fingerprint(v) == own or (old.name and v.name == old.name) for v in new_variants):
                check.add(WRAPPED_IN_VARIANTS, ERROR, f"became one of {len(new_variants)} {keyword} variants")
                continue
        pairs, removed, added = match_members(old_variants, new_variants)
        for index, (before, after) in enumerate(pairs):
            compare_schemas(comparison, place.at(f"<{keyword} {after.name or index}>"), before, after, seen)
        if removed:
            check.add(VARIANT_REMOVED, NARROWS, f"{len(removed)} {keyword} variant(s) removed")
        if added:
            check.add(VARIANT_ADDED, WIDENS, f"{len(added)} {keyword} variant(s) added")


def _all_of(check: _Check) -> None:
    """allOf members added or removed; their properties are compared merged, by `_properties`."""
    _, removed, added = match_members(check.old.children("allOf"), check.new.children("allOf"))
    if added:
        check.add(ALL_OF_ADDED, NARROWS, f"{len(added)} allOf member(s) added")
    if removed:
        check.add(ALL_OF_REMOVED, (WARNING, ERROR), f"{len(removed)} allOf member(s) removed")


def match_members(old: list[Schema], new: list[Schema]) -> tuple[list[tuple[Schema, Schema]], list[Schema],
                                                                   list[Schema]]:
    """Pair composition members: the same component, then the same structure, then (equal counts left) by
    position; returns the pairs that differ, and the members only in old and only in new."""
    left, right = list(old), list(new)
    pairs: list[tuple[Schema, Schema]] = []
    for before in list(left):
        match = next((after for after in right if before.name and after.name == before.name), None)
        if match is not None:
            left.remove(before)
            right.remove(match)
            pairs.append((before, match))
    prints = {id(after): fingerprint(after) for after in right}
    for before in list(left):
        own = fingerprint(before)
        match = next((after for after in right if prints[id(after)] == own), None)
        if match is not None:
            left.remove(before)
            right.remove(match)
    if len(left) == len(right):
        return pairs + list(zip(left, right)), [], []
    for before in list(left):  # counts differ: pair members of one unmistakable shape on both sides
        shape = _shape(before)
        twins = [after for after in right if _shape(after) == shape]
        if len(twins) == 1 and [b for b in left if _shape(b) == shape] == [before]:
            left.remove(before)
            right.remove(twins[0])
            pairs.append((before, twins[0]))
    return pairs, left, right


def _shape(schema: Schema) -> tuple[Any, ...]:
    """What identifies a member beyond its details: its types, property names and title."""
    return schema.declared_types, frozenset(schema.properties), schema.get("title")


def fingerprint(schema: Schema, depth: int = 0, skip: tuple[str, ...] = ()) -> str:
    """A schema's structure with `$ref`s inlined (to a depth), independent of key order and prose."""
    if depth > _FINGERPRINT_DEPTH:
        return "..."
    node = {k: v for k, v in schema.node.items() if k not in skip} if skip else schema.node
    return _fingerprint_value(schema, node, [], depth)


def _fingerprint_value(schema: Schema, value: Any, path: list[str | int], depth: int) -> str:
    if isinstance(value, dict):
        if path and isinstance(value.get("$ref"), str):
            child = schema.child(*path)
            return fingerprint(child, depth + 1) if child is not None else "null"
        return json.dumps({k: _fingerprint_value(schema, v, [*path, k], depth + 1) for k, v in sorted(value.items())
                           if k not in _PROSE}, sort_keys=True)
    if isinstance(value, list):
        return json.dumps([_fingerprint_value(schema, v, [*path, i], depth + 1) for i, v in enumerate(value)])
    return json.dumps(value)


def _states_values(schema: Schema) -> bool:
    """A schema that constrains its values by composition or enumeration rather than by `type`."""
    return any(schema.has(k) for k in ("oneOf", "anyOf", "allOf", "enum", "const", "not", "$ref"))


def _join(types: frozenset[str]) -> str:
    return "|".join(sorted(types))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _show(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
