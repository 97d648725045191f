"""Walking the structure of an OpenAPI document (without following `$ref`s)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from generator.load import join_pointer

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Schema keywords whose value is a schema, a list of schemas or a map of schemas.
_SCHEMA_VALUED = ("items", "additionalProperties", "not", "contains", "propertyNames",
                  "if", "then", "else", "unevaluatedItems", "unevaluatedProperties")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


@dataclass(frozen=True)
class OperationSite:
    """An operation and where it sits: `paths` (or `webhooks`) key, method and pointer."""

    path: str
    method: str
    operation: dict[str, Any]
    pointer: str
    path_item: dict[str, Any]


def iter_operations(data: dict[str, Any]) -> Iterator[OperationSite]:
    """Every operation under `paths` and `webhooks`, in document order."""
    for section in ("paths", "webhooks"):
        items = data.get(section)
        if not isinstance(items, dict):
            continue
        for path, item in items.items():
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    yield OperationSite(path, method, operation, join_pointer([section, path, method]), item)


def _children(node: dict[str, Any], parts: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    """The direct sub-schemas of a schema object, with their pointer parts."""
    for key in _SCHEMA_VALUED:
        if isinstance(node.get(key), dict):
            yield parts + [key], node[key]
    for key in _SCHEMA_LISTS:
        if isinstance(node.get(key), list):
            yield from ((parts + [key, i], s) for i, s in enumerate(node[key]))
    for key in _SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            yield from ((parts + [key, name], s) for name, s in node[key].items())


def iter_schemas(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object written in the document (roots and nested), with its pointer."""
    stack = [(parts, node) for parts, node in _schema_roots(data)]
    stack.reverse()
    while stack:
        parts, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield join_pointer(parts), node
        stack.extend(reversed(list(_children(node, parts))))


def iter_example_holders(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Parameters, headers and media types: the objects that carry `schema` and examples."""
    for parts, holder in _holders(data):
        if isinstance(holder, dict):
            yield join_pointer(parts), holder


def _holders(data: dict[str, Any]) -> Iterator[tuple[list[Any], Any]]:
    components = _components(data)
    for name, parameter in _mapping(components.get("parameters")):
        yield ["components", "parameters", name], parameter
        yield from _content(parameter, ["components", "parameters", name])
    for name, header in _mapping(components.get("headers")):
        yield ["components", "headers", name], header
    for name, body in _mapping(components.get("requestBodies")):
        yield from _content(body, ["components", "requestBodies", name])
    for name, response in _mapping(components.get("responses")):
        yield from _response_holders(response, ["components", "responses", name])
    for section in ("paths", "webhooks"):
        for path, item in _mapping(data.get(section)):
            yield from _path_item_holders(item, [section, path])
    for name, item in _mapping(components.get("pathItems")):
        yield from _path_item_holders(item, ["components", "pathItems", name])


def _path_item_holders(item: Any, parts: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    if not isinstance(item, dict):
        return
    yield from _parameter_holders(item.get("parameters"), parts + ["parameters"])
    for method in HTTP_METHODS:
        operation = item.get(method)
        if not isinstance(operation, dict):
            continue
        op_parts = parts + [method]
        yield from _parameter_holders(operation.get("parameters"), op_parts + ["parameters"])
        yield from _content(operation.get("requestBody"), op_parts + ["requestBody"])
        for code, response in _mapping(operation.get("responses")):
            yield from _response_holders(response, op_parts + ["responses", code])
        for name, callback in _mapping(operation.get("callbacks")):
            for expression, callback_item in _mapping(callback):
                yield from _path_item_holders(callback_item, op_parts + ["callbacks", name, expression])


def _parameter_holders(parameters: Any, parts: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    if isinstance(parameters, list):
        for i, parameter in enumerate(parameters):
            if isinstance(parameter, dict) and "$ref" not in parameter:
                yield parts + [i], parameter
                yield from _content(parameter, parts + [i])


def _response_holders(response: Any, parts: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    if not isinstance(response, dict):
        return
    for name, header in _mapping(response.get("headers")):
        yield parts + ["headers", name], header
    yield from _content(response, parts)


def _content(owner: Any, parts: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    if isinstance(owner, dict):
        for media_type, media in _mapping(owner.get("content")):
            yield parts + ["content", media_type], media


def _components(data: dict[str, Any]) -> dict[str, Any]:
    components = data.get("components")
    return components if isinstance(components, dict) else {}


def _mapping(value: Any) -> Iterator[tuple[str, Any]]:
    return iter(value.items()) if isinstance(value, dict) else iter(())


def _schema_roots(data: dict[str, Any]) -> Iterator[tuple[list[Any], Any]]:
    components = _components(data)
    for name, schema in _mapping(components.get("schemas")):
        yield ["components", "schemas", name], schema
    for parts, holder in _holders(data):
        if isinstance(holder, dict) and isinstance(holder.get("schema"), dict):
            yield parts + ["schema"], holder["schema"]
