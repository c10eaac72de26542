"""The published data files and what each field means, from the content models: the Data page
lists them, and `check` reports meanings not yet translated. (Here, beside the models, rather
than with the exports that write the files, so that checking never needs the exports.)"""
from __future__ import annotations

from reunify.content.models import DonationDrive, Event, Organization, Resource

# (file, what it holds), in the order the Data page lists them.
DATA_FILES = [
    ("data/resources.json", "resources"), ("data/resources.csv", "resources"),
    ("data/organizations.json", "organizations"), ("data/organizations.csv", "organizations"),
    ("data/drives.json", "drives"), ("data/events.json", "events"),
    ("data/hsds/organizations.json", "hsds-organizations"),
    ("data/hsds/services.json", "hsds-services"),
]


def field_group(path: str) -> str:
    """'resources' for data/resources.json or .csv, 'hsds' for the HSDS files."""
    return "hsds" if path.startswith("data/hsds/") else path.split("/")[1].split(".")[0]


def describe(path: str) -> list[tuple[str, str]]:
    """(field, meaning) for each column of a data file, from the content models."""
    extra = {"page": "Permanent address of the record's page on this site"}
    if path.startswith("data/hsds/"):
        return [("", "Open Referral HSDS 3.0: see openreferral.org for every field")]
    model = {"resources": Resource, "organizations": Organization, "drives": DonationDrive,
             "events": Event}[path.split("/")[1].split(".")[0]]
    rows = [(name, info.description or "") for name, info in model.model_fields.items()]
    rows.append(("page", extra["page"]))
    if model is Resource:
        rows.append(("publisher_name", "Name of the publishing organization"))
    if model is DonationDrive:
        rows.append(("status", "active or past, on the day the site was built"))
    if model is Event:
        rows.append(("calendar", "Address of the event's iCalendar file"))
    return rows
