"""The SDK as a new user meets it: README examples and a first app type-check and run."""

from __future__ import annotations

import enum
import os
import re
import subprocess
import sys

import pydantic
import pytest
from conftest import GENERATED, ROOT, TESTS
from servers import serving

APP = TESTS / "apps" / "back_office_app.py"
# Mistakes the type checker must catch, one per line: a value outside the enum, an id that is not a string.
MISTAKES = """\
from crm_back_office import Client
from crm_back_office.models import ActivityLinkCreate

def mistakes(client: Client) -> None:
    client.activities.list_activities(states=["OPEN"])
    ActivityLinkCreate(type="CONTACT", id=42)
"""


def readme_examples() -> dict[str, str]:
    """Every ```python block of the project README and of each generated package's README."""
    readmes = [ROOT / "README.md", *sorted(GENERATED.glob("*/README.md"))]
    return {f"{path.parent.name.replace('-', '_')}_{i}": block for path in readmes
            for i, block in enumerate(re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL))}


def test_every_generated_readme_has_an_example():
    names = readme_examples()
    assert {name.rsplit("_", 1)[0] for name in names} >= {p.name for p in GENERATED.iterdir() if p.is_dir()}


def test_readme_examples_and_a_first_app_pass_mypy_strict_and_mistakes_do_not(tmp_path):
    for name, code in readme_examples().items():
        (tmp_path / f"readme_{name}.py").write_text(code)
    (tmp_path / "app.py").write_text(APP.read_text())
    (tmp_path / "mistakes.py").write_text(MISTAKES)
    packages = os.pathsep.join(str(p) for p in sorted(GENERATED.iterdir()) if (p / "pyproject.toml").exists())
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", os.devnull, "."],
                            cwd=tmp_path, env={**os.environ, "MYPYPATH": packages},
                            capture_output=True, text=True, timeout=600)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[:2] for line in errors] == [["mistakes.py", "5"], ["mistakes.py", "6"]], result.stdout


@pytest.fixture
def back_office(generated_packages):
    import crm_back_office

    return crm_back_office


def test_the_first_app_runs_against_the_mock_server(back_office):
    from crm_back_office.server import create_mock_app

    sys.path.insert(0, str(APP.parent))
    import back_office_app as app

    with serving(create_mock_app()) as url, back_office.Client(
            url, api_key="k", bearer_token="t") as client:
        names = app.pending_or_completed(client, "4dc0809f-ed91-4b68-b912-5bd6064d901e")
        fetched = app.activity(client, "4dc0809f-ed91-4b68-b912-5bd6064d901e")
        created = app.create_call(client, "cdd8e232-ddce-87c0-44fd-27f44035a252", "4dc0809f-ed91-4b68-b912-5bd6064d901e")
    assert names and all(isinstance(name, str) for name in names)
    assert type(fetched.id) is str and re.fullmatch(r"[0-9a-f-]{36}", fetched.id)
    assert isinstance(created, str) and created


def test_enum_fields_take_strings_and_give_members(back_office):
    models = back_office.models
    link = models.ActivityLinkCreate(type="CONTACT", id="4dc0809f-ed91-4b68-b912-5bd6064d901e")
    state = models.ActivityListItem.model_validate_json(b'{"state": "PENDING"}').state
    assert state is models.ActivityState.pending
    assert isinstance(link.type, enum.Enum) and link.model_dump(mode="json")["type"] == "CONTACT"
    assert str(link.id) == repr(link.id)[1:-1]  # an id prints as itself, not root='...'
    with pytest.raises(pydantic.ValidationError):  # the alias keeps the pattern
        models.ActivityLinkCreate(type="CONTACT", id="not-a-guid")


def test_wire_values_of_enum_members_and_strings_are_the_same(back_office):
    from loopback import LoopbackServer

    state = back_office.models.ActivityState
    with LoopbackServer() as server, back_office.Client(server.url, api_key="k", bearer_token="t") as client:
        for states in ([state.pending, state.completed], ["PENDING", "COMPLETED"]):
            server.answer(200, {"content": []})
            client.activities.list_activities(states=states)
    members, strings = ([value for name, value in r.query if name == "states"] for r in server.requests)
    assert members == strings and ",".join(members) == "PENDING,COMPLETED"
