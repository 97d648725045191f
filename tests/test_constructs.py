"""Constructs that real specs use and the generator once got wrong (tests/constructs, one each).

Each construct generates, imports in a fresh process and behaves as the OpenAPI text says;
all the packages pass `mypy --strict` together, in one run. What OpenAPI gives no meaning
that code can carry is refused before anything is written, one located line, exit 2.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import TESTS
from generator import generate
from generator.cli import main

CONSTRUCTS = TESTS / "constructs"
NAMES = sorted(p.name for p in CONSTRUCTS.iterdir() if (p / "api.yaml").is_file())

# What each generated package must do, run against it in a subprocess.
CHECKS = {
    "external_refs": """
        import inspect
        from external_refs import Client, models
        item = models.FeedbackItem.model_validate({"id": "f1", "text": "hi"})
        assert isinstance(item, models.FeedbackItemBase) and (item.id, item.text) == ("f1", "hi")
        pets = [models.Pet.model_validate(p).root for p in ({"kind": "dog", "barks": True}, {"kind": "cat"})]
        assert [type(p).__name__ for p in pets] == ["Dog", "Cat"], pets
        limit = inspect.signature(Client().default.get_feedback).parameters["limit"]
        assert limit.annotation == "int | None", limit.annotation
    """,
    "boolean_schemas": """
        from boolean_schemas import models
        assert "never" not in models.Thing.model_fields, "a `false` property can never be present"
        thing = models.Thing.model_validate({"anything": {"a": [1]}, "either": "s", "values": [1, "x", None]})
        assert (thing.anything, thing.either, thing.values) == ({"a": [1]}, "s", [1, "x", None])
    """,
    "ref_siblings": """
        import pydantic
        from ref_siblings import models
        shrub = models.Shrub.model_validate({"name": "box", "height": 1.5, "children": [{"name": "leaf"}]})
        assert isinstance(shrub, models.Tree) and shrub.height == 1.5 and shrub.children[0].name == "leaf"
        try:
            models.Shrub.model_validate({"height": 1})
            raise AssertionError("the sibling `required: [name]` applies")
        except pydantic.ValidationError:
            pass
        hedge = models.Hedge.model_validate({"next": {"next": {}}})
        assert isinstance(hedge, models.Row) and isinstance(hedge.next, models.Hedge)
        bush = models.Bush.model_validate({"name": "box", "children": []})
        assert isinstance(bush, models.Tree) and bush.name == "box", "inherits through the alias Sapling"
    """,
    "anchor": """
        import pydantic
        from anchor import models
        book = models.Book.model_validate({"title": "Dune"})
        assert book.title == "Dune"  # Title is a plain string for the user (an Annotated alias)
        try:
            models.Book.model_validate({"title": "x" * 81})
            raise AssertionError("the anchored schema's maxLength applies")
        except pydantic.ValidationError:
            pass
    """,
    "const_parameter": """
        import inspect
        import httpx
        from const_parameter import Client
        sent = []
        def answer(request):
            sent.append(request.url)
            return httpx.Response(200)
        client = Client("http://api.test", http_client=httpx.Client(transport=httpx.MockTransport(answer)))
        client.default.search(level=3, pinned="v1")
        assert (sent[0].params["level"], sent[0].params["pinned"]) == ("3", "v1"), sent
        parameters = inspect.signature(client.default.search).parameters
        assert parameters["pinned"].annotation == "Literal['v1'] | None", parameters["pinned"].annotation
        assert parameters["level"].annotation == "Literal[3]", parameters["level"].annotation
    """,
    "opposite_allof_orders": """
        import pydantic
        from opposite_allof_orders import models
        c = models.C.model_validate({"x": "a", "y": 1, "c": True})
        assert (c.x, c.y, c.c) == ("a", 1, True)
        try:
            models.C.model_validate({"y": 1})
            raise AssertionError("x is required through X")
        except pydantic.ValidationError:
            pass
        assert issubclass(models.A, models.X) and issubclass(models.B, models.Y), "the others keep inheriting"
    """,
    "recursive_array": """
        import pydantic
        from recursive_array import models
        nest = models.Nest.model_validate([[], [[]]])
        assert isinstance(nest.root[1].root[0], models.Nest)
        grid = models.Grid.model_validate([[[]], []])
        assert isinstance(grid.root[0][0], models.Grid)
        try:
            models.Nest.model_validate([1])
            raise AssertionError("the items are validated as nests")
        except pydantic.ValidationError:
            pass
    """,
    "enum_default": """
        from enum_default import models
        model = models.AModel()
        assert model.overridden is models.AnAllOfEnum.overridden_default, model.overridden
        assert model.inherited is models.AnAllOfEnum.a_default, model.inherited
        import pydantic
        assert model.tags == [] and pydantic.TypeAdapter(models.Anything).validate_python([1, "a"]) == [1, "a"]
    """,
}


def test_every_construct_has_a_check():
    assert sorted(CHECKS) == NAMES


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every construct generated (unformatted: formatting is not what is tested) into one folder."""
    out = tmp_path_factory.mktemp("constructs")
    for name in NAMES:
        code = main(["generate", str(CONSTRUCTS / name / "api.yaml"), "--out", str(out), "--package", name,
                     "--formatter", "none"])
        assert code == 0, name
    return out


