"""What a reader could learn about a family, looked for in the text as the reader sees it.

A story is checked after its Markdown is rendered and sanitised, with entities resolved, markup
and comments dropped, Unicode normalised (NFKC) and invisible characters removed, so that
`Ja<em>y</em>den`, `J&#97;yden` and `Jay\u00adden` are all the name Jayden. Names and details are
then matched on a folded copy (accents and look-alike letters turned into plain ASCII, lower
case), keeping the place of every character so that a message quotes the text as it is shown.

What is found:
- `private_names`, as words, however they are spaced, hyphenated, dotted or accented;
- email addresses, phone numbers, street addresses and P.O. boxes, and dates of birth;
- likely personal names that nobody listed: a capitalised given name (from Faker's lists of
  given names, English and Spanish) that does not start a sentence and is not part of an
  organisation's name or the campaign's terms; and any capitalised word after Mr, Ms, Dr…
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

from anyascii import anyascii

# -- the text as a reader sees it ----------------------------------------------------------------

_BLOCKS = {"address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div",
           "dl", "dt", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
           "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul"}
_SHOWN_ATTRIBUTES = {"alt", "title"}  # what a reader or a screen reader is given besides text


class _Reader(HTMLParser):
    """Text and the attributes shown to readers; block elements end a line, inline ones
    (em, a, span…) join their text to what surrounds them, as a browser shows it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")
        for name, value in attrs:
            if name in _SHOWN_ATTRIBUTES and value:
                self.parts.append(f"\n{value}\n")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


@lru_cache(maxsize=1)
def _invisible() -> tuple[re.Pattern, re.Pattern]:
    """Format characters (soft hyphen, zero-width spaces and joiners, direction marks…),
    variation selectors and the blank 'filler' letters: a reader sees none of them. Two
    patterns: those in the Basic Multilingual Plane, and those beyond it (a character class
    with characters beyond it is tested range by range: eight times slower on every story,
    which almost never has such a character)."""
    found = [chr(c) for c in range(0x30000) if unicodedata.category(chr(c)) == "Cf"]
    found += ["\u034f", "\u115f", "\u1160", "\u3164", "\uffa0"]
    basic = "".join(re.escape(ch) for ch in found if ch <= "\uffff")
    beyond = "".join(re.escape(ch) for ch in found if ch > "\uffff")
    return (re.compile(f"[{basic}\ufe00-\ufe0f]"),
            re.compile(f"[{beyond}\U000e0000-\U000e0fff]"))


