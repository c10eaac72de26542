"""Problems found in content, worded for campaign editors rather than programmers.

Every stage appends to one `Problems` list instead of raising, so that a single run of
`reunify check` reports everything that is wrong, each with where, what and how to fix it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"
# warnings that --strict does not turn into errors: text not yet translated, and the site's
# address while it is still the example one (the sample hub is built with it)
NEVER_FATAL = {"translation", "setup"}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: int | None
    message: str
    record: str | None = None
    field: str | None = None
    hint: str | None = None
    severity: str = ERROR
    # "translation": text not yet translated. Reported, never fatal, not even with --strict:
    # an edition shows the English text, marked, until a translator catches up.
    category: str | None = None
    # what a summary counts it under: ("es", "resources") for a resource not yet in Spanish
    group: tuple[str, str] | None = None

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = []
        if self.record:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(f"field {self.field}")
        subject = ", ".join(parts)
        label = "" if self.severity == ERROR else "warning: "
        text = f"{where}: {label}{subject + ': ' if subject else ''}{self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


@dataclass
class Problems:
    """Collects problems across all stages; relative file names keep messages short."""

    root: Path | None = None
    items: list[Problem] = field(default_factory=list)

    _names: dict = field(default_factory=dict, repr=False, compare=False)

    def _name(self, file: Path | str) -> str:
        # one name per file, worked out once: a national hub has 13,000 warnings in one file
        known = self._names.get(file)
        if known is None:
            known = self._names[file] = self._relative(file)
        return known

    def _relative(self, file: Path | str) -> str:
        path = Path(file)
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return str(file)

    def add(self, file, line=None, column=None, message="", *, record=None, field=None,
            hint=None, severity=ERROR, category=None, group=None) -> None:
        self.items.append(Problem(self._name(file), line, column, message, record, field,
                                  hint, severity, category, group))

    def warn(self, file, line=None, column=None, message="", **kw) -> None:
        self.add(file, line, column, message, severity=WARNING, **kw)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == WARNING]

    def to_show(self) -> tuple[list[Problem], str | None]:
        """The warnings a build prints one by one, and one line for the missing translations
        (the full list is `reunify check`'s)."""
        untranslated = [p for p in self.warnings if p.category == "translation"]
        note = (self.untranslated_summary(untranslated) + "; `reunify check --translations` "
                "lists them") if untranslated else None
        return [p for p in self.warnings if p.category != "translation"], note

    @staticmethod
    def untranslated_summary(untranslated: list[Problem]) -> str:
        """One sentence for any number of texts not yet translated, counted by language and
        kind: "10,000 resources, 2,000 partners… are not yet in Spanish"."""
        from reunify.content.editions import language_name

        counts: dict[str, dict[str, int]] = {}
        for problem in untranslated:
            language, kind = problem.group or ("", "other")
            by_kind = counts.setdefault(language, {})
            by_kind[kind] = by_kind.get(kind, 0) + 1
        parts = []
        for language, by_kind in counts.items():
            listed = ", ".join(_counted(n, kind) for kind, n in
                               sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0])))
            parts.append(f"{listed} not yet in {language_name(language)}" if language
                         else listed)
        return (f"{len(untranslated):,} text(s) not yet translated, shown in English and "
                f"marked as such ({'; '.join(parts)})")

    def failed(self, strict: bool) -> bool:
        """Whether the content cannot be published: errors, or with --strict also warnings
        (except missing translations)."""
        return bool(self.errors) or (strict and any(p.category not in NEVER_FATAL
                                                    for p in self.warnings))

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.file, p.line or 0, p.column or 0))

    def report(self, *, strict: bool = False, translations: bool = False) -> str:
        """Errors first, then warnings, then what is not yet translated (one line for it all
        unless `translations`), and a last line that says whether the check failed and why."""
        ordered = self.sorted()
        errors = [p for p in ordered if p.severity == ERROR]
        warnings = [p for p in ordered if p.severity != ERROR and p.category != "translation"]
        strict_warnings = [p for p in warnings if p.category not in NEVER_FATAL]
        untranslated = [p for p in ordered if p.severity != ERROR and p.category == "translation"]
        lines = [p.format() for p in errors + warnings]
        if translations:
            lines += [p.format() for p in untranslated]
        elif untranslated:
            lines.append(self.untranslated_summary(untranslated) +
                         "; `reunify check --translations` lists them")
        summary = f"{len(errors):,} error(s), {len(warnings):,} warning(s)"
        if untranslated:
            summary += f", {len(untranslated):,} not yet translated"
        if errors:
            summary += ": the check failed; fix the errors above"
        elif strict and strict_warnings:
            summary += (f": the check failed, because --strict counts the "
                        f"{len(strict_warnings)} warning(s) above as errors (missing "
                        "translations and the example site address never do)")
        lines.append(summary)
        return "\n".join(lines)


_KINDS = {"organizations": ("partner", "partners"), "resources": ("resource", "resources"),
          "drives": ("drive", "drives"), "events": ("event", "events"),
          "stories": ("story", "stories"), "campaign": ("campaign text", "campaign texts"),
          "terms": ("list of topics and themes", "lists of topics and themes"),
          "pages": ("page", "pages"), "fields": ("list of data fields", "lists of data fields"),
          "other": ("other text", "other texts")}


def _counted(count: int, kind: str) -> str:
    one, many = _KINDS.get(kind, (kind, kind))
    return f"{count:,} {one if count == 1 else many}"


class ContentError(Exception):
    """Raised once, after all problems have been collected, when content cannot be built."""

    def __init__(self, problems: Problems):
        self.problems = problems
        super().__init__(problems.report())

    def __reduce__(self):  # passed, problems and all, from a child process that builds
        return (ContentError, (self.problems,))
