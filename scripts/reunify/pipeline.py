"""The whole build as one readable sequence: load → validate → index → render.

Nothing here knows about MkDocs; `mkdocs_plugin.py` hands the result to it, and `cli.py` wraps it
in an atomic write of the site folder.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import index, load, validate
from .problems import ContentError, Problems
from .render import Output, Renderer
from .sanitize import markdown_to_html
from .strings import Strings
from .yamlsource import read_text

HOME_INTRO = "site_src/home.md"


@dataclass
class Prepared:
    site: index.Site
    output: Output
    problems: Problems


def check(root: Path, today: date, *, strict: bool = False) -> tuple[Problems, load.Content]:
    """Stages 1 and 2: read and validate everything, collecting every problem."""
    problems = Problems(root=root)
    content = load.load(root, problems)
    validate.check(content, today, problems, strict=strict)
    return problems, content


def prepare(root: Path, today: date, *, strict: bool = False, site_url: str = "",
            language: str = "en") -> Prepared:
    """Run every stage; raise ContentError (with all problems) if anything is wrong."""
    problems, content = check(root, today, strict=strict)
    intro_file = root / HOME_INTRO
    intro = read_text(intro_file, problems) if intro_file.exists() else ""
    if problems.errors or (strict and problems.warnings):
        raise ContentError(problems)
    site = index.build(content, today)
    renderer = Renderer(site, Strings(language), home_intro=markdown_to_html(intro or ""),
                        site_url=site_url)
    return Prepared(site=site, output=renderer.render(), problems=problems)
