"""`reunify feeds refresh`: fetch partners' news feeds into partner-news.json."""
from __future__ import annotations

import sys
from pathlib import Path


def run(args) -> int:
    from reunify.content.feeds import any_address, public_address, refresh
    from reunify.content.load import NEWS_SNAPSHOT, load_resources, Content
    from reunify.content.problems import Problems

    root = Path(args.root).resolve()
    problems = Problems(root=root)
    content = Content(root=root)
    load_resources(root / "resources.yaml", content, problems)
    feeds = {org.id: org.feed_url for org in content.organizations if org.feed_url}
    if problems.errors:
        print(problems.report(), file=sys.stderr)
        print("Fix resources.yaml first; no feed was fetched.", file=sys.stderr)
        return 1
    print(f"Fetching {len(feeds)} partner feed(s)…", file=sys.stderr)
    snapshot = refresh(feeds, root / NEWS_SNAPSHOT, allowed=any_address
                       if args.allow_private_addresses else public_address)
    failed = sorted(org for org, state in snapshot["feeds"].items() if state.get("error"))
    print(f"Wrote {NEWS_SNAPSHOT}: {len(feeds) - len(failed)} feed(s) fine, "
          f"{len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""),
          file=sys.stderr)
    if feeds and len(failed) == len(feeds):
        unreachable = all("could not connect" in (snapshot["feeds"][org].get("error") or "") or
                          "did not answer" in (snapshot["feeds"][org].get("error") or "")
                          for org in failed)
        print("No feed could be fetched" + (
            ": none of the partners' sites could be reached; check this computer's internet "
            "connection and try again" if unreachable else "; see the reasons above") +
            ". The earlier news was kept.", file=sys.stderr)
        return 1
    return 0