def shown(html: str) -> str:
    """The text of sanitised HTML as a reader sees it (and what alt and title attributes say)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return normalise("".join(reader.parts))


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():  # (every invisible character is beyond ASCII)
        return text
    basic, beyond = _invisible()
    text = basic.sub("", text)
    return beyond.sub("", text) if max(text, default="") > "\uffff" else text


@dataclass(frozen=True)
class Folded:
    """`text` in plain lower-case ASCII for matching; `origin[i]` is where the character that
    gave folded character i is in `text` (None when they are the same places: ASCII text)."""

    text: str
    folded: str
    origin: tuple[int, ...] | None

    def at(self, index: int) -> int:
        return index if self.origin is None else self.origin[index]

    def original(self, start: int, end: int) -> str:
        if start >= len(self.folded):
            return ""
        return self.text[self.at(start):self.at(max(start, end - 1)) + 1]


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> Folded:
    if text.isascii():  # most text: nothing to transliterate, every place is the same
        return Folded(text, text.lower(), None)
    out: list[str] = []
    origin: list[int] = []
    done = 0
    for run in _NOT_ASCII.finditer(text):
        out.append(text[done:run.start()].lower())
        origin.extend(range(done, run.start()))
        for index in range(run.start(), run.end()):
            plain = anyascii(text[index]).lower()
            out.append(plain)
            origin.extend([index] * len(plain))
        done = run.end()
    out.append(text[done:].lower())
    origin.extend(range(done, len(text)))
    return Folded(text, "".join(out), tuple(origin))


def fold_word(text: str) -> str:
    return anyascii(normalise(text)).lower()


# -- names and details ---------------------------------------------------------------------------

_WORD_EDGE_BEFORE = r"(?<![a-z0-9])"
_WORD_EDGE_AFTER = r"(?![a-z0-9])"


@lru_cache(maxsize=4096)
def name_pattern(name: str) -> re.Pattern | None:
    """A listed name as words: `Mary Ann` also finds `Mary-Ann` and `MaryAnn`, `J.J.` finds
    `JJ` and `J. J.`, `José` finds `Jose`."""
    tokens = re.findall(r"[a-z0-9]+", fold_word(name))
    if not tokens:
        return None
    return re.compile(_WORD_EDGE_BEFORE + r"[^a-z0-9]{0,3}".join(map(re.escape, tokens))
                      + _WORD_EDGE_AFTER)


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|enero|febrero|marzo|abril|"
           "mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|ene|abr|ago|"
           "dic")
_ORDINAL_WORDS = ("first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
                  "twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
                  "nineteenth|twentieth|thirtieth|twenty|thirty")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (rf"(?:(?<![a-z])(?:{_MONTHS})(?![a-z])\.?(?:\s*{_DAY}(?!\d))?(?:,?\s*\d{{4}})?|\d{{1,2}}\s*[/.-]\s*\d{{1,2}}\s*[/.-]\s*\d{{2,4}}|"
         rf"\d{{4}}\s*-\s*\d{{1,2}}\s*-\s*\d{{1,2}}|(?<!\d)(?:19|20)\d\d(?!\d)|"
         rf"(?<![a-z])(?:{_ORDINAL_WORDS})(?![a-z])(?:\s+of\s+(?:{_MONTHS})(?![a-z]))?)")
_BIRTH = (r"(?<![a-z])(?:born|birth\s*day|birthdate|birth|d\.?\s?o\.?\s?b\.?|b-day|"
          r"nacid[oa]s?|nacio|nacimiento|cumpleanos)(?![a-z])")

DETAILS = {
    "an email address": re.compile(
        r"[a-z0-9._%+-]+(?:@|[ \t]*[(\[]at[)\]][ \t]*)[a-z0-9-]+(?:{dot}[a-z0-9-]+)*{dot}[a-z]{{2,}}"
        r"(?![a-z0-9])".format(dot=r"(?:\.|[ \t]*[(\[]dot[)\]][ \t]*|[ \t]+dot[ \t]+)")),
    "a phone number": re.compile(
        r"(?<![\d-])(?:\+?\s*1[\s.-]*)?(?:\(\s*\d{3}\s*\)|\d{3})[\s.-]*\d{3}[\s.-]*\d{4}(?!\d)"
        r"|(?<![\d.,-])(?<!\d\s)\d{3}[.-]\d{4}(?![\d-])"),
    "a street address": re.compile(
        r"(?<![a-z0-9.,])\d{1,6}[a-z]?(?![a-z0-9])[ ,]*"
        r"(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?\s+)?"
        r"(?P<name>(?:(?:\d+(?:st|nd|rd|th)|[a-z][a-z'-]*)\.?\s+){1,3})"
        r"(?P<type>street|st|avenue|ave|av|road|rd|drive|dr|lane|ln|boulevard|blvd|court|ct|"
        r"circle|cir|way|place|pl|terrace|ter|trail|trl|parkway|pkwy|highway|hwy|square|sq|"
        r"loop|alley|path|pike|crescent|cres|crossing|xing|cove|cv|ridge|plaza|plz|calle|"
        r"avenida)(?![a-z0-9])"
        r"|(?<![a-z])p\.?\s*o\.?\s*box\s*\d+"),
    "a date of birth": re.compile(rf"{_BIRTH}[^.!?\n]{{0,40}}?{_DATE}"
                                  rf"|{_DATE}[^.!?\n]{{0,20}}?(?<![a-z])birth\s*day(?![a-z])"),
}

_BIRTH_WORDS = re.compile(r"born|birth|d\.?\s?o\.?\s?b|b-day|nacid|nacio|nacimiento|cumplea")
_DIGITS = re.compile(r"\d")
# Cheap tests that tell a text cannot hold a detail, so that its pattern need not run.
_MAY_HAVE = {
    "an email address": lambda text: "@" in text or "at]" in text or "at)" in text,
    "a phone number": lambda text: len(_DIGITS.findall(text)) >= 7,
    "a street address": lambda text: _DIGITS.search(text) is not None,
    "a date of birth": lambda text: _BIRTH_WORDS.search(text) is not None,
}

# Words that make a number and a street type an ordinary phrase ("a 2 hour drive", "after
# 3 family court hearings"), not an address.
_NOT_STREET_NAMES = set("""
a an and at by each every for from her his in into its my of on or our per the their these this
those to with your after about before over under than then
second seconds minute minutes hour hours day days week weeks month months year years mile miles
block blocks time times step steps kid kids child children people family families more other
family juvenile drug dependency treatment tribal county district circuit superior youth probate
supreme federal municipal city way one two three
""".split())


def _is_address(match: re.Match) -> bool:
    if match.group("type") is None:
        return True  # a P.O. box
    words = match.group("name").replace(".", " ").split()
    return not any(word in _NOT_STREET_NAMES for word in words)


@dataclass(frozen=True)
class Finding:
    what: str  # "a phone number", "a name listed in private_names", "a likely personal name"
    found: str  # as the reader sees it
    start: int  # in the shown text


def private_details(text: str, names: tuple[str, ...] = ()) -> list[Finding]:
    """Names listed in `private_names` and details that could identify a family, in shown
    text (see `shown`)."""
    folded = fold(text)
    found = []
    for what, pattern in DETAILS.items():
        if not _MAY_HAVE[what](folded.folded):
            continue
        for match in pattern.finditer(folded.folded):
            if what == "a street address" and not _is_address(match):
                continue
            found.append(Finding(what, folded.original(*match.span()).strip(),
                                 folded.at(match.start())))
    for name in names:
        pattern = name_pattern(name)
        for match in pattern.finditer(folded.folded) if pattern else ():
            found.append(Finding("a name listed in private_names",
                                 folded.original(*match.span()), folded.at(match.start())))
    return found


# -- names nobody listed -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Given names in the English- and Spanish-speaking locales of Faker (a maintained package:
    its lists come from national statistics offices), folded."""
    import importlib
    import pkgutil

    import faker.providers.person as person

    names = set()
    for module in pkgutil.iter_modules(person.__path__):
        if not module.name.startswith(("en", "es")):
            continue
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attribute in ("first_names", "first_names_female", "first_names_male",
                          "first_names_nonbinary"):
            value = vars(provider).get(attribute)
            if isinstance(value, (dict, list, tuple, set, frozenset)):
                names.update(fold_word(name) for name in value)
    return frozenset(name for name in names if len(name) > 1) - _NOT_NAMES


