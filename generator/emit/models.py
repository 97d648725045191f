"""Pydantic v2 models with datamodel-code-generator, from the IR's models document."""

from __future__ import annotations

import re
import sys
import warnings
from collections import defaultdict
from typing import Any

from generator.emit.hierarchy import merge_all_of, unlinearisable
from generator.emit.user_types import plain_types
from generator.freshness import TEMPLATES
from generator.ir import Api
from generator.schemas import COMPONENT_PREFIX

_DEFINED = re.compile(r"^(?:class (\w+)\b|(\w+) = |type (\w+)\b)", re.MULTILINE)


class ModelGenerationError(Exception):
    """datamodel-code-generator failed or did not produce a model the client needs."""


def render_models(api: Api, package: str, header: str) -> str:
    """The `models.py` module: one class per named schema, enums open, request models strict."""
    document = api.models_document
    if not document["components"]["schemas"]:
        return f'{header}\n"""This API declares no schemas: its operations take and return plain JSON."""\n'
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its advice is for its own CLI users, not ours
            code = _run_datamodel_codegen(document, api, package, header)
            conflicts = unlinearisable(code) if isinstance(code, str) else []
            if conflicts:  # generated again with those models merged: they then inherit nothing
                document = merge_all_of(document, conflicts)
                code = _run_datamodel_codegen(document, api, package, header)
    except Exception as exc:  # its errors are of many kinds; one line each for the user
        message = " ".join(str(exc).split())[:300]
        raise ModelGenerationError(f"datamodel-code-generator failed: {type(exc).__name__}: {message}") from None
    if not isinstance(code, str):
        raise ModelGenerationError("datamodel-code-generator produced several modules; expected one")
    code = plain_types(_type_bare_lists(code, document))  # items back first: a recursive array stays a model
    code = sort_imports(_defer_builds(_open_enums(code, package), package), package)
    defined = {next(filter(None, m)) for m in _DEFINED.findall(code)}
    missing = sorted(set(document["components"]["schemas"]) - defined)
    if missing:
        raise ModelGenerationError(f"models not generated under their expected names: {', '.join(missing[:5])}")
    return code


# Formats read as plain strings: APIs put relative references under `uri` and loose addresses
# under `email` (Twilio's `uri` fields are paths), and a client must not refuse such a response;
# `email` would also need email-validator, which a generated package does not depend on.
LENIENT_FORMATS = ["string+uri=string", "string+iri=string", "string+email=string", "string+idn-email=string"]


def _run_datamodel_codegen(document: dict[str, Any], api: Api, package: str, header: str) -> Any:
    import datamodel_code_generator as dmcg  # heavy: loaded only when models are generated
    from datamodel_code_generator.enums import DataModelType

    return dmcg.generate(
        document,
        input_file_type=dmcg.InputFileType.OpenAPI,
        output_model_type=DataModelType.PydanticV2BaseModel,
        openapi_scopes=[dmcg.OpenAPIScope.Schemas],
        target_python_version=dmcg.PythonVersion.PY_311,
        base_class=f"{package}._runtime.ApiModel",
        custom_template_dir=TEMPLATES / "models",
        extra_template_data=defaultdict(dict, {name: {"forbid_extra": True} for name in sorted(api.request_models)}),
        snake_case_field=True,
        set_default_enum_member=True,
        allow_population_by_field_name=True,
        extra_fields="allow",
        use_annotated=True,
        field_constraints=True,
        use_standard_collections=True,
        use_union_operator=True,
        use_schema_description=True,
        use_field_description=True,
        use_double_quotes=True,
        disable_timestamp=True,
        type_mappings=LENIENT_FORMATS,
        formatters=[],
        custom_file_header=header,
    )


_ENUM_CLASS = re.compile(r"^(class \w+\((?:Enum|StrEnum|IntEnum)\):)", re.MULTILINE)


def _open_enums(code: str, package: str) -> str:
    """Decorate every generated enum with the runtime's `open_enum` (unknown values accepted)."""
    code, count = _ENUM_CLASS.subn(r"@open_enum\n\1", code)
    if count:
        future = "from __future__ import annotations\n"
        code = code.replace(future, f"{future}from {package}._runtime import open_enum\n", 1)
    return code


