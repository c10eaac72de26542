"""Data for reuse: JSON and CSV of every public field, and Open Referral HSDS 3.0.

These files live at fixed addresses under data/ that agencies build on: never rename a file or
a field; add new fields instead. Ids in the HSDS export are uuid5 of our own ids, so they stay the
same from build to build.
"""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, time, timezone

from reunify.content import editions, geography
from reunify.site.index import Site, event_end, event_start

# A fixed namespace: HSDS ids depend only on our ids, not on where the site is hosted.
HSDS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "hsds.reunification-hub")
LICENSE = {"name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
           "url": "https://creativecommons.org/licenses/by/4.0/"}

def _json(rows: list[dict]) -> bytes:
    """A JSON list with one record per line: easy to read and to compare between builds, and
    written by Python's fast encoder (indented output takes the slow one: 0.2 s a file at
    national size)."""
    if not rows:
        return b"[]\n"
    lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    return f"[\n{lines}\n]\n".encode("utf-8")


def _record(record, page: str) -> dict:
    data = record.model_dump(mode="json")
    data["page"] = page
    return data


def resources(site: Site, permalink) -> list[dict]:
    rows = []
    for resource in site.resources:
        row = _record(resource, permalink(f"resources/{resource.id}/"))
        row["publisher_name"] = site.org_by_id[resource.publisher].name
        rows.append(row)
    return rows


def organizations(site: Site, permalink) -> list[dict]:
    return [_record(org, permalink(f"organizations/{org.id}/")) for org in site.organizations]


def drives(site: Site, permalink) -> list[dict]:
    rows = []
    for status, listed in (("active", site.active_drives), ("past", site.past_drives)):
        for drive in listed:
            row = _record(drive, permalink(f"drives/{drive.id}/"))
            row["status"] = status
            rows.append(row)
    return rows


def events(site: Site, permalink) -> list[dict]:
    rows = []
    for event in site.upcoming_events + site.past_events:
        row = _record(event, permalink(f"events/{event.id}/"))
        row["starts"] = event_start(event).isoformat()
        row["ends"] = event_end(event).isoformat()
        row["calendar"] = permalink(f"events/{event.id}/event.ics")
        rows.append(row)
    return rows


# A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """One cell as text a spreadsheet shows and never runs: lists as '; '-separated text,
    groups of fields (translations, drive items) as JSON, and a leading =, +, -, @, tab or
    carriage return made inert by a ' before it, as OWASP recommends."""
    if value is None:
        return ""
    if isinstance(value, list):
        text = "; ".join(json.dumps(v, ensure_ascii=False, sort_keys=True)
                         if isinstance(v, (dict, list)) else str(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text


def to_csv(rows: list[dict]) -> bytes:
    """Flat rows, every cell quoted, so a spreadsheet opens the file as is and runs nothing."""
    if not rows:
        return b""
    columns = list(rows[0])
    for row in rows[1:]:
        columns += [key for key in row if key not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n",
                            quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def hsds_id(kind: str, record_id: str) -> str:
    return str(uuid.uuid5(HSDS_NAMESPACE, f"{kind}/{record_id}"))


def hsds_organizations(site: Site, permalink) -> list[dict]:
    rows = []
    for org in site.organizations:
        org_uuid = hsds_id("organization", org.id)
        row = {"id": org_uuid, "name": org.name, "description": org.description,
               "website": org.website, "uri": permalink(f"organizations/{org.id}/"),
               "phones": [], "contacts": []}
        if org.email:
            row["email"] = org.email
        if org.phone:
            row["phones"].append({"id": hsds_id("phone", org.id), "organization_id": org_uuid,
                                  "number": org.phone})
        rows.append(row)
    return rows


def _area(state: str) -> str:
    return "United States" if state == geography.NATIONAL else geography.STATES[state]


def hsds_services(site: Site, permalink) -> list[dict]:
    rows = []
    for resource in site.resources:
        service_uuid = hsds_id("service", resource.id)
        verified = datetime.combine(resource.last_verified, time(0), timezone.utc)
        rows.append({
            "id": service_uuid,
            "organization_id": hsds_id("organization", resource.publisher),
            "name": resource.title,
            "description": resource.description,
            "url": resource.url,
            "status": "active",
            "last_modified": verified.isoformat().replace("+00:00", "Z"),
            "languages": [{"id": hsds_id("language", f"{resource.id}/{code}"),
                           "service_id": service_uuid, "code": code,
                           "name": editions.language_name(code)}
                          for code in resource.languages],
            "service_areas": [{"id": hsds_id("service_area", f"{resource.id}/{state}"),
                               "service_id": service_uuid, "name": _area(state),
                               "extent_type": "text", "extent": _area(state)}
                              for state in resource.states],
        })
    return rows


def data_files(site: Site, permalink) -> dict[str, bytes]:
    """Every file under data/, by path."""
    resource_rows = resources(site, permalink)
    org_rows = organizations(site, permalink)
    return {
        "data/resources.json": _json(resource_rows),
        "data/resources.csv": to_csv(resource_rows),
        "data/organizations.json": _json(org_rows),
        "data/organizations.csv": to_csv(org_rows),
        "data/drives.json": _json(drives(site, permalink)),
        "data/events.json": _json(events(site, permalink)),
        "data/hsds/organizations.json": _json(hsds_organizations(site, permalink)),
        "data/hsds/services.json": _json(hsds_services(site, permalink)),
    }