# Given names that are also the words of dates and places ("in June", "Georgia"), or that the
# lists carry but nobody writes as a name mid-sentence in these stories.
_NOT_NAMES = frozenset("""
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
lunes martes miercoles jueves viernes sabado domingo
alabama alaska arizona arkansas california carolina colorado dakota florida georgia hawaii
idaho indiana iowa kansas kentucky louisiana maine maryland montana nevada virginia washington
wyoming america american
""".split())

_HONORIFICS = frozenset("mr mrs ms miss mx dr sr sra srta don dona".split())
_COMMON_SLUG_WORDS = frozenset("""
hope grace joy faith rose love king sky star dawn angel justice destiny harmony haven heaven
miracle blessing royal honor unity trinity summer will home art may june guy major mark bill
sunny christian carter lane jordan family free day river brook forest winter autumn spring
son daughter mother father mom dad brother sister baby friend doctor case lawyer author
""".split())
# letters, with an apostrophe or hyphen between two of them ("O'Neil", "Mary-Kate"); (written
# as runs of letters: half the time of a letter at a time with a look-ahead, the same words)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = ".!?…\n"
_OPENING = " \t\"'“‘«¡¿([*_-–—"


def _starts_sentence(text: str, start: int) -> bool:
    at = start - 1
    while at >= 0 and text[at] in _OPENING:
        at -= 1
    if at < 0 or text[at] == "\n":
        return True
    if text[at] not in _SENTENCE_END:
        return False
    before = _WORD.findall(text[max(0, at - 6):at])
    # "Mr. Carter", "J. Smith": the full stop ends an abbreviation, not a sentence
    return not (before and text[at] == "." and (fold_word(before[-1]) in _HONORIFICS
                                                 or len(before[-1]) == 1))


