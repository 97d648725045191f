"""Python identifiers from wire names: snake_case and PascalCase, keywords, digits, collisions."""

from __future__ import annotations

import keyword
import re
import unicodedata

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")
# Names a generated module imports or defines itself; a model or argument must not shadow them.
RESERVED = frozenset(
    {"Any", "Annotated", "BaseModel", "ConfigDict", "Enum", "Field", "Literal", "Optional", "RootModel",
     "StrEnum", "IntEnum", "Union", "annotations", "models", "self", "cls", "httpx", "typing", "datetime",
     "date", "time", "decimal", "uuid", "AwareDatetime", "List", "Dict", "Iterator", "AsyncIterator",
     "ApiModel", "OpenEnum", "OpenStrEnum", "OpenIntEnum", "Mapping"}
)


def words(name: str) -> list[str]:
    """The words of a wire name: camelCase humps, digits and anything between separators."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _WORD.findall(ascii_name)


def snake_case(name: str, fallback: str = "value") -> str:
    """`createdOn[gt]` -> `created_on_gt`; keywords get a trailing `_`, leading digits an `n` prefix."""
    result = "_".join(word.lower() for word in words(name)) or fallback
    if result[0].isdigit():
        result = "n" + result
    if keyword.iskeyword(result) or keyword.issoftkeyword(result) or result in RESERVED:
        result += "_"
    return result


def pascal_case(name: str, fallback: str = "Model") -> str:
    """`issuing.card` -> `IssuingCard`; reserved names and leading digits are made safe."""
    result = "".join(word[:1].upper() + word[1:] for word in words(name)) or fallback
    if result[0].isdigit():
        result = "N" + result
    if result in RESERVED or keyword.iskeyword(result):
        result += "Model"
    return result


class UniqueNames:
    """Hands out names unique within one scope, first come first served: `name`, `name2`, `name3`…"""

    def __init__(self, taken: set[str] | frozenset[str] = frozenset(), separator: str = ""):
        self.taken = set(taken)
        self.separator = separator

    def claim(self, name: str) -> str:
        candidate, counter = name, 1
        while candidate.lower() in self.taken:
            counter += 1
            candidate = f"{name}{self.separator}{counter}"
        self.taken.add(candidate.lower())
        return candidate
