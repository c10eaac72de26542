"""Interface text, dates and numbers, all from one catalogue per language.

Every word the generator writes comes from `locales/<language>.yaml`, so a new edition needs a
new catalogue and no change to templates. Plurals follow the language's CLDR rules via Babel.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import yaml
from babel import Locale
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
        self.locale = Locale(language, territory)
        self.table = catalogue(language)

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

    def date(self, value: date, style: str = "long") -> str:
        return format_date(value, style, locale=self.locale)

    def time(self, value: datetime) -> str:
        zone = get_timezone_name(value, "short", locale=self.locale)
        return f"{format_time(value, 'short', locale=self.locale)} {zone}"

    def number(self, value) -> str:
        return format_decimal(value, locale=self.locale)

    def money(self, value) -> str:
        return format_currency(value, "USD", locale=self.locale,
                               format_type="standard").replace(".00", "")