class KnownNames:
    """Names of organisations, programmes and resources, and the campaign's terms: a
    capitalised word inside one of them is not taken for a person ("Campus of Hope and
    Healing"). Looked up word by word, so that ten thousand titles cost nothing."""

    def __init__(self, phrases):
        self.index: dict[str, set[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(re.findall(r"[a-z0-9]+", fold_word(phrase or "")))
            for word in words:
                self.index.setdefault(word, set()).add(words)
        self.phrases = frozenset(p for phrases in self.index.values() for p in phrases)
        self._hash = hash(self.phrases)

    # equal by what they hold, so that the privacy check's cache is keyed by the names, never
    # by an object that another may replace at the same address in memory
    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        return isinstance(other, KnownNames) and self.phrases == other.phrases

    def covers(self, words: list[str], at: int) -> bool:
        """Whether words[at] is part of a known name written out in `words`."""
        for phrase in self.index.get(words[at], ()):
            for offset, word in enumerate(phrase):
                start = at - offset
                if word == words[at] and start >= 0 and \
                        tuple(words[start:start + len(phrase)]) == phrase:
                    return True
        return False


@lru_cache(maxsize=64)
def known_names(phrases: tuple[str, ...]) -> KnownNames:
    return KnownNames(phrases)


def likely_names(text: str, known: tuple[KnownNames, ...],
                 exceptions: frozenset[str]) -> list[Finding]:
    """Capitalised given names that do not start a sentence and are not part of a known name,
    and capitalised words after Mr, Ms, Dr…, in shown text; `exceptions`: folded words that
    are not names."""
    names = given_names()
    candidates = []
    words = list(_WORD.finditer(text))
    for index, match in enumerate(words):
        word = match.group(0)
        if not word[0].isupper() or (len(word) > 1 and word.isupper()):
            continue
        folded = fold_word(word)
        if folded in exceptions:
            continue
        previous = words[index - 1].group(0) if index else ""
        after_title = fold_word(previous) in _HONORIFICS and \
            text[words[index - 1].end():match.start()].strip(". ") == ""
        if after_title or (folded in names and not _starts_sentence(text, match.start())):
            candidates.append(match)
    if not candidates:
        return []
    folded = fold(text)
    tokens = list(re.finditer(r"[a-z0-9]+", folded.folded))
    starts = [folded.at(token.start()) for token in tokens]
    plain = [token.group(0) for token in tokens]
    found = []
    for match in candidates:
        at = bisect.bisect_left(starts, match.start())
        if at < len(plain) and any(names_.covers(plain, at) for names_ in known):
            continue
        found.append(Finding("a likely personal name", match.group(0), match.start()))
    return found


def likely_names_in_slug(slug: str, exceptions: frozenset[str]) -> list[Finding]:
    """A file name or old id is lower case: its given names that are not everyday words."""
    return [Finding("a likely personal name", m.group(0), m.start())
            for m in re.finditer(r"[a-z]+", slug)
            if m.group(0) in given_names() and m.group(0) not in _everyday_words()
            and m.group(0) not in exceptions]


@lru_cache(maxsize=1)
def _everyday_words() -> frozenset[str]:
    """Words that Faker's lists also give as names ("hope", "will", "son")."""
    from faker.providers.lorem.en_US import Provider

    return frozenset(Provider.word_list) | _COMMON_SLUG_WORDS
