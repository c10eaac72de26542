"""JSON Schemas for resources.yaml and story front matter, generated from the content models.

Editors' YAML editors (VS Code with the YAML extension, JetBrains IDEs) read them to complete
field names and flag mistakes as one types. `reunify schema` rewrites them; a test fails if the
committed copies fall behind the models.
"""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reunify.content.models import Campaign, DonationDrive, Event, Organization, Resource, Story, StoryText


class ResourcesFile(BaseModel):
    """resources.yaml: the campaign and every partner, resource, drive and event."""

    model_config = ConfigDict(extra="forbid", title="resources.yaml")
    campaign: Campaign = Field(description="This year's campaign")
    organizations: list[Organization] = Field(default_factory=list,
                                              description="Partner organizations")
    resources: list[Resource] = Field(default_factory=list, description="Resources")
    drives: list[DonationDrive] = Field(default_factory=list, description="Donation drives")
    events: list[Event] = Field(default_factory=list, description="Campaign events")
    terms: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Topics and story themes in other languages: "
        "`es:` then `english term: translation`")


SCHEMAS = {"resources.schema.json": ResourcesFile, "story.schema.json": Story,
           "story-translation.schema.json": StoryText}


def schema_text(model: type[BaseModel]) -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              **model.model_json_schema(mode="validation")}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
