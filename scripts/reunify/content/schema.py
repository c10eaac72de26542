"""JSON Schemas for resources.yaml and story front matter, generated from the content models.

Editors' YAML editors (VS Code with the YAML extension, JetBrains IDEs) read them to complete
field names and flag mistakes as one types. `reunify schema` rewrites them; a test fails if the
committed copies fall behind the models.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from reunify.content.models import Campaign, DonationDrive, Event, Organization, Resource, Story, StoryText


class ResourcesFile(BaseModel):
    """resources.yaml: the campaign and every partner, resource, drive and event."""

    model_config = ConfigDict(extra="forbid", title="resources.yaml")
    campaign: Campaign = Field(description="This year's campaign")
    # a list may be left empty (`events:` with nothing under it) between campaigns
    organizations: Optional[list[Organization]] = Field(None, description="Partner "
                                                        "organizations")
    resources: Optional[list[Resource]] = Field(None, description="Resources")
    drives: Optional[list[DonationDrive]] = Field(None, description="Donation drives")
    events: Optional[list[Event]] = Field(None, description="Campaign events")
    terms: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Topics and story themes in other languages: "
        "`es:` then `english term: translation`")


SCHEMAS = {"resources.schema.json": ResourcesFile, "story.schema.json": Story,
           "story-translation.schema.json": StoryText}


def _list_or_nothing(schema: dict) -> dict:
    """`anyOf: [array, null]` as `type: [array, null]`, so that an editor's YAML extension
    still underlines the mistake inside a record rather than the whole list."""
    for name, prop in schema.get("properties", {}).items():
        choices = prop.get("anyOf", [])
        if len(choices) == 2 and {"type": "null"} in choices:
            array = next(c for c in choices if c != {"type": "null"})
            if array.get("type") == "array":
                rest = {k: v for k, v in prop.items() if k != "anyOf"}
                schema["properties"][name] = {**rest, **array, "type": ["array", "null"]}
    return schema


def schema_text(model: type[BaseModel]) -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              **_list_or_nothing(model.model_json_schema(mode="validation"))}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