_ROOT_MODEL_CLASS = re.compile(r"^(class \w+\()RootModel\[", re.MULTILINE)
_REBUILD = re.compile(r"^\w+\.model_rebuild\(\)\n", re.MULTILINE)


def _defer_builds(code: str, package: str) -> str:
    """Build no validator at import: root models get the deferring base, eager rebuilds go.

    Importing a large API's models then costs class creation only; each model builds its
    validator the first time it is used (pydantic's `defer_build`).
    """
    code, count = _ROOT_MODEL_CLASS.subn(r"\1ApiRootModel[", code)
    code = _REBUILD.sub("", code)
    if count:
        future = "from __future__ import annotations\n"
        code = code.replace(future, f"{future}from {package}._runtime import ApiRootModel\n", 1)
    if not re.search(r"\bRootModel\b", code.split("\n\n\n", 1)[1] if "\n\n\n" in code else ""):
        code = re.sub(r"^(from pydantic import .*?)\bRootModel, |, RootModel\b", r"\1", code, count=1,
                      flags=re.MULTILINE)
    return code


_BARE_LIST_ROOT = re.compile(r"^class (\w+)\(RootModel\[list\]\):\n((?:    .*\n|\n)*?)    root: list$", re.MULTILINE)


def _type_bare_lists(code: str, document: dict[str, Any]) -> str:
    """Give a bare `list` root model its items back (`list["Tree"]`), from the schema.

    datamodel-code-generator drops the items of an array whose items refer back to the
    array itself; mypy --strict rejects a bare `list`, and the items would go unvalidated.
    """
    schemas = document["components"]["schemas"]

    def typed(match: re.Match[str]) -> str:
        name, body = match.group(1), match.group(2)
        items = _items_annotation(schemas.get(name))
        if items is None:
            return match.group(0)
        quoted = re.sub(r"\b(?!list\b)(\w+)", r'"\1"', items)
        return f"class {name}(RootModel[list[{quoted}]]):\n{body}    root: list[{items}]"

    return _BARE_LIST_ROOT.sub(typed, code)


def _items_annotation(schema: Any) -> str | None:
    """`Name` or `list[Name]`... for an array whose items are a `$ref` (through nested arrays); else None."""
    items = schema.get("items") if isinstance(schema, dict) else None
    if not isinstance(items, dict):
        return None
    ref = items.get("$ref")
    if isinstance(ref, str) and ref.startswith(COMPONENT_PREFIX):
        return ref[len(COMPONENT_PREFIX):]
    inner = _items_annotation(items) if items.get("type") == "array" else None
    return f"list[{inner}]" if inner else None


def sort_imports(code: str, first_party: str) -> str:
    """Order the module's leading one-line imports as isort (and ruff's I001) expect."""
    lines = code.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(("import ", "from ")))
    end = start
    while end < len(lines) and (lines[end].startswith(("import ", "from ")) or not lines[end].strip()):
        end += 1
    plain: dict[int, set[str]] = {}
    from_imports: dict[int, dict[str, set[str]]] = {}
    for line in filter(None, lines[start:end]):
        module = line.split()[1]
        root = module.split(".")[0]
        rank = 0 if root == "__future__" else 1 if root in sys.stdlib_module_names else (
            3 if root == first_party else 2)
        if line.startswith("from "):
            from_imports.setdefault(rank, {}).setdefault(module, set()).update(line.split(" import ", 1)[1].split(", "))
        else:
            plain.setdefault(rank, set()).add(line)
    ordered = []
    for rank in sorted(set(plain) | set(from_imports)):
        section = sorted(plain.get(rank, ()), key=str.lower) + [
            f"from {module} import {', '.join(sorted(names, key=isort_key))}"
            for module, names in sorted(from_imports.get(rank, {}).items(), key=lambda item: item[0].lower())
        ]
        ordered.append("\n".join(section))
    return "\n".join([*lines[:start], "\n\n".join(ordered), "", "", *lines[end:]])


def isort_key(name: str) -> tuple[int, str]:
    """isort's order-by-type: CONSTANTS, then Classes, then functions and modules."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name
