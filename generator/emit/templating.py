"""The Jinja environment of every emitter, with filters that make spec text safe in code.

Spec text reaches generated code only as Python literals (`layout.literal`: `repr()` with
black's quotes, the `pyrepr` filter), as escaped docstrings, or as single-line comments.
Nothing from a spec is ever executed.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import jinja2

from generator.emit.layout import literal
from generator.freshness import TEMPLATES

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def docstring(text: str, indent: int) -> str:
    """A triple-quoted docstring holding `text` verbatim, whatever quotes or backslashes it has."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    body = body.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    body = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", body)
    if not body:
        return '""""""'
    pad = " " * indent
    lines = [line.rstrip() for line in body.split("\n")]
    if len(lines) == 1 and not lines[0].endswith('"'):
        return f'"""{lines[0]}"""'
    inner = "\n".join(pad + line if line else "" for line in lines[1:])
    return f'"""{lines[0]}\n{inner}\n{pad}"""' if inner else f'"""{lines[0]}\n{pad}"""'


def one_line(text: str) -> str:
    """Text on one line (for comments and short docstrings): whitespace folded, escapes safe."""
    folded = " ".join(str(text).split())
    return _CONTROL.sub("", folded).replace("\\", "\\\\").replace('"', "'")


def toml_string(value: str) -> str:
    """A TOML basic string."""
    return json.dumps(str(value), ensure_ascii=True)


def markdown_line(text: str) -> str:
    """Text on one line for Markdown, with HTML brackets neutralised."""
    return " ".join(str(text).split()).replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=None)
def environment(folder: str) -> jinja2.Environment:
    """The environment for one template folder (plus the shared ones)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([TEMPLATES / folder, TEMPLATES]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
        autoescape=False,
    )
    env.filters.update(pyrepr=literal, docstring=docstring, docline=one_line, tomlstr=toml_string,
                       mdline=markdown_line)
    return env


def render(folder: str, template: str, **context: Any) -> str:
    """Render one template."""
    return environment(folder).get_template(template).render(**context)
