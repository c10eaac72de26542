"""Pagefind reads search copies of the pages (`search_index.search_copy`); the index it makes
from them is the one it makes from the whole pages."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reunify.outputs.search_index import BUNDLE, INDEXED, OPTIONS, indexed, plain_quotes, search_copy


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def whole_page_index(site: Path, edition: str, folder: Path) -> Path:
    """The index Pagefind makes from an edition's finished pages (as `reunify build` once did,
    with the same options and plain quotes), in `folder`/pagefind beside a copy of the
    edition."""
    built = site / edition if edition else site
    alone = folder / "edition"
    shutil.copytree(built, alone, ignore=lambda parent, names: [
        n for n in names if Path(parent) == built and n in (BUNDLE, "es")])
    for page in alone.rglob("*.html"):
        page.write_text(plain_quotes(page.read_text(encoding="utf-8")), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(alone), "--glob", INDEXED,
                    "--output-subdir", BUNDLE, *OPTIONS, "--silent"], check=True)
    return alone


@pytest.mark.parametrize("edition", ["", "es"])
def test_every_page_is_indexed_as_pagefind_indexes_the_whole_page(sample_site, tmp_path,
                                                                  edition):
    """A fragment holds what a result shows of a page (its address, title, text, word count);
    its name is a hash of it. The order Pagefind numbers pages in follows the order it finds
    files in a folder, so the other files of the index may differ in bytes, not in results
    (the browser test `test_search_finds_what_an_index_of_whole_pages_finds`)."""
    whole = whole_page_index(sample_site, edition, tmp_path) / BUNDLE
    built = (sample_site / edition if edition else sample_site) / BUNDLE
    ours, theirs = _files(built / "fragment"), _files(whole / "fragment")
    assert len(ours) > 40
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []
    assert len(_files(built)) == len(_files(whole))


def test_a_search_copy_keeps_what_pagefind_reads_and_nothing_else():
    page = ('<!doctype html><html lang="es" class="no-js"><head><title>Visitas &amp; más'
            '</title><link rel="stylesheet" href="x.css"></head><body><nav>Menú</nav>'
            '<article><div data-pagefind-body><h1>Visitas</h1><p>Texto</p></div>'
            '<!--/data-pagefind-body--></article><footer>Pie</footer></body></html>')
    copy = search_copy(page)
    assert copy.startswith('<!doctype html><html lang="es" class="no-js"><head>')
    assert "<title>Visitas &amp; más</title>" in copy
    assert "<div data-pagefind-body><h1>Visitas</h1><p>Texto</p></div>" in copy
    for left_out in ("Menú", "Pie", "x.css"):
        assert left_out not in copy
    assert search_copy(page.replace("<div data-pagefind-body>", "<div>")) is None


def _index_words(bundle: Path) -> set[str]:
    """Every word in a Pagefind index (its chunks are gzipped CBOR: the words are its text
    strings of letters)."""
    import gzip
    import re

    words = set()
    for chunk in (bundle / "index").iterdir():
        data = gzip.decompress(chunk.read_bytes())
        # a CBOR text string of 1 to 23 bytes: a header byte 0x61-0x77, then UTF-8
        for match in re.finditer(rb"([\x61-\x77])", data):
            size = match.group(1)[0] - 0x60
            text = data[match.end(): match.end() + size]
            try:
                word = text.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if word and all(c.isalnum() or c in "’‘“”¶'" for c in word):
                words.add(word)
    return words


def test_typographic_quotes_and_heading_links_are_not_indexed_as_words(tmp_path):
    """A page says “Nationwide” and the family’s home (as Markdown's smarty writes them), and a
    hand-written page has MkDocs' ¶ heading links: the index holds the plain words only, and a
    search still finds them (the stem of family’s is the stem of families)."""
    from reunify.outputs.search_index import SearchCopies

    page = ('<html lang="en"><head><title>{title}</title></head><body><div data-pagefind-body>'
            '{body}</div><!--/data-pagefind-body--></body></html>')
    copies = SearchCopies(tmp_path)
    copies.add("stories/home/index.html", page.format(
        title="Home", body="<h1>Home</h1><p>The family’s home, “nationwide” <a title="
                           "'a “quoted” title'>help</a>.</p>"))
    copies.add("about/index.html", page.format(
        title="About", body='<h2 id="support">Support<a class="headerlink" href="#support" '
                            'title="Permanent link">¶</a></h2><p>Families.</p>'))
    site = tmp_path / "site"
    copies.index(site).wait()
    words = _index_words(site / BUNDLE)
    assert {"famili", "home", "nationwid", "support"} <= words
    assert not {w for w in words if any(c in w for c in "’‘“”¶")}, words
    contents = {fragment(f)["content"] for f in (site / BUNDLE / "fragment").iterdir()}
    assert any(text.startswith("Home. The family's home, \"nationwide\" help.")
               for text in contents), contents


def fragment(path: Path) -> dict:
    """A result as Pagefind stores it: gzipped, a signature, then JSON."""
    import gzip
    import json

    return json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))


def test_only_record_pages_and_pages_one_folder_down_are_indexed():
    assert indexed("about/index.html")
    assert indexed("resources/parent-partner-guide/index.html")
    assert not indexed("index.html")
    assert not indexed("404.html")
    assert not indexed("stories/page/2/index.html")
    assert not indexed("resources/topics/visits/index.html")
    assert not indexed("news/partner/index.html/extra")


def test_search_copies_move_to_the_disk_when_the_ram_disk_fills_up(tmp_path, monkeypatch):
    import errno

    from reunify.outputs import search_index

    ram = tmp_path / "ram"
    ram.mkdir()
    monkeypatch.setattr(search_index, "RAM_DISK", ram)
    page = ('<html lang="en"><head><title>T</title></head><body><div data-pagefind-body>'
            '<h1>{}</h1></div><!--/data-pagefind-body--></body></html>')
    copies = search_index.SearchCopies(ram)
    copies.add("about/index.html", page.format("About"))
    write, full = search_index.SearchCopies._write, [True]

    def ram_disk_full_once(self, dest_uri, copy):
        if full and ram in self.folder.parents:
            full.clear()
            raise OSError(errno.ENOSPC, "No space left on device")
        write(self, dest_uri, copy)

    monkeypatch.setattr(search_index.SearchCopies, "_write", ram_disk_full_once)
    # a child process that writes some of the copies (the preview's start) shares the folder
    # with its parent: it reports the full RAM disk rather than move the folder away
    copies.may_move = False
    with pytest.raises(OSError):
        copies.add("resources/guide/index.html", page.format("Guide"))
    assert copies.folder.parent == ram and (copies.folder / "about/index.html").exists()
    copies.may_move, full[:] = True, [True]
    copies.add("resources/guide/index.html", page.format("Guide"))
    try:
        assert ram not in copies.folder.parents and list(ram.iterdir()) == []
        assert "About" in (copies.folder / "about/index.html").read_text()
        assert "Guide" in (copies.folder / "resources/guide/index.html").read_text()
    finally:
        copies.discard()


@pytest.mark.parametrize("parallel", [True, False], ids=["side by side", "in turn"])
def test_a_failed_search_index_keeps_the_previous_site(project, tmp_path, monkeypatch, parallel):
    from conftest import TODAY
    from reunify.outputs import search_index
    from reunify.commands.build import build_site
    from reunify.outputs.search_index import SearchIndexError
    from test_editions import _spanish_project

    _spanish_project(project)
    config = project.root / "mkdocs.yml"
    site = tmp_path / "site"
    build_site(project.root, site, config, TODAY, parallel=parallel)
    before = _files(site)
    assert {"pagefind/pagefind-entry.json", "es/pagefind/pagefind-entry.json"} <= set(before)
    monkeypatch.setattr(search_index, "PAGEFIND", [sys.executable, "-c",
                                                   "import sys; sys.exit('disk full')"])
    project.story("home.md")
    with pytest.raises(SearchIndexError, match="disk full"):
        build_site(project.root, site, config, TODAY, parallel=parallel)
    assert _files(site) == before
    assert not list(tmp_path.glob(".site-build-*"))


@pytest.mark.parametrize("parallel", [True, False], ids=["side by side", "in turn"])
def test_search_files_that_could_not_be_compressed_keep_the_previous_site(
        project, tmp_path, monkeypatch, parallel):
    """The last editions' search files are compressed again in the background, each while the
    next edition's index is waited for: a failure there fails the build as anywhere else."""
    from conftest import TODAY
    from reunify.outputs import search_index
    from reunify.commands.build import build_site
    from test_editions import _spanish_project

    _spanish_project(project)
    config = project.root / "mkdocs.yml"
    site = tmp_path / "site"
    build_site(project.root, site, config, TODAY, parallel=parallel)
    before = _files(site)
    compressed = []

    def smaller(bundle, cache):
        compressed.append(bundle)
        if len(compressed) == 1:  # the first edition's, in the background
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(search_index, "smaller_search_files", smaller)
    project.story("home.md")
    with pytest.raises(OSError, match="No space left"):
        build_site(project.root, site, config, TODAY, parallel=parallel)
    # side by side, the other edition's was waited for before its folder went; in turn, the
    # first edition's files are compressed before the next edition is built, and it stopped
    assert len(compressed) == (2 if parallel else 1)
    assert _files(site) == before
    assert not list(tmp_path.glob(".site-build-*"))


def test_searches_download_less_than_pagefind_wrote_and_the_same_index(
        project, tmp_path, monkeypatch):
    """Pagefind's page list and WebAssembly, which every first search fetches, are compressed
    again with Zopfli, and the index chunks every search fetches with libdeflate: the same
    bytes once unpacked, in fewer; a second build takes them from `.cache/search/` (here it
    could not compress anything), and a build after an edit keeps there only what it used."""
    import deflate
    import gzip
    import zopfli.gzip
    from conftest import TODAY, scratch_config
    from reunify.commands.build import build_site
    from reunify.outputs import search_index
    from reunify.outputs.search_index import FIRST_SEARCH_FILES, INDEX_CHUNKS

    project.resources()
    config = scratch_config(project)
    # the chunks as Pagefind writes them: the same build, with none compressed again
    monkeypatch.setattr(search_index, "INDEX_CHUNKS", "index/none")
    build_site(project.root, tmp_path / "as-written", config, TODAY)
    as_written = sorted((tmp_path / "as-written" / BUNDLE).glob(INDEX_CHUNKS))
    monkeypatch.undo()
    site = tmp_path / "site"
    build_site(project.root, site, config, TODAY)
    whole = whole_page_index(site, "", tmp_path) / BUNDLE  # as Pagefind writes it
    first = {}
    for pattern in FIRST_SEARCH_FILES:
        ours, theirs = sorted((site / BUNDLE).glob(pattern)), sorted(whole.glob(pattern))
        assert ours and len(ours) == len(theirs)
        for mine, pagefind in zip(ours, theirs):
            unpacked = gzip.decompress(mine.read_bytes())
            assert unpacked.startswith((b"pagefind_dcd", b"\0asm"))
            assert len(unpacked) == len(gzip.decompress(pagefind.read_bytes()))
            assert mine.stat().st_size < pagefind.stat().st_size
            first[mine.name] = mine.read_bytes()
    ours = sorted((site / BUNDLE).glob(INDEX_CHUNKS))
    assert ours and [p.name for p in ours] == [p.name for p in as_written]
    for mine, pagefind in zip(ours, as_written):
        assert gzip.decompress(mine.read_bytes()) == gzip.decompress(pagefind.read_bytes())
        assert mine.stat().st_size <= pagefind.stat().st_size
        first[mine.relative_to(site / BUNDLE).as_posix()] = mine.read_bytes()
    assert sum(p.stat().st_size for p in ours) < sum(p.stat().st_size for p in as_written)

    def refuse(*args, **kwargs):
        raise AssertionError("compressed again, not taken from the cache")
    monkeypatch.setattr(zopfli.gzip, "compress", refuse)
    monkeypatch.setattr(deflate, "gzip_compress", refuse)
    build_site(project.root, site, config, TODAY)
    assert {name: (site / BUNDLE / name).read_bytes() for name in first} == first

    # an edit: the chunks and the page list change; the cache keeps what this build used
    monkeypatch.undo()
    project.story("home.md")
    kept = project.root / ".cache" / "search"
    before = {p.name for p in kept.iterdir()}
    build_site(project.root, site, config, TODAY)
    published = {gzip.decompress(p.read_bytes()) for pattern in (*FIRST_SEARCH_FILES,
                                                                 INDEX_CHUNKS)
                 for p in (site / BUNDLE).glob(pattern)}
    after = {p.name: gzip.decompress(p.read_bytes()) for p in kept.iterdir()}
    assert after and before - set(after)  # some of the first build's were let go
    assert set(after.values()) <= published


def test_pagefind_indexes_with_one_allocator_arena_unless_told_otherwise(tmp_path, monkeypatch):
    """Pagefind's allocator gets one arena for all its threads (a national edition's index in
    the same time with a sixth less memory: `make bench`), unless whoever runs the build has
    set the allocator up themselves."""
    from reunify.outputs import search_index

    seen = tmp_path / "seen"
    monkeypatch.setattr(search_index, "PAGEFIND", [
        sys.executable, "-c",
        f"import os; open({str(seen)!r}, 'a').write(os.environ.get('_RJEM_MALLOC_CONF', '-') + '\\n')"])
    copies = search_index.SearchCopies(tmp_path)
    copies.discard()  # (the stand-in reads nothing)
    search_index.Indexing(copies.folder, tmp_path / "site").wait()
    monkeypatch.setenv("_RJEM_MALLOC_CONF", "narenas:2")
    search_index.Indexing(copies.folder, tmp_path / "site").wait()
    assert seen.read_text().splitlines() == ["narenas:1", "narenas:2"]
