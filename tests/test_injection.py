"""A hostile spec: quotes, triple quotes, backslashes, newlines, keywords and Python code in every
place a spec can put text. The generated package must compile, import, work, and never run any of it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import yaml

from conftest import ROOT

PAYLOAD = "__import__('pathlib').Path('PWNED').touch()"
NASTY = f'"""; {PAYLOAD}; """ \'\'\' \\N{{oops}} \\ \n{PAYLOAD}\n# {PAYLOAD}\n\x00\x07 end\\'


def hostile_spec() -> dict:
    string_with_code = {"type": "string", "description": NASTY, "example": NASTY, "default": NASTY}
    model = {
        "type": "object",
        "description": NASTY,
        "required": ["class"],
        "properties": {
            "class": {"type": "string", "description": NASTY},
            "from": {"type": "integer"},
            "1x": {"type": "string"},
            "a.b": {"type": "string"},
            "x-y": string_with_code,
            "self": {"type": "boolean"},
            "model_config": {"type": "string"},
            '"quoted"': {"type": "string"},
            "kind": {"type": "string", "enum": ["'; " + PAYLOAD, "a\nb", "class", "1", "", "None", NASTY]},
        },
    }
    operation = {
        "operationId": f'"delete"; {PAYLOAD} #',
        "summary": NASTY,
        "description": NASTY,
        "tags": ['x"y """ tag'],
        "parameters": [
            {"name": "item-id", "in": "path", "required": True, "schema": {"type": "string"}, "description": NASTY},
            {"name": "class", "in": "query", "schema": {"type": "string", "enum": [NASTY, "plain"]}},
            {"name": "from", "in": "header", "schema": {"type": "string"}},
            {"name": "1st", "in": "query", "schema": {"type": "integer", "default": 3}},
            {"name": "a[b]", "in": "query", "schema": {"type": "string", "default": NASTY}},
            {"name": "a-b", "in": "query", "schema": {"type": "string"}},
            {"name": "a_b", "in": "query", "schema": {"type": "string"}},
            {"name": "self", "in": "query", "schema": {"type": "string"}},
            {"name": "body", "in": "query", "schema": {"type": "string"}},
        ],
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/1Model"}}}},
        "responses": {
            "200": {"description": NASTY, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/my.model"}, "example": {"class": NASTY}}}},
            "4XX": {"description": NASTY, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/class"}}}},
        },
    }
    twin = {"operationId": "delete", "tags": ["class"], "responses": {"204": {"description": NASTY}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": NASTY, "version": "1.0", "description": NASTY},
        "servers": [{"url": "http://127.0.0.1:9/" + NASTY.replace("\n", "")}],
        "tags": [{"name": 'x"y """ tag', "description": NASTY}],
        "paths": {"/items/{item-id}": {"post": operation}, "/other": {"delete": twin, "get": {**twin, "tags": ["1st-tag"]}}},
        "components": {
            "securitySchemes": {"class": {"type": "apiKey", "in": "header", "name": NASTY.replace("\n", " ")}},
            "schemas": {
                "1Model": model, "my.model": model, "class": {"type": "object", "description": NASTY},
                "Model-Name": model, "BaseModel": {"type": "string"}, "Field": {"type": "integer"},
            },
        },
    }


def test_hostile_spec_generates_code_that_compiles_imports_and_runs_nothing(run_cli, tmp_path):
    spec = tmp_path / "hostile.yaml"
    spec.write_text(yaml.safe_dump(hostile_spec(), allow_unicode=True))
    result = run_cli("generate", spec, "--out", tmp_path / "out", "--package", "hostile")
    assert result.code == 0, result.out
    package_folder = tmp_path / "out" / "hostile"
    for path in package_folder.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    script = textwrap.dedent(f"""
        import sys, pathlib
        sys.path.insert(0, {str(package_folder)!r})
        sys.path.insert(0, {str(ROOT / "tests")!r})
        import hostile, hostile.models as models
        from loopback import LoopbackServer
        for name in dir(models):
            getattr(models, name)
        with LoopbackServer() as server, hostile.Client(server.url) as client:
            for attribute in [a for a in dir(client) if not a.startswith("_")]:
                getattr(client, attribute)
            server.answer(200, {{"class": "c", "x-y": "v", "kind": "unheard-of"}})
            namespace = client.x_y_tag
            method = next(getattr(namespace, n) for n in dir(namespace) if n.startswith("delete_import"))
            answer = method(item_id="a/b", class_="plain", from_="x", body={{"class": "k"}})
            request = server.requests[0]
            assert request.path.endswith("/items/a%2Fb"), request.path
            assert answer.model_extra is not None
            print("PATH", request.path)
            print("QUERY", sorted(dict(request.query)))
        print("OK", pathlib.Path("PWNED").exists())
    """)
    process = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stderr[-3000:]
    assert "OK False" in process.stdout
    assert not (tmp_path / "PWNED").exists()
    assert "QUERY ['class']" in process.stdout  # the spec defaults of '1st' and 'a[b]' are not sent


def test_hostile_spec_output_passes_mypy_and_ruff(run_cli, tmp_path):
    spec = tmp_path / "hostile.yaml"
    spec.write_text(yaml.safe_dump(hostile_spec(), allow_unicode=True))
    assert run_cli("generate", spec, "--out", tmp_path, "--package", "hostile").code == 0
    for command in ([sys.executable, "-m", "mypy", "--strict", "--cache-dir", "/dev/null", "hostile"],
                    [sys.executable, "-m", "ruff", "check", "--no-cache", "hostile"]):
        process = subprocess.run(command, cwd=tmp_path / "hostile", capture_output=True, text=True, timeout=300)
        assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-2000:]
