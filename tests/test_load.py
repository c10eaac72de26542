"""Loading each kind of content, good and bad, with the messages editors see."""
from reunify.content.load import load
from reunify.content.problems import Problems
from reunify.content.validate import check

from conftest import CAMPAIGN, ORG, STORY, TODAY


def _problems(project):
    problems = Problems(root=project.root)
    content = load(project.root, problems)
    check(content, TODAY, problems)
    return content, [p.format() for p in problems.sorted()]


RESOURCE = """\
resources:
  - id: tip-sheet
    title: A tip sheet
    url: https://example.org/tips.pdf
    publisher: helpers
    format: tip-sheet
    audiences: [caregivers]
    topics: [visits]
    description: Tips.
    file_type: pdf
    file_size: 282 KB
    last_verified: 2026-10-01
"""

DRIVE = """\
drives:
  - id: towels
    title: Towels
    organization: helpers
    description: Towels for families.
    items:
      - name: Bath towels
        needed: 10
        received: 4
    starts: 2026-06-01
    ends: 2026-06-30
    states: [AL]
"""

EVENT = """\
events:
  - id: picnic
    title: Picnic
    starts: 2026-06-27 10:00
    ends: 2026-06-27 13:00
    timezone: America/Chicago
    place:
      name: The park
    organizer: helpers
    description: A picnic.
"""


def test_valid_content_of_every_kind(project):
    project.resources(extra=RESOURCE + DRIVE + EVENT)
    project.story("home-again.md")
    content, problems = _problems(project)
    assert problems == []
    assert content.campaign.theme == "Partnering makes the difference"
    assert [o.id for o in content.organizations] == ["helpers"]
    assert content.resources[0].file_size == 282 * 1024
    assert content.drives[0].items[0].received == 4
    assert content.events[0].timezone == "America/Chicago"
    assert content.stories[0].id == "home-again"
    assert content.stories[0].body.strip() == "They worked hard, and now they are home."


def test_unknown_field_suggests_the_right_name(project):
    project.resources(extra=RESOURCE.replace("audiences:", "audience:"))
    _, problems = _problems(project)
    assert problems == [
        "resources.yaml:18:5: record tip-sheet, field audiences: required field missing: "
        "expected a list, each item one of: birth-parents, caregivers, youth, professionals, "
        "communities (hint: add a line `audiences: …`)",
        "resources.yaml:23:5: record tip-sheet, field audience: unknown field 'audience' "
        "(hint: did you mean `audiences`?)",
    ]


def test_wrong_date_state_and_enum(project):
    bad = (RESOURCE.replace("last_verified: 2026-10-01", "last_verified: October 1")
           .replace("format: tip-sheet", "format: tipsheet")
           .replace("    description: Tips.\n", "    description: Tips.\n    states: [Alabama]\n"))
    project.resources(extra=bad)
    _, problems = _problems(project)
    assert problems == [
        "resources.yaml:22:13: record tip-sheet, field format: expected one of: guide, tip-sheet, "
        "fact-sheet, video, webinar, podcast, toolkit, program, training, article, collection, "
        "report, found 'tipsheet' (hint: did you mean `tip-sheet`?)",
        "resources.yaml:26:14: record tip-sheet, field states[0]: expected a two-letter US state "
        "code or `national`, found 'Alabama' (hint: write `AL` for Alabama)",
        "resources.yaml:29:20: record tip-sheet, field last_verified: expected a date written "
        "2026-06-15, found 'October 1' (hint: dates are written 2026-06-15)",
    ]


def test_missing_organisation_and_duplicate_id(project):
    project.resources(extra=RESOURCE + RESOURCE.replace("resources:\n", "").replace(
        "publisher: helpers", "publisher: nobody"))
    _, problems = _problems(project)
    assert problems == [
        "resources.yaml:29:9: record tip-sheet, field id: the id 'tip-sheet' is already used by "
        "another record of resources (line 18) (hint: give each record its own id)",
    ]


def test_reference_to_unknown_organisation(project):
    project.resources(extra=DRIVE.replace("organization: helpers", "organization: helperz"))
    _, problems = _problems(project)
    assert problems == [
        "resources.yaml:20:19: record towels, field organization: expected the id of an "
        "organisation in resources.yaml, found 'helperz' (hint: did you mean `helpers`?)",
    ]


def test_end_before_start_and_bad_time_zone(project):
    project.resources(extra=EVENT.replace("ends: 2026-06-27 13:00", "ends: 2026-06-26 13:00")
                      .replace("America/Chicago", "Central"))
    _, problems = _problems(project)
    assert problems == [
        "resources.yaml:22:15: record picnic, field timezone: expected a time zone name such as "
        "America/Chicago, found 'Central' (hint: see the 'TZ identifier' column of the tz "
        "database list)",
    ]
    project.resources(extra=EVENT.replace("ends: 2026-06-27 13:00", "ends: 2026-06-26 13:00"))
    _, problems = _problems(project)
    assert problems == [
        "resources.yaml:21:11: record picnic, field ends: expected an end on or after the start "
        "(2026-06-27 10:00:00), found 2026-06-26 13:00:00 (hint: check the month and year)",
    ]


def test_insecure_link_is_a_warning(project):
    project.resources(organizations=ORG.replace("https://helpers", "http://helpers"))
    _, problems = _problems(project)
    assert problems == [
        "resources.yaml:13:14: warning: record helpers, field website: expected a secure address "
        "(https://), found 'http://helpers.example.org/' (hint: most sites also answer on "
        "https://; check and change it)",
    ]


def test_story_front_matter_errors(project):
    project.story("bad-story.md", STORY.replace("state: AL", "state: ZZ")
                  .replace("themes: [visits]\n", ""))
    _, problems = _problems(project)
    assert problems == [
        "stories/bad-story.md:2:1: record bad-story, field themes: required field missing: "
        "expected a list, each item a word or two (hint: add a line `themes: …`)",
        "stories/bad-story.md:6:8: record bad-story, field state: expected a two-letter US state "
        "code or `national`, found 'ZZ' (hint: use the two-letter postal code, e.g. AL)",
    ]


def test_story_file_name_must_be_an_address(project):
    project.story("My Story.md")
    _, problems = _problems(project)
    assert problems == [
        "stories/My Story.md: expected a file name of lower-case letters, digits and hyphens, "
        "found 'My Story.md' (hint: the file name becomes the story's address; rename it, e.g. "
        "my-story.md)"]


def test_every_problem_is_reported_in_one_run(project):
    project.resources(organizations=ORG.replace("states: [AL]", "states: [XX]"),
                      extra=DRIVE.replace("needed: 10", "needed: lots"))
    project.story("one.md", STORY.replace("date: 2026-06-05", "date: June 5"))
    _, problems = _problems(project)
    assert len(problems) == 3
    assert [p.split(":")[0] for p in problems] == ["resources.yaml", "resources.yaml",
                                                  "stories/one.md"]


def test_campaign_missing(project):
    project.resources("organizations:\n" + ORG)
    _, problems = _problems(project)
    assert problems == ["resources.yaml:1:1: required section `campaign` is missing (hint: add "
                        "the campaign block with year, theme and dates)"]


def test_unknown_section(project):
    project.resources(CAMPAIGN + "organisations:\n" + ORG)
    _, problems = _problems(project)
    assert problems == ["resources.yaml:10:1: unknown section 'organisations' (hint: did you "
                        "mean `organizations`?)"]
