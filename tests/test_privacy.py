"""The privacy check reads every published field of a story the way a reader sees it."""
import pytest

from reunify.content.load import load
from reunify.content.problems import Problems
from reunify.content.validate import check

from conftest import STORY, TODAY

LISTED = STORY.replace("consent:", "private_names: [Jayden, Mary Ann, J.J., José]\nconsent:")
QUOTE = "quotes:\n  - text: We are home.\n    by: a mother in Alabama\nconsent:"
TRANSLATION = """\
---
title: Una familia de nuevo en casa
summary: Una madre y su hija vuelven a vivir juntas.
quotes:
  - text: Estamos en casa.
    by: una madre de Alabama
image_alt: Una madre y su hija
credit: Contado con permiso.
---
Trabajaron mucho, y hoy están en casa.
"""


def _problems(project, strict=False):
    problems = Problems(root=project.root)
    content = load(project.root, problems)
    check(content, TODAY, problems, strict=strict, translations=False)
    return problems


def _leaks(project, strict=False):
    """(file:line, field, what was found) of every privacy problem."""
    found = []
    for p in _problems(project, strict).sorted():
        if "could identify" in p.message or "looks like a person" in p.message:
            where = f"{p.file}:{p.line}" if p.line else p.file
            found.append((where, p.field, p.message.split("(")[-1].split(")")[0]
                          if "could identify" in p.message else p.message.split("'")[1]))
    return found


def _with_image(project, text):
    from PIL import Image

    Image.new("RGB", (8, 8), "white").save(project.root / "stories" / "photo.jpg")
    return text.replace("consent:", "image:\n  src: photo.jpg\n  alt: A family at home\n"
                        "consent:").replace("scope: [web]", "scope: [web]\n  image: true")


@pytest.mark.parametrize("field, change, line", [
    ("title", ("title: A family home again", "title: Jayden is home"), 2),
    ("summary", ("summary: A mother", "summary: Jayden's mother"), 8),
    ("themes[1]", ("themes: [visits]", "themes: [visits, jayden]"), 7),
    ("quotes[0].text", ("text: We are home.", "text: Jayden, we are home."), 11),
    ("quotes[0].by", ("by: a mother in Alabama", "by: Jayden's mother"), 12),
    ("credit", ("consent:", "credit: Told by Jayden's family.\nconsent:"), 16),
    ("image.alt", ("alt: A family at home", "alt: Jayden at home"), 15),
    ("previous_ids[0]", ("consent:", "previous_ids: [jayden-home]\nconsent:"), 16),
    ("body", ("They worked hard", "In the end, Jayden and his mother worked hard"), 22),
])
def test_a_listed_name_is_found_in_every_published_field(project, field, change, line):
    text = _with_image(project, LISTED.replace("consent:", QUOTE))
    project.story("home.md", text.replace(*change))
    assert [(where, name, found.lower()) for where, name, found in _leaks(project)] == [
        (f"stories/home.md:{line}", field, "'jayden'")]


def test_a_listed_name_in_the_file_name_is_found(project):
    project.story("jayden-home.md", LISTED)
    assert _leaks(project) == [("stories/jayden-home.md", "file name", "'jayden'")]


@pytest.mark.parametrize("field, change, line", [
    ("title", ("title: Una familia de nuevo en casa", "title: Jayden en casa"), 2),
    ("summary", ("summary: Una madre", "summary: La madre de Jayden"), 3),
    ("quotes[0].text", ("text: Estamos en casa.", "text: Jayden, estamos en casa."), 5),
    ("quotes[0].by", ("by: una madre de Alabama", "by: la madre de Jayden"), 6),
    ("image_alt", ("image_alt: Una madre", "image_alt: Jayden y su madre"), 7),
    ("credit", ("credit: Contado con permiso.", "credit: Contado por Jayden."), 8),
    ("body", ("Trabajaron mucho", "Jayden y su madre trabajaron mucho"), 10),
])
def test_a_listed_name_is_found_in_every_field_of_a_translation(project, field, change, line):
    project.story("home.md", _with_image(project, LISTED.replace("consent:", QUOTE)))
    project.story("home.es.md", TRANSLATION.replace(*change))
    assert _leaks(project) == [(f"stories/home.es.md:{line}", field, "'Jayden'")]


