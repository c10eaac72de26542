"""Consent, images and privacy: what decides whether a story may be published."""
import pytest

from reunify.site.index import build
from reunify.content.load import load
from reunify.content.problems import Problems
from reunify.content.validate import check

from conftest import STORY, TODAY


def _run(project, strict=False):
    problems = Problems(root=project.root)
    content = load(project.root, problems)
    check(content, TODAY, problems, strict=strict)
    return content, problems


@pytest.mark.parametrize("change, reason", [
    (("expires: 2099-05-01", "expires: 2026-11-22"), "its consent expired on 2026-11-22"),
    (("scope: [web]", "scope: [print]"), "its consent does not cover the web (scope: print)"),
    (("obtained: 2026-05-01", "obtained: 2026-12-01"),
     "its consent is dated 2026-12-01, after today"),
])
def test_story_without_valid_consent_is_withheld(project, change, reason):
    project.story("withheld.md", STORY.replace(*change))
    project.story("published.md")
    content, problems = _run(project)
    assert [p.format() for p in problems.items] == [
        f"stories/withheld.md:10:3: warning: record withheld, field consent: this story will not "
        f"be published: {reason} (hint: record renewed consent from the family, or remove the "
        f"story)"]
    site = build(content, TODAY)
    assert [s.id for s in site.stories] == ["published"]
    assert [(s.id, r) for s, r in site.withheld] == [("withheld", reason)]


def test_withheld_story_is_an_error_when_strict(project):
    project.story("withheld.md", STORY.replace("scope: [web]", "scope: [print]"))
    _, problems = _run(project, strict=True)
    assert len(problems.errors) == 1


def test_privacy_check_flags_identifying_details(project):
    body = STORY.replace("They worked hard, and now they are home.",
                         "Call Maria at 205-555-0143 or write to maria@example.com.\n"
                         "They lived at 1412 Oak Street.\n")
    project.story("leaky.md", body.replace("consent:", "private_names: [Maria]\nconsent:"))
    _, problems = _run(project)
    hint = ("(hint: remove it or replace it with a role, e.g. 'a mother in Alabama'; if it is "
            "safe and meant (an agency's public helpline), list it under privacy_exceptions)")
    assert [p.format() for p in problems.sorted()] == [
        "stories/leaky.md:15: record leaky, field body: the story shows an email address "
        f"('maria@example.com'), which could identify the family {hint}",
        "stories/leaky.md:15: record leaky, field body: the story shows a phone number "
        f"('205-555-0143'), which could identify the family {hint}",
        "stories/leaky.md:15: record leaky, field body: the story shows a name listed in "
        f"private_names ('Maria'), which could identify the family {hint}",
        "stories/leaky.md:15: record leaky, field body: the story shows a name listed in "
        f"private_names ('maria'), which could identify the family {hint}",
        "stories/leaky.md:16: record leaky, field body: the story shows a street address "
        f"('1412 Oak Street'), which could identify the family {hint}",
    ]


def test_image_needs_alt_text_a_file_and_its_own_consent(project):
    text = STORY.replace("consent:", "image:\n  src: missing.jpg\n  alt: ''\nconsent:")
    project.story("pictured.md", text)
    _, problems = _run(project)
    assert [p.format() for p in problems.sorted()] == [
        "stories/pictured.md:11:8: record pictured, field image.alt: expected some text, found "
        "an empty value",
    ]
    project.story("pictured.md", text.replace("alt: ''", "alt: A parent and child"))
    _, problems = _run(project)
    assert [p.format() for p in problems.sorted()] == [
        "stories/pictured.md:10:8: record pictured, field image.src: the image file "
        "'missing.jpg' does not exist (hint: put the image in stories/ or correct the name)",
        "stories/pictured.md:13:3: warning: record pictured, field consent.image: the image "
        "will not be shown: the family's consent does not include the image (hint: set "
        "`image: true` under consent only once the family has agreed in writing)",
    ]


def test_a_date_in_the_past_never_brings_back_a_story_whose_consent_has_run_out(project):
    """`--today` may show the site as it will be, not as it was: consent that has expired by
    the real date stays expired (this consent ended on 2026-11-01, before this test was written)."""
    from datetime import date

    project.story("expired.md", STORY.replace("expires: 2099-05-01", "expires: 2026-11-01"))
    project.story("current.md")
    problems = Problems(root=project.root)
    content = load(project.root, problems)
    june = date(2026, 6, 10)
    check(content, june, problems)
    assert [s.id for s in build(content, june).stories] == ["current"]
    assert [p.message for p in problems.items] == [
        "this story will not be published: its consent expired on 2026-11-01"]
    later = date(2027, 6, 10)  # a later date hides what expires before it
    project.story("current.md", STORY.replace("expires: 2099-05-01", "expires: 2027-01-01"))
    content = load(project.root, Problems(root=project.root))
    assert [s.id for s in build(content, later).stories] == []
