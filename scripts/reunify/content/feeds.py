"""Partner news: `reunify feeds refresh` fetches partners' RSS and Atom feeds into a snapshot.

The snapshot (partner-news.json, committed with the content) is all a build ever reads, so
building never touches the network. Fetching is defensive: every feed has a connect and read
timeout, an overall deadline, a size cap and a redirect limit; unchanged feeds cost a 304 through
ETag and Last-Modified; a failure keeps the last good entries and records why. One bad feed never
stops the others.
"""
from __future__ import annotations

import calendar
import hashlib
import html
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import nh3
import requests

from reunify.content.load import write_json
from reunify.content.net import AddressRefused, guarded_session, public_address
from reunify.content.net import any_address  # noqa: F401 (callers pass feeds.any_address)
from reunify.content.sanitize import clean_html

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
DEADLINE = 20.0  # seconds for a whole response, however slowly it drips in
MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_ENTRIES = 20
WORKERS = 8
USER_AGENT = "reunify-feeds/1.0 (+National Reunification Month hub)"
SUMMARY_HTML_LIMIT = 2000
SUMMARY_TEXT_LIMIT = 400


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if moment else None


def parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


class FetchError(Exception):
    pass


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)


def fetch(url: str, etag: str | None = None, last_modified: str | None = None, *,
          allowed=public_address, verify: bool | str = True) -> Response:
    """GET `url` with every limit applied; raise FetchError with a reason an editor can read.

    Only public addresses are fetched (`allowed` decides, for the feed and every redirect,
    before connecting), and an https feed may not redirect to http."""
    headers = {"User-Agent": USER_AGENT,
               "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                         "text/xml;q=0.8, */*;q=0.1"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    with guarded_session(allowed) as session:
        try:
            for _ in range(MAX_REDIRECTS + 1):
                if urlsplit(url).scheme not in ("http", "https"):
                    raise FetchError(f"a redirect led to {url!r}, which is not a web address")
                with session.get(url, headers=headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                                 stream=True, allow_redirects=False, verify=verify) as response:
                    if response.is_redirect:
                        target = urljoin(url, response.headers["Location"])
                        if urlsplit(url).scheme == "https" and urlsplit(target).scheme == "http":
                            raise FetchError(f"the https feed redirected to {target}, which is "
                                             "not secure; use the address it should have")
                        url = target
                        continue
                    return _read(response, started)
            raise FetchError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)")
        except AddressRefused as exc:
            raise FetchError(str(exc)) from None
        except requests.Timeout:
            raise FetchError("the server did not answer in time") from None
        except requests.ConnectionError as exc:
            raise FetchError(f"could not connect ({type(exc).__name__})") from None
        except requests.RequestException as exc:
            raise FetchError(f"the request failed ({type(exc).__name__})") from None


def _read(response, started: float) -> Response:
    if response.status_code == 304:
        return Response(304, headers=dict(response.headers))
    if response.status_code >= 400:
        raise FetchError(f"the server answered {response.status_code}")
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > MAX_BYTES:
        raise FetchError(f"the feed is {int(declared):,} bytes; the limit is {MAX_BYTES:,}")
    body = bytearray()
    for chunk in response.iter_content(16384):
        body += chunk
        if len(body) > MAX_BYTES:
            raise FetchError(f"the feed is over the {MAX_BYTES:,}-byte limit")
        if time.monotonic() - started > DEADLINE:
            raise FetchError(f"the feed took over {DEADLINE:g} s to download")
    return Response(response.status_code, bytes(body), dict(response.headers))


def _text(value: str, limit: int = 300) -> str:
    text = html.unescape(nh3.clean(value or "", tags=set())).strip()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _link(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _summary(entry) -> str:
    raw = entry.get("summary") or ""
    if not raw and entry.get("content"):
        raw = entry["content"][0].get("value", "")
    cleaned = clean_html(raw, images=False).strip()
    if len(cleaned) <= SUMMARY_HTML_LIMIT:
        return cleaned
    return html.escape(_text(raw, SUMMARY_TEXT_LIMIT))


def normalise(parsed, fetched: datetime, previous: dict[str, dict]) -> list[dict]:
    """Entries as the site shows them: plain titles, safe summaries, UTC dates, no duplicates."""
    entries, seen_ids, seen_links = [], set(), set()
    for entry in parsed.entries:
        link = _link(entry.get("link"))
        title = _text(entry.get("title", "")) or (link or "")
        if not title:
            continue
        entry_id = str(entry.get("id") or link or
                       hashlib.sha256(title.encode()).hexdigest()[:16])
        if entry_id in seen_ids or (link and link in seen_links):
            continue
        seen_ids.add(entry_id)
        if link:
            seen_links.add(link)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        earlier = previous.get(entry_id, {})
        first_seen = parse_iso(earlier.get("first_seen")) or fetched
        if stamp:
            published = datetime.fromtimestamp(calendar.timegm(stamp), timezone.utc)
            dated = published <= fetched + timedelta(days=1)
            if not dated:  # a future date is a partner's mistake: show when we first saw it
                published = first_seen
        else:
            published, dated = first_seen, False
        entries.append({"id": entry_id, "title": title, "link": link,
                        "published": iso(published), "dated": dated,
                        "first_seen": iso(first_seen), "summary": _summary(entry),
                        "author": _text(entry.get("author", ""), 100) or None})
    entries.sort(key=lambda e: (e["published"], e["id"]), reverse=True)
    return entries[:MAX_ENTRIES]


def refresh_feed(org_id: str, url: str, state: dict, now: datetime, *,
                 allowed=public_address, verify: bool | str = True) -> tuple[dict, str]:
    """Fetch one feed; return its new state and a one-line report."""
    state = dict(state)
    if state.get("url") != url:  # a new address: forget the old one's validators
        state = {"url": url, "entries": state.get("entries", [])}
    state["last_fetched"] = iso(now)
    try:
        response = fetch(url, state.get("etag"), state.get("last_modified"), allowed=allowed,
                         verify=verify)
        if response.status == 304:
            state.update(error=None, failing_since=None, warning=None)
            return state, "unchanged (304)"
        parsed = feedparser.parse(response.body, response_headers={
            k.lower(): v for k, v in response.headers.items()})
        if not parsed.entries:
            if parsed.bozo:
                reason = "not a feed"
                if not parsed.version and b"<html" in response.body[:2048].lower():
                    reason = "the address returned a web page, not a feed"
                raise FetchError(f"{reason} ({type(parsed.bozo_exception).__name__})")
            if not parsed.version:
                raise FetchError("the address did not return an RSS or Atom feed")
        previous = {e["id"]: e for e in state.get("entries", [])}
        entries = normalise(parsed, now, previous)
        state["warning"] = (f"malformed feed, entries recovered "
                            f"({type(parsed.bozo_exception).__name__})") if parsed.bozo else None
        if entries != state.get("entries"):
            state["last_changed"] = iso(now)
        state.update(entries=entries, etag=response.headers.get("ETag"),
                     last_modified=response.headers.get("Last-Modified"), error=None,
                     failing_since=None)
        return state, f"{len(entries)} entries" + (" (malformed, recovered)" if parsed.bozo else "")
    except FetchError as exc:
        state["error"] = str(exc)
        state["last_failed"] = iso(now)
        state["failing_since"] = state.get("failing_since") or iso(now)
        return state, f"failed: {exc}; kept {len(state.get('entries', []))} earlier entries"


def read_snapshot(path: Path) -> dict:
    if not path.exists():
        return {"refreshed": None, "feeds": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def refresh(feeds: dict[str, str], path: Path, *, out=None, now: datetime | None = None,
            workers: int = WORKERS, allowed=public_address, verify: bool | str = True) -> dict:
    """Fetch every feed concurrently and update the snapshot at `path`. `allowed` decides
    which IP addresses may be fetched (public ones; `any_address` for tests on this machine).
    Progress goes to `out`, standard error by default (looked up when called, not when this
    module was imported)."""
    out = out if out is not None else sys.stderr
    now = now or utc_now()
    snapshot = read_snapshot(path)
    states = snapshot.get("feeds", {})
    results = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(feeds) or 1))) as pool:
        futures = {pool.submit(refresh_feed, org, url, states.get(org, {}), now,
                               allowed=allowed, verify=verify): org
                   for org, url in sorted(feeds.items())}
        for done, future in enumerate(as_completed(futures), start=1):
            org = futures[future]
            results[org], report = future.result()
            print(f"[{done}/{len(feeds)}] {org}: {report}", file=out, flush=True)
    snapshot = {"refreshed": iso(now), "feeds": results}
    write_json(path, snapshot)  # atomically
    return snapshot