@pytest.mark.parametrize("name", NAMES)
def test_construct_generates_imports_and_behaves(packages, name):
    script = f"import sys\nsys.path.insert(0, {str(packages / name)!r})\n" + textwrap.dedent(CHECKS[name])
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stderr[-3000:]


def test_constructs_pass_mypy_strict_together(packages):
    folders = [str(packages / name / name) for name in NAMES]
    process = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", "/dev/null", *folders],
                             cwd=packages, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stdout[-3000:]


REFUSED = [  # file, line, rule
    ("allof-false.yaml", 19, "generate-unsupported"),
    ("openapi-3.2.yaml", 2, "openapi-version"),
    ("required-false-property.yaml", 17, "generate-unsupported"),
]


@pytest.mark.parametrize("name, line, rule", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_construct_gets_one_located_line_and_nothing_written(run_cli, tmp_path, name, line, rule):
    result = run_cli("generate", CONSTRUCTS / "refused" / name, "--out", tmp_path, "--package", "refused")
    assert result.code == 2, result.out
    assert len(result.lines) == 1 and result.lines[0].startswith(f"tests/constructs/refused/{name}:{line}:"), result.out
    assert f": {rule}: " in result.lines[0]
    assert not any(tmp_path.iterdir()), "nothing is written"


def test_every_refused_construct_is_covered():
    assert sorted(p.name for p in (CONSTRUCTS / "refused").iterdir()) == sorted(r[0] for r in REFUSED)


def test_generate_refuses_what_validate_refuses_as_unusable(run_cli):
    spec = CONSTRUCTS / "refused" / "openapi-3.2.yaml"
    validated, generated = run_cli("validate", spec), run_cli("generate", spec, "--check")
    assert validated.code == generated.code == 2
    assert validated.lines[0] == generated.lines[0]


@pytest.mark.parametrize("formatter", ["none", "black"])
def test_a_module_that_does_not_import_is_never_written(run_cli, write_spec, tmp_path, monkeypatch, formatter):
    """Whatever the formatter, the trial import stops the run and the tree stays as it was."""
    text = (CONSTRUCTS / "const_parameter" / "api.yaml").read_text()
    spec = write_spec(text)
    out = tmp_path / "out"
    assert run_cli("generate", spec, "--out", out, "--package", "pkg", "--formatter", formatter).code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    render_client = generate.render_client

    def with_an_unorderable_hierarchy(*args: object) -> dict[Path, str]:
        files = render_client(*args)
        client = next(path for path in files if path.name == "client.py")
        files[client] += "\n\nclass X:\n    pass\n\n\nclass Y(X):\n    pass\n\n\nclass Z(X, Y):\n    pass\n"
        return files

    monkeypatch.setattr(generate, "render_client", with_an_unorderable_hierarchy)
    spec.write_text(text.replace("title: Const parameter", "title: Const parameter, changed"))
    result = run_cli("generate", spec, "--out", out, "--package", "pkg", "--formatter", formatter)
    assert result.code == 2, result.out
    assert len(result.lines) == 1 and "pkg/client.py:" in result.lines[0], result.out
    assert ": generate-failed: " in result.lines[0] and "TypeError" in result.lines[0]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_editing_a_referenced_file_regenerates(run_cli, tmp_path):
    """The fast path ("up to date") also looks at the files the spec's `$ref`s reach."""
    source = tmp_path / "spec"
    shutil.copytree(CONSTRUCTS / "external_refs", source)
    args = ("generate", source / "api.yaml", "--out", tmp_path / "out", "--package", "pkg", "--formatter", "none")
    assert run_cli(*args).code == 0
    assert run_cli(*args).lines[-1].endswith(", 1 up to date")
    pets = source / "shared" / "pets.yaml"
    pets.write_text(pets.read_text() + "    name: {type: string}\n")  # a property more for Cat
    result = run_cli(*args)
    assert result.code == 0 and result.lines[-1].endswith(", 0 up to date"), result.out
    models = (tmp_path / "out" / "pkg" / "pkg" / "models.py").read_text()
    assert "name: str | None = None" in models.split("class Cat(", 1)[1].split("\nclass ", 1)[0]
