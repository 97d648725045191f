"""JSON Schema validators for the spec's own schemas: OpenAPI's dialect, `$ref`s across files, formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from generator.load import Document, load_document
from generator.model.api import SpecModel


class Validators:
    """One validator per schema location (cached), for 3.0 or 3.1 as the document says."""

    def __init__(self, model: SpecModel):
        self.model = model
        self.validator_class = OAS31Validator if model.is_v31 else OAS30Validator
        self.specification = DRAFT202012 if model.is_v31 else DRAFT4
        root = model.document
        self.registry: Registry[Any] = Registry(retrieve=self._retrieve).with_resource(  # type: ignore[call-arg]
            uri(root), self.specification.create_resource(root.data))
        self._cache: dict[tuple[str, str], Any] = {}

    def at(self, document: Document, pointer: str) -> Any:
        """The validator for the schema at (document, pointer)."""
        key = (str(document.path), pointer)
        if key not in self._cache:
            self._cache[key] = self.validator_class({"$ref": f"{uri(document)}#{pointer}"}, registry=self.registry,
                                                    format_checker=self.validator_class.FORMAT_CHECKER)
        return self._cache[key]

    def _retrieve(self, address: str) -> Resource[Any]:
        path = Path(address.removeprefix("file://"))
        document = self.model.resolver.documents.get(path) or load_document(path)
        return self.specification.create_resource(document.data)


def uri(document: Document) -> str:
    """The URI a document's schemas are known by in the validators' registry."""
    return document.path.resolve().as_uri()
