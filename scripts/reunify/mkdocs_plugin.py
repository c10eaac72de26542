"""The one place that knows about MkDocs: hands our finished pages to it.

Why a plugin rather than a pre-build step writing Markdown files: `File.generated` (mkdocs 1.6)
adds our pages in memory, so nothing is written into the docs folder and nothing can go stale;
MkDocs and Material then add the theme, search index and sitemap around them. Why not Material's
blog plugin for stories: it reads posts from disk and renders their raw Markdown itself, which would
bypass our consent gate and sanitiser, and it costs 15.9 s for 1,000 posts on these machines.

Pages are rendered to HTML by `render.py` before MkDocs sees them. MkDocs is given only their front
matter (title, description, template, hidden sidebars); `on_page_content` swaps in our HTML, so
content never goes through Markdown twice.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import date
from pathlib import Path

import yaml
from markupsafe import escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .pipeline import HOME_INTRO, Prepared, prepare
from .problems import ContentError
from .sanitize import clean_page_html
from .search_index import SearchIndexError, index_site

log = logging.getLogger("mkdocs.plugins.reunify")


class ReunifyConfig(Config):
    root = c.Type(str, default=".")
    """Folder holding resources.yaml and stories/, relative to mkdocs.yml."""
    today = c.Optional(c.Type(str))
    """Build as if on this date (YYYY-MM-DD); default: the real date or $REUNIFY_TODAY."""


def build_date(setting: str | None) -> date:
    value = setting or os.environ.get("REUNIFY_TODAY")
    return date.fromisoformat(value) if value else date.today()


def front_matter(page) -> str:
    meta = {"title": page.title, "hide": list(page.hide)}
    if page.description:
        meta["description"] = page.description
    if page.template:
        meta["template"] = page.template
    if not page.searchable:
        meta["search"] = {"exclude": True}
    if page.jsonld:
        # Escaped so that no value can close the <script> element it is written into.
        meta["jsonld"] = json.dumps(page.jsonld, ensure_ascii=False, separators=(",", ":")) \
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"


class ReunifyPlugin(BasePlugin[ReunifyConfig]):
    def __init__(self):
        super().__init__()
        self.prepared: Prepared | None = None  # set by `reunify build` to avoid a second load
        self.html: dict[str, str] = {}

    def root(self, config) -> Path:
        return (Path(config.config_file_path).parent / self.config.root).resolve()

    def on_files(self, files: Files, *, config) -> Files:
        prepared = self.prepared
        if prepared is None:
            try:
                prepared = prepare(self.root(config), build_date(self.config.today),
                                   site_url=config.site_url or "")
            except ContentError as exc:
                raise PluginError("the content has problems:\n" + exc.problems.report())
        for problem in prepared.problems.warnings:
            log.info("warning: %s", problem.format())
        self.html = {}
        for page in prepared.output.pages:
            if files.get_file_from_path(page.src_uri) is not None:
                raise PluginError(f"{config.docs_dir}/{page.src_uri} would replace the generated "
                                  f"page /{page.url}; rename or remove the hand-written file")
            files.append(File.generated(config, page.src_uri, content=front_matter(page)))
            self.html[page.src_uri] = page.html
        for asset in prepared.output.assets:
            if asset.source is not None:
                files.append(File.generated(config, asset.path, abs_src_path=str(asset.source)))
            else:
                files.append(File.generated(config, asset.path, content=asset.content))
        self.prepared = None  # a live preview reloads content on every rebuild
        return files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        # Material writes page.meta.title and description into <title>, the header and
        # <meta content="…"> without escaping (MkDocs templates do not autoescape); a record's
        # title is content, so it is escaped here, where it is handed over.
        for key in ("title", "description"):
            if isinstance(page.meta.get(key), str):
                page.meta[key] = str(escape(page.meta[key]))
        return markdown

    def on_page_content(self, html: str, *, page, config, files) -> str:
        generated = self.html.get(page.file.src_uri)
        return generated if generated is not None else clean_page_html(html)

    def on_post_build(self, *, config) -> None:
        try:
            index_site(Path(config.site_dir))
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from None

    def on_serve(self, server, *, config, builder):
        root = self.root(config)
        for path in (root / "resources.yaml", root / "stories", root / HOME_INTRO):
            if path.exists():
                server.watch(str(path))
        return server
