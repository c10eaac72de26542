"""The site's editions: English at the root, every other language in its own folder (/es/).

An edition exists when its MkDocs configuration `mkdocs.<language>.yml` does; it inherits
everything from `mkdocs.yml` and changes only the language, the site folder and the navigation
labels. Its hand-written pages live in `site_src/<language>/pages/`, its home-page introduction in
`site_src/<language>/home.md`, its interface text in `scripts/reunify/site/locales/<language>.yaml`.
Record translations sit beside the English text in resources.yaml (`translations: {es: …}`) and
in `stories/<id>.<language>.md`. Nothing here knows about MkDocs.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DEFAULT = "en"
PAGES = "site_src/pages"
HOME_INTRO = "site_src/home.md"


def languages(root: Path) -> list[str]:
    """The default language first, then every language with its own configuration."""
    others = sorted(match[1] for file in root.glob("mkdocs.*.yml")
                    if (match := re.fullmatch(r"mkdocs\.([a-z]{2})\.yml", file.name)))
    return [DEFAULT] + [language for language in others if language != DEFAULT]


def config_file(root: Path, language: str) -> Path:
    return root / ("mkdocs.yml" if language == DEFAULT else f"mkdocs.{language}.yml")


def pages_dir(root: Path, language: str) -> Path:
    return root / (PAGES if language == DEFAULT else f"site_src/{language}/pages")


def home_intro(root: Path, language: str) -> Path:
    return root / (HOME_INTRO if language == DEFAULT else f"site_src/{language}/home.md")


def prefix(language: str) -> str:
    """Where an edition sits below the site root: '' for English, 'es/' for Spanish."""
    return "" if language == DEFAULT else f"{language}/"


@lru_cache(maxsize=None)
def language_name(code: str) -> str:
    """A language's name in English ("Spanish" for es), for editors' messages; the code
    itself when Babel does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).get_display_name("en")
    except (ValueError, UnknownLocaleError):
        return code