@pytest.mark.parametrize("written, shown", [
    ("Ja<em>y</em>den", "Jayden"),
    ("Ja**y**den", "Jayden"),
    ("J&#97;yden", "Jayden"),
    ("Jay&shy;den", "Jayden"),
    ("Jay\u00adden", "Jayden"),
    ("Jay\u200bden", "Jayden"),
    ("Jay\u2060den", "Jayden"),
    ("Jay<!-- note -->den", "Jayden"),
    ("\uff2a\uff41\uff59\uff44\uff45\uff4e", "Jayden"),  # full-width letters
    ("J\u0430yden", "J\u0430yden"),  # a Cyrillic а
    ("JAYDEN", "JAYDEN"),
    ("Mary-Ann", "Mary-Ann"),
    ("MaryAnn", "MaryAnn"),
    ("Mary  Ann", "Mary  Ann"),
    ("JJ", "JJ"),
    ("J. J.", "J. J"),
    ("Jose", "Jose"),
    ("Jos\u0065\u0301", "Jos\u0065\u0301"),  # é as e and a combining accent
    ("[a friend](https://example.org/ \"Jayden\")", "Jayden"),  # a link's title is shown
])
def test_a_listed_name_is_found_however_it_is_written(project, written, shown):
    project.story("home.md", LISTED.replace("They worked hard", f"They and {written} worked hard"))
    found = _leaks(project)
    assert len(found) == 1 and found[0][:2] == ("stories/home.md:15", "body")
    assert found[0][2] == repr(shown if shown != "Jos\u0065\u0301" else "José")


@pytest.mark.parametrize("text", ["Jaydens' team", "Jaydenx", "Mariana", "a joyous day",
                                  "Maryanne"])
def test_names_are_matched_as_whole_words(project, text):
    story = LISTED.replace("private_names: [Jayden, Mary Ann, J.J., José]",
                           "private_names: [Jayden, Mary Ann, Maria, Joy]")
    project.story("home.md", story.replace("They worked hard", f"{text} worked hard"))
    # a listed name would be an error; a word that only looks like a name is at most a warning
    assert [p.format() for p in _problems(project).errors] == []


@pytest.mark.parametrize("what, text", [
    ("a phone number", "call 205-555-0143"),
    ("a phone number", "call (205) 555-0143"),
    ("a phone number", "call (205)555\u20130143"),  # an en dash
    ("a phone number", "call 205\u2014555\u20140143"),  # em dashes
    ("a phone number", "call 2055550143"),
    ("a phone number", "call +1 205 555 0143"),
    ("a phone number", "call 205.555.0143"),
    ("a phone number", "call 555-0143"),
    ("a street address", "lived at 1412 Oak Street"),
    ("a street address", "lived at 1412 oak st. for years"),
    ("a street address", "lived at 4500 N. 27th Street"),
    ("a street address", "lived at 12 W 3rd Ave"),
    ("a street address", "lived at 77 SUNSET TERRACE"),
    ("a street address", "lived at 9 Maple Court"),
    ("a street address", "lived at 310 Willow Circle"),
    ("a street address", "lived at 5 Harbor Way"),
    ("a street address", "lived at 18 Elm Place"),
    ("a street address", "lived at 2201 Cedar Lane"),
    ("a street address", "wrote to P.O. Box 1234"),
    ("a date of birth", "was born on Mar. 3, 2015"),
    ("a date of birth", "was born 3/14/2015"),
    ("a date of birth", "DOB: 03-14-2015"),
    ("a date of birth", "was born on the fourteenth of March"),
    ("a date of birth", "has a birthday on June 3"),
    ("an email address", "wrote to mom@example.com"),
    ("an email address", "wrote to mom (at) example (dot) com"),
])
def test_identifying_details_are_found_in_their_everyday_forms(project, what, text):
    project.story("home.md", STORY.replace("They worked hard", f"The mother {text} and worked"))
    problems = [p for p in _problems(project).errors if "could identify" in p.message]
    assert [(p.line, p.field) for p in problems] == [(14, "body")]
    assert problems[0].message.startswith(f"the story shows {what} (")


@pytest.mark.parametrize("text", ["after a 2 hour drive", "after 3 family court hearings",
                                  "from 2015-2019", "for 12 months in a row",
                                  "a 3 step way forward", "in 2,500 homes",
                                  "on June 3 the family moved"])
def test_ordinary_phrases_are_not_taken_for_details(project, text):
    project.story("home.md", STORY.replace("They worked hard", f"They worked hard {text}"))
    assert _problems(project).errors == []


