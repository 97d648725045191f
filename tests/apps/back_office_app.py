"""What a new user writes first against crm_back_office: list, get and create, plain strings throughout.

Type-checked with `mypy --strict` and run against the package's mock server by tests/test_sdk_usage.py.
"""

from __future__ import annotations

from crm_back_office import Client
from crm_back_office.models import (
    Activity,
    ActivityCreateRequest,
    ActivityLinkCreate,
    ActivitySchedule,
    ActivityState,
)


def pending_or_completed(client: Client, contact_id: str) -> list[str]:
    """The names of a contact's open and done activities: an enum member and a string mixed."""
    page = client.activities.list_activities(contact_id=contact_id, states=[ActivityState.pending, "COMPLETED"])
    return [item.name or "" for item in page.content or []]


def activity(client: Client, activity_id: str) -> Activity:
    return client.activities.get_activity(id=activity_id)


def create_call(client: Client, type_id: str, contact_id: str) -> str | None:
    """A new activity linked to a contact; ids and the link's type are plain strings."""
    request = ActivityCreateRequest(
        name="Call customer",
        type_id=type_id,
        scheduled_on=ActivitySchedule(from_date=1592809457, to_date=1592813057),
        linked_to=[ActivityLinkCreate(type="CONTACT", id=contact_id)],
    )
    created = client.activities.create_activity(body=request)
    return created.id
