"""Interface text, dates and numbers, all from one catalogue per language.

Every word the generator writes comes from `locales/<language>.yaml`, so a new edition needs a
new catalogue and no change to templates. Plurals follow the language's CLDR rules via Babel.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import re
from dataclasses import dataclass

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_currency, format_decimal

LOCALES = Path(__file__).parent / "locales"


class MissingString(KeyError):
    pass


@lru_cache(maxsize=None)
def catalogue(language: str) -> dict[str, object]:
    with open(LOCALES / f"{language}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class Strings:
    """Looks up `key` in the catalogue and fills in {placeholders}."""

    def __init__(self, language: str = "en", territory: str = "US"):
        self.language = language
        try:  # the language as spoken in the United States (en_US, es_US), where CLDR has it
            self.locale = Locale(language, territory)
        except UnknownLocaleError:  # French, Vietnamese…: the language's own conventions
            self.locale = Locale(language)
        self.table = catalogue(language)
        # the same dates, counts and amounts recur on thousands of pages: Babel formats each once
        self._formatted: dict[tuple, str] = {}

    def __call__(self, key: str, count: int | None = None, **values) -> str:
        try:
            entry = self.table[key]
        except KeyError:
            raise MissingString(f"no text for {key!r} in locales/{self.language}.yaml") from None
        if isinstance(entry, dict):
            form = self.locale.plural_form(count if count is not None else 1)
            entry = entry.get(form, entry["other"])
        if count is not None:
            values["count"] = self.number(count)
        return str(entry).format(**values) if values else str(entry)

    def has(self, key: str) -> bool:
        return key in self.table

    def _once(self, kind: str, value, make) -> str:
        key = (kind, type(value), value)
        found = self._formatted.get(key)
        if found is None:
            found = self._formatted[key] = make()
        return found

    def date(self, value: date, style: str = "long") -> str:
        return self._once(style, value, lambda: format_date(value, style, locale=self.locale))

    def time(self, value: datetime) -> str:
        zone = get_timezone_name(value, "short", locale=self.locale)
        return f"{format_time(value, 'short', locale=self.locale)} {zone}"

    def number(self, value) -> str:
        return self._once("number", value, lambda: format_decimal(value, locale=self.locale))

    def money(self, value) -> str:
        return self._once("money", value, lambda: format_currency(
            value, "USD", locale=self.locale, format_type="standard").replace(".00", ""))


# Catalogue entries that read the same in a translation (units, symbols) are listed under this
# key in that catalogue, so that a string left in English by mistake is still caught.
SAME_AS_ENGLISH = "_same_as_english"
DEFAULT_LANGUAGE = "en"


@dataclass
class CatalogueProblem:
    key: str
    line: int | None
    text: str
    hint: str


def _placeholders(value) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {name for text in texts for name in re.findall(r"{(\w+)}", str(text))}


def _lines(language: str) -> dict[str, int]:
    try:
        with open(LOCALES / f"{language}.yaml", encoding="utf-8") as handle:
            node = yaml.compose(handle)
    except (OSError, yaml.YAMLError):
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 1 for key, _ in node.value}


def catalogue_problems(language: str) -> list[CatalogueProblem]:
    """Every interface string a translated catalogue lacks, leaves in English or mangles."""
    name = Locale.parse(language).get_display_name("en")
    path = f"locales/{language}.yaml"
    try:
        table = catalogue(language)
    except FileNotFoundError:
        return [CatalogueProblem("", None, f"there is no {name} catalogue: every page of the "
                                 f"/{language}/ edition needs its interface text",
                                 f"copy locales/{DEFAULT_LANGUAGE}.yaml to {path} and "
                                 "translate every value")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [CatalogueProblem("", mark.line + 1 if mark else None,
                                 f"the catalogue is not valid YAML ({exc})", "")]
    english = catalogue(DEFAULT_LANGUAGE)
    lines = _lines(language)
    same = set(table.get(SAME_AS_ENGLISH) or [])
    found = []
    for key, value in english.items():
        if key == SAME_AS_ENGLISH:
            continue
        if key not in table:
            found.append(CatalogueProblem(key, None, f"no {name} text for `{key}` (English: "
                                          f"{value!r})", f"add `{key}: …` to {path}"))
            continue
        own = table[key]
        if not own or (isinstance(own, dict) and "other" not in own):
            found.append(CatalogueProblem(key, lines.get(key), f"expected the {name} text of "
                                          f"`{key}`, found {own!r}",
                                          "plurals need at least `other:`"))
        elif own == value and key not in same:
            found.append(CatalogueProblem(key, lines.get(key), f"`{key}` is still in English "
                                          f"({value!r})", f"translate it; if it reads the same in "
                                          f"{name}, list the key under {SAME_AS_ENGLISH}"))
        elif _placeholders(own) != _placeholders(value):
            found.append(CatalogueProblem(key, lines.get(key), f"`{key}` must keep the "
                                          f"placeholders {sorted(_placeholders(value))}, found "
                                          f"{sorted(_placeholders(own))}",
                                          "copy the {names} in braces unchanged"))
    for key in table:
        if key not in english and key != SAME_AS_ENGLISH:
            found.append(CatalogueProblem(key, lines.get(key), f"`{key}` is not a key of the "
                                          f"English catalogue, so it is never shown",
                                          "check the spelling against locales/en.yaml"))
    return found


@lru_cache(maxsize=None)
def field_descriptions(language: str) -> dict[str, str]:
    """The data files' field meanings in a language, `<file>.<field>` → text, from
    `locales/fields.<language>.yaml` (English comes from the content models)."""
    path = LOCALES / f"fields.{language}.yaml"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}