def test_an_unlisted_given_name_is_a_warning_naming_the_word_and_its_line(project):
    project.story("home.md", STORY.replace(
        "They worked hard, and now they are home.",
        "They worked hard.\n\nHer friend Jasmine Carter came along, and so did Mr. Okafor."))
    problems = _problems(project)
    assert [(p.line, p.field, p.severity, p.message) for p in problems.items] == [
        (16, "body", "warning", "'Jasmine' looks like a person's name; nobody may be named in "
                                "a story"),
        (16, "body", "warning", "'Carter' looks like a person's name; nobody may be named in "
                                "a story"),
        (16, "body", "warning", "'Okafor' looks like a person's name; nobody may be named in "
                                "a story"),
    ]
    assert "privacy_exceptions" in problems.items[0].hint
    assert problems.failed(strict=False) is False
    assert problems.failed(strict=True) is True
    assert len(_problems(project, strict=True).errors) == 0  # reported once, failing with strict


def test_capitalised_words_that_are_not_people_pass(project):
    project.resources(extra="""\
resources:
  - id: campus
    title: Campus of Hope and Healing
    url: https://helpers.example.org/campus
    publisher: helpers
    format: program
    audiences: [caregivers]
    topics: [visits]
    description: A campus.
    last_verified: 2026-10-01
""")
    project.story("home.md", STORY.replace(
        "They worked hard, and now they are home.",
        "Grace and patience mattered. In June they went to the Campus of Hope and Healing\n"
        "in Georgia, where Helpers United met them."))
    assert _problems(project).items == []


def test_privacy_exceptions_keep_a_word_or_a_phrase_that_is_not_a_person(project):
    body = "They found new Hope at the Faith Center."
    project.story("home.md", STORY.replace("They worked hard, and now they are home.", body))
    assert [p.message.split("'")[1] for p in _problems(project).items] == ["Hope", "Faith"]
    project.story("home.md", STORY.replace("They worked hard, and now they are home.", body)
                  .replace("consent:", "privacy_exceptions: [Hope, Faith Center]\nconsent:"))
    assert _problems(project).items == []


def test_a_given_name_in_the_file_name_is_a_warning(project):
    project.story("jasmine-comes-home.md")
    project.story("hope-and-a-son-at-home.md")
    assert [(p.file, p.field, p.severity, p.message.split("'")[1])
            for p in _problems(project).items] == [
        ("stories/jasmine-comes-home.md", "file name", "warning", "jasmine")]


def test_the_check_in_two_processes_finds_what_one_process_finds(project, monkeypatch):
    """Where a second processor checks two fields of every three (a national hub's stories)
    while this process runs the other checks, every problem is reported as the check in one
    process reports it, each once and in the same order."""
    from reunify.content import validate
    from reunify.engine import processes

    changes = [("They worked hard", "In the end, Jayden and his mother worked hard"),
               ("They worked hard", "The mother wrote to mom@example.com and worked"),
               ("They worked hard", "Her friend Jasmine Carter came along. They worked hard"),
               ("title: A family home again", "title: Jayden is home"),
               ("summary: A mother", "summary: Jayden's mother"),
               ("They worked hard", "They worked hard after a 2 hour drive")]
    for i in range(30):
        old, new = changes[i % len(changes)]
        project.story(f"home-{i}.md", LISTED.replace(old, new).replace(
            "now they are home", f"now they are home, story {i}"))
    forks, found_here = [], []
    real_fork, real_find = processes.fork, validate._find
    monkeypatch.setattr(processes, "fork", lambda work: forks.append(1) or real_fork(work))
    monkeypatch.setattr(validate, "_find", lambda *key: found_here.append(1) or real_find(*key))
    monkeypatch.setattr(validate, "FORK_FIELDS", 10 ** 9)
    monkeypatch.setattr(validate, "_FOUND", {})
    alone = [p.format() for p in _problems(project).items]
    checked_alone, found_here[:] = len(found_here), []
    assert forks == []
    monkeypatch.setattr(validate, "FORK_FIELDS", 1)
    monkeypatch.setattr(validate, "_FOUND", {})
    monkeypatch.setattr(processes, "can_fork", lambda: True)
    both = [p.format() for p in _problems(project).items]
    assert forks == [1]
    assert both == alone
    # this process checked one field of every three (it runs the other checks meanwhile): the
    # answers for the others came from the child
    assert len(found_here) == (checked_alone + validate.PARENT_SHARE - 1) // validate.PARENT_SHARE
    assert sum("looks like a person's name" in p for p in both) >= 10
    assert sum("could identify" in p for p in both) >= 10
