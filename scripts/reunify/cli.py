"""`reunify`: the campaign editors' command.

    reunify check [--strict]      find every problem in the content
    reunify build                 build the site into site/ (replaced only on success)
    reunify serve                 live preview on http://127.0.0.1:8000
    reunify serve --language es   live preview of the Spanish edition
    reunify new story "Title"     start a story (or: resource, organization, drive, event)
    reunify check --stale         list records not verified for over 12 months
    reunify schema                rewrite schemas/*.json from the content models
    reunify feeds refresh         fetch partners' news feeds into partner-news.json
    reunify links check           ask every outbound link whether it still works
    reunify new-year 2027         archive this June's campaign and start the next
"""
from __future__ import annotations

import argparse
import sys

from reunify.commands import build, check, feeds, links, new, new_year, schema, serve
from reunify.content import editions


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", default=".", help="project folder (default: current folder)")
    parser.add_argument("--today", help="build as if on this date, YYYY-MM-DD")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reunify", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("check", help="validate all content and list every problem")
    _common(p)
    p.add_argument("--stale", action="store_true",
                   help="also list resources and organizations not verified for 12 months")
    p.add_argument("--translations", action="store_true",
                   help="list every text not yet translated, record by record")
    p.set_defaults(run=check.run)
    p = commands.add_parser("build", help="build the site into site/")
    _common(p)
    p.add_argument("--config", help="MkDocs configuration (default: mkdocs.yml)")
    p.add_argument("--site-dir", help="output folder (default: site)")
    p.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    p.set_defaults(run=build.run)
    p = commands.add_parser("serve", help="live preview while you edit")
    _common(p)
    p.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on")
    p.add_argument("--language", default=editions.DEFAULT,
                   help="edition to preview, e.g. es (default: en)")
    p.set_defaults(run=serve.run)
    p = commands.add_parser("new", help="start a new story, resource, organization, drive or "
                            "event with every field explained")
    p.add_argument("kind", choices=["story", "resource", "organization", "drive", "event"])
    p.add_argument("title", help="the title or name, in quotes")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.add_argument("--today", help="date to use for new dates, YYYY-MM-DD")
    p.set_defaults(run=new.run)
    p = commands.add_parser("schema", help="write the JSON Schemas editors' YAML editors use")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.set_defaults(run=schema.run)
    p = commands.add_parser("feeds", help="partner news feeds")
    p.add_argument("action", choices=["refresh"], help="fetch every partner feed now")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.add_argument("--allow-private-addresses", action="store_true",
                   help="also fetch feeds on this machine or a private network (for tests "
                        "with local servers only)")
    p.set_defaults(run=feeds.run)
    p = commands.add_parser("links", help="outbound links of resources, partners, drives and "
                            "events")
    p.add_argument("action", choices=["check"], help="ask every link whether it still works, "
                   "and write the answers into link-check.json")
    p.add_argument("--update", action="store_true",
                   help="set last_verified to today on records whose links all worked")
    p.add_argument("--report", metavar="FILE",
                   help="also write the problems found as Markdown (empty when none)")
    p.add_argument("--per-host", type=int, default=2, metavar="N",
                   help="requests in flight to one site at once (default: 2)")
    p.add_argument("--pause", type=float, default=1.0, metavar="SECONDS",
                   help="pause between two requests to one site (default: 1)")
    p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                   help="how long to wait for a site to answer (default: 20)")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.add_argument("--today", help="treat this date as today, YYYY-MM-DD")
    p.add_argument("--allow-private-addresses", action="store_true",
                   help="also check links on this machine or a private network (for tests "
                        "with local servers only)")
    p.set_defaults(run=links.run)
    p = commands.add_parser("new-year", help="archive this year's campaign and start the next")
    p.add_argument("year", type=int, help="the new campaign year, e.g. 2027")
    p.add_argument("--theme", help="the new theme (asked for if missing)")
    p.add_argument("--start", help="first day, YYYY-MM-DD (asked for if missing)")
    p.add_argument("--end", help="last day, YYYY-MM-DD (asked for if missing)")
    p.add_argument("--tagline", help="one sentence under the theme (optional)")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.add_argument("--today", help="treat this date as today, YYYY-MM-DD")
    p.set_defaults(run=new_year.run)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
