"""Outbound links: `reunify links check` asks every link the site shows whether it still works.

A national hub lists 10,000 resources, and publishers move and delete their pages. The check asks
each distinct address once, for every record that uses it, and politely: a few requests at a time
to any one site with a pause between them, a `User-Agent` that names the hub, HEAD first and GET
where HEAD is refused, redirects followed one by one (each checked like the first address: only
public addresses are asked), time limits on every request and on each link as a whole, and a
site's `Retry-After` honoured when it answers 429 or 503.

What each link did is kept in link-check.json (committed with the content): the pages say when a
link last worked, `reunify check --stale` lists the ones that failed, and a link failing for two
weeks is reported as broken rather than as a site that may be down for a day.
"""
from __future__ import annotations

import http
import json
import re
import socket
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from reunify.content.load import LINK_RESULTS, Content
from reunify.content.net import AddressRefused, guarded_session, public_address
from reunify.content.problems import ERROR, WARNING, Problems


RESULTS = LINK_RESULTS  # link-check.json, beside resources.yaml

# The fields that hold a link a reader follows, by kind of record. Partner feeds are left to
# `reunify feeds refresh`, which reports a failing feed itself.
FIELDS: dict[str, tuple[str, ...]] = {
    "organizations": ("website", "donate_url", "volunteer_url"),
    "resources": ("url",),
    "drives": ("give_url",),
    "events": ("online_url", "registration_url"),
}
# what each record's `last_verified` means: only these kinds have one
VERIFIED = ("organizations", "resources")

# outcomes
OK = "ok"                    # answered 2xx, perhaps through temporary redirects
MOVED = "moved"              # answered, but through a permanent redirect: the address changed
BROKEN = "broken"            # gone, not found, a bad certificate, a loop: readers meet an error
BLOCKED = "blocked"          # the site turned the checker away (401, 403, 999): see for yourself
UNREACHABLE = "unreachable"  # no answer, or a server error: perhaps down for a while
BUSY = "busy"                # the site asked us to come back later than we wait: not checked
WORKED = (OK, MOVED)
# a site that has not answered for this long is broken for readers, not down for a day
BROKEN_AFTER = timedelta(days=14)

PERMANENT = (301, 308)
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Policy:
    """How hard the check may press: the defaults suit sites run by small charities."""

    per_host: int = 2          # requests in flight to one site at once
    pause: float = 1.0         # seconds between the starts of two requests to one site
    workers: int = 16          # links checked at once, over all sites
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 120.0    # seconds for one link in all: redirects, retries and waits
    max_redirects: int = 10
    retries: int = 2           # more tries after a 429 or 503
    max_wait: float = 60.0     # the longest Retry-After waited for; longer means "come back"
    busy_wait: float = 10.0    # the wait after a 429 or 503 that gives no Retry-After
    user_agent: str = "reunify-links/1.0 (link checker of a National Reunification Month hub)"


def user_agent(campaign) -> str:
    """Names the hub and where to reach its team, in the characters a header may carry."""
    from anyascii import anyascii

    if campaign is None:
        return Policy.user_agent
    contact = campaign.host_url or f"mailto:{campaign.contact_email}"
    name = anyascii(f"{campaign.name} hub of {campaign.host}")
    return f"reunify-links/1.0 (link checker of the {name}; +{contact})"


@dataclass(frozen=True)
class Use:
    """One place a link is used: the record and field, and where they are written."""

    kind: str
    record: str
    field: str
    file: Path
    line: int | None
    column: int | None


@dataclass
class Result:
    url: str
    outcome: str
    message: str = ""
    status: int | None = None
    final: str | None = None  # where the redirects ended, if they did
    redirects: list[tuple[int, str]] = field(default_factory=list)
    network: bool = False     # failed before any server answered (no connection, no name)


def uses(content: Content, today: date) -> dict[str, list[Use]]:
    """Every link a reader of this year's site can follow, and every place it is used. Past
    drives and events (their pages offer nothing to do) and archived years are left out."""
    found: dict[str, list[Use]] = defaultdict(list)
    for kind, fields in FIELDS.items():
        for record in getattr(content, kind):
            if (kind, record.id) in content.campaign_of:
                continue
            if kind == "drives" and record.ends < today:
                continue
            if kind == "events" and record.ends.date() < today:  # its local day
                continue
            for name in fields:
                url = getattr(record, name)
                if url:
                    file, line, column = content.where(kind, record.id, name)
                    found[url].append(Use(kind, record.id, name, file, line, column))
    campaign = content.campaign
    if campaign is not None and ("campaign", "campaign") in content.located:
        places = [(("host_url",), campaign.host_url), (("report_url",), campaign.report_url)]
        places += [(("figures", i, "source_url"), figure.source_url)
                   for i, figure in enumerate(campaign.figures)]
        for path, url in places:
            if url:
                file, line, column = content.where("campaign", "campaign", *path)
                found[url].append(Use("campaign", "campaign", ".".join(map(str, path)),
                                      file, line, column))
    return dict(found)


def _phrase(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (a number, or an HTTP date), None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


class Hosts:
    """The politeness rules, per site: at most `per_host` requests in flight, starts at least
    `pause` apart, and none before a time a site asked us to wait for."""

    def __init__(self, policy: Policy, clock=time.monotonic, sleep=time.sleep):
        self.policy, self.clock, self.sleep = policy, clock, sleep
        self._lock = threading.Lock()
        self._gates: dict[str, _Gate] = {}

    def _gate(self, host: str) -> "_Gate":
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _Gate(threading.BoundedSemaphore(self.policy.per_host),
                                                 threading.Lock())
            return gate

    @contextmanager
    def turn(self, host: str):
        gate = self._gate(host)
        with gate.slots:
            with gate.lock:  # one request starts at a time; the others wait their turn here
                while (wait := gate.next - self.clock()) > 0:  # a site's wait may grow
                    self.sleep(wait)
                gate.next = self.clock() + self.policy.pause
            yield

    def hold(self, host: str, seconds: float) -> None:
        gate = self._gate(host)
        with self._lock:
            gate.next = max(gate.next, self.clock() + seconds)


@dataclass
class _Gate:
    slots: threading.BoundedSemaphore
    lock: threading.Lock
    next: float = 0.0


def _cause(exc: BaseException | None, kind: type):
    """The first exception of `kind` that `exc` wraps (requests wraps urllib3's, which wrap
    the socket's), or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, kind):
            return exc
        # urllib3's MaxRetryError keeps it as `reason`, its NameResolutionError as `_reason`
        inner = getattr(exc, "reason", None) or getattr(exc, "_reason", None)
        if not isinstance(inner, BaseException):
            inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = inner or exc.__cause__ or exc.__context__
    return None


def check_link(url: str, session: requests.Session, hosts: Hosts, policy: Policy, *,
               verify: bool | str = True, clock=time.monotonic) -> Result:
    """Ask `url` (and every redirect) until it answers, following the rules in `policy`."""
    started = clock()
    redirects: list[tuple[int, str]] = []
    seen = {url}
    current, method, retried = url, "HEAD", 0
    headers = {"User-Agent": policy.user_agent, "Accept": "*/*"}

    def result(outcome, message, status=None, network=False):
        return Result(url, outcome, message, status, current if redirects else None,
                      redirects, network)

    while True:
        if clock() - started > policy.deadline:
            return result(UNREACHABLE, f"no answer within {policy.deadline:g} s in all "
                          "(redirects, retries and waits)")
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return result(BROKEN, f"a redirect led to {current!r}, which is not a web address")
        host = parts.hostname
        try:
            with hosts.turn(host):
                response = session.request(method, current, headers=headers, stream=True,
                                           allow_redirects=False, verify=verify,
                                           timeout=(policy.connect_timeout, policy.read_timeout))
                response.close()
        except AddressRefused as exc:
            return result(BROKEN, f"{exc}: the address is not on the public internet")
        except requests.exceptions.SSLError as exc:
            reason = "the site's security certificate is not valid"
            text = str(exc)
            for known in ("certificate has expired", "self-signed certificate",
                          "Hostname mismatch", "unable to get local issuer certificate"):
                if known.lower() in text.lower():
                    reason += f" ({known.lower()})"
                    break
            return result(BROKEN, reason + "; readers' browsers warn them away from it")
        except requests.Timeout:
            return result(UNREACHABLE, f"the site did not answer within "
                          f"{max(policy.connect_timeout, policy.read_timeout):g} s", network=True)
        except requests.ConnectionError as exc:
            lookup = _cause(exc, socket.gaierror)
            if lookup is not None and lookup.errno == socket.EAI_NONAME:
                return result(BROKEN, f"the site's name, {host}, could not be found (it may no "
                              "longer exist)", network=True)
            if lookup is not None or _cause(exc, urllib3.exceptions.NameResolutionError):
                return result(UNREACHABLE, f"the site's name, {host}, could not be looked up "
                              "just now", network=True)
            if _cause(exc, urllib3.exceptions.ProtocolError) and \
                    not _cause(exc, ConnectionRefusedError):
                return result(UNREACHABLE, "the site closed the connection without answering")
            return result(UNREACHABLE, "could not connect to the site", network=True)
        except requests.RequestException as exc:
            return result(BROKEN, f"the address could not be asked ({type(exc).__name__})")
        status = response.status_code
        location = response.headers.get("Location")
        if status in REDIRECTS and location:
            target = urljoin(current, location.strip())
            redirects.append((status, target))
            if target in seen:
                return result(BROKEN, "the redirects go round in a loop: " +
                              " → ".join([url] + [t for _, t in redirects]), status)
            if len(redirects) > policy.max_redirects:
                return result(BROKEN, f"more than {policy.max_redirects} redirects", status)
            seen.add(target)
            current = target
            if status == 303:
                method = "GET"
            continue
        if status in (429, 503) and retried < policy.retries:
            wait = retry_after(response.headers.get("Retry-After"))
            wait = policy.busy_wait if wait is None else wait
            if wait > policy.max_wait:
                return result(BUSY, f"the site asked the checker to come back in "
                              f"{_duration(wait)} ({_phrase(status)}), so the link was not "
                              "checked this time", status)
            hosts.hold(host, wait)
            retried += 1
            continue
        if method == "HEAD" and status >= 400 and status != 429:
            method = "GET"  # many servers refuse or mishandle HEAD: ask as a browser does
            continue
        return _judge(result, status, redirects)


def _judge(result, status: int, redirects) -> Result:
    if 200 <= status < 300:
        permanent = [code for code, _ in redirects if code in PERMANENT]
        if permanent:
            return result(MOVED, f"the link has moved for good (a {permanent[0]} redirect) "
                          f"to {redirects[-1][1]}", status)
        return result(OK, "", status)
    if status in (401, 403, 999):
        return result(BLOCKED, f"the site turned the link checker away ({_phrase(status)})",
                      status)
    if status == 429:
        return result(BUSY, f"the site kept asking the checker to slow down ({_phrase(status)})",
                      status)
    if status >= 500:  # 503 included, once its retries are spent: the site may be down
        return result(UNREACHABLE, f"the site answered with an error ({_phrase(status)})",
                      status)
    return result(BROKEN, f"the link is broken: it answered {_phrase(status)}", status)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def _interleave(urls: list[str]) -> list[str]:
    """One link of each site in turn, so that the workers spread over the sites instead of
    queueing at the biggest one."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in sorted(urls):
        by_host[(urlsplit(url).hostname or "").lower()].append(url)
    order, queues = [], sorted(by_host.values(), key=len, reverse=True)
    for i in range(max(map(len, queues), default=0)):
        order += [queue[i] for queue in queues if i < len(queue)]
    return order


def check_all(urls: list[str], *, policy: Policy = Policy(), allowed=public_address,
              verify: bool | str = True, progress=None) -> dict[str, Result]:
    """Check every address once; `progress(done, total)` is told after each."""
    hosts = Hosts(policy)
    local = threading.local()
    sessions = []

    def one(url: str) -> Result:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = guarded_session(allowed, connections=policy.per_host)
            sessions.append(session)
        return check_link(url, session, hosts, policy, verify=verify)

    results: dict[str, Result] = {}
    order = _interleave(urls)
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(policy.workers, len(order) or 1))) as pool:
            futures = {pool.submit(one, url): url for url in order}
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(done, len(order))
    finally:
        for session in sessions:
            session.close()
    return results


# ---- the results file ----------------------------------------------------------------------

def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def read_results(path: Path) -> dict:
    if not path.exists():
        return {"checked": None, "links": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def merge(previous: dict, results: dict[str, Result], now: datetime) -> dict:
    """The new results file: this run's answers, with each link's history (when it last
    worked, since when it has been failing) carried over. Links no longer used are dropped."""
    earlier = previous.get("links", {})
    links = {}
    for url, result in sorted(results.items()):
        before = earlier.get(url, {})
        failing = result.outcome in (BROKEN, UNREACHABLE)
        if result.outcome == BUSY and before:  # not checked this time: keep what we knew
            links[url] = before | {"busy": result.message}
            continue
        links[url] = {
            "checked": iso(now), "outcome": result.outcome, "status": result.status,
            "message": result.message or None, "final_url": result.final,
            "redirects": [list(hop) for hop in result.redirects],
            "last_worked": iso(now) if result.outcome in WORKED else before.get("last_worked"),
            "failing_since": (before.get("failing_since") or iso(now)) if failing else None,
        }
    return {"checked": iso(now), "links": links}


def severity(entry: dict, now: datetime) -> str | None:
    """ERROR, WARNING or None (nothing to report) for one link's recorded result."""
    outcome = entry.get("outcome")
    if outcome == BROKEN:
        return ERROR
    if outcome == UNREACHABLE:
        since = entry.get("failing_since")
        if since and now - datetime.fromisoformat(since.replace("Z", "+00:00")) >= BROKEN_AFTER:
            return ERROR
        return WARNING
    if outcome in (MOVED, BLOCKED, BUSY) or entry.get("busy"):
        return WARNING
    return None


HINTS = {
    BROKEN: "find where the page went on the publisher's site and put its new address here, "
            "or remove the link",
    MOVED: "put the new address here, after checking it is the same page",
    BLOCKED: "open the link in a browser: if the page is there, nothing needs doing; some "
             "sites refuse every automated checker",
    UNREACHABLE: "the site may be down for a while; it is checked again next time, and "
                 "reported as broken once it has failed for two weeks",
    BUSY: "nothing to do: it is checked again next time",
}


def report(used: dict[str, list[Use]], data: dict, problems: Problems, now: datetime, *,
           warn_only: bool = False) -> None:
    """Each failing or moved link, at every place it is used."""
    for url in sorted(used, key=lambda u: min((use.file.name, use.line or 0)
                                              for use in used[u])):
        entry = data["links"].get(url)
        if not entry:
            continue
        level = severity(entry, now)
        if level is None:
            continue
        outcome = BUSY if entry.get("busy") and entry["outcome"] in WORKED else entry["outcome"]
        message = entry.get("busy") if outcome == BUSY and entry.get("busy") else entry["message"]
        if outcome == UNREACHABLE and entry.get("failing_since"):
            message += f"; failing since {entry['failing_since'][:10]}"
        for use in used[url]:
            problems.add(use.file, use.line, use.column, f"{url}: {message}",
                         record=use.record, field=use.field, hint=HINTS[outcome],
                         severity=WARNING if warn_only else level, category="links")


def broken_since(entry: dict | None, now: datetime) -> date | None:
    """When a link that readers now meet as an error was checked (None if it worked, or its
    site may only be down for a while)."""
    if entry and severity(entry, now) == ERROR:
        return date.fromisoformat(entry["checked"][:10])
    return None


def summary(results: dict[str, Result]) -> str:
    counts = defaultdict(int)
    for result in results.values():
        counts[result.outcome] += 1
    words = {OK: "working", MOVED: "moved", BROKEN: "broken", BLOCKED: "turned the checker away",
             UNREACHABLE: "did not answer", BUSY: "asked to be checked later"}
    hosts = {(urlsplit(url).hostname or "").lower() for url in results}
    parts = [f"{counts[o]:,} {words[o]}" for o in (OK, MOVED, BROKEN, BLOCKED, UNREACHABLE, BUSY)
             if counts[o]]
    return (f"Checked {len(results):,} link(s) on {len(hosts):,} site(s): " +
            (", ".join(parts) or "none"))


def markdown(problems: Problems, line: str) -> str:
    """The report the weekly workflow opens as an issue."""
    out = ["# Link check", "", line, ""]
    for level, title in ((ERROR, "Broken: readers meet an error"),
                         (WARNING, "To look at")):
        items = [p for p in problems.sorted() if p.severity == level and p.category == "links"]
        if items:
            out += [f"## {title} ({len(items)})", ""]
            out += [f"- `{p.file}:{p.line}:{p.column}` {p.record}, {p.field}: {p.message}  \n"
                    f"  _{p.hint}_" for p in items]
            out.append("")
    return "\n".join(out)


# ---- last_verified -------------------------------------------------------------------------

_DAY = re.compile(r"""(['"]?)\d{4}-\d{2}-\d{2}\1""")


def verified_records(used: dict[str, list[Use]], data: dict) -> set[tuple[str, str]]:
    """Organizations and resources whose every link worked in this check."""
    links_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    for url, places in used.items():
        for use in places:
            if use.kind in VERIFIED:
                links_of[(use.kind, use.record)].append(url)
    return {record for record, urls in links_of.items()
            if all(data["links"].get(url, {}).get("outcome") == OK and
                   not data["links"][url].get("busy") for url in urls)}


def set_verified(file: Path, records: set[tuple[str, str]], today: date,
                 problems: Problems) -> list[tuple[str, str]]:
    """Set `last_verified: <today>` on `records` in `file`, changing nothing else in it: not a
    comment, a quote or a line end. The file is read again first, so edits made while the
    check ran are kept; a record whose date is already today or later is left alone."""
    from reunify.content.yamlsource import parse

    with open(file, encoding="utf-8", newline="") as handle:
        text = handle.read()
    doc = parse(text, file, problems)
    if doc is None or not isinstance(doc.data, dict):
        return []
    lines = text.splitlines(keepends=True)
    changed = []
    for kind in VERIFIED:
        for i, raw in enumerate(doc.data.get(kind) or []):
            if not isinstance(raw, dict) or (kind, raw.get("id")) not in records:
                continue
            position = doc.values.get((kind, i, "last_verified"))
            current = raw.get("last_verified")
            if position is None or (isinstance(current, date) and current >= today):
                continue
            line, column = position
            row = lines[line - 1]
            found = _DAY.match(row, column - 1)
            if not found:
                continue
            quote = found.group(1)
            lines[line - 1] = (row[:found.start()] + f"{quote}{today.isoformat()}{quote}" +
                               row[found.end():])
            changed.append((kind, raw["id"]))
    if changed:
        temporary = file.with_name(file.name + ".tmp")
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write("".join(lines))
        temporary.replace(file)
    return changed


def progress_printer(out=None):
    """A bar on a terminal (tqdm); on a log, a line every tenth of the way (on standard error,
    unless `out` says otherwise)."""
    out = out if out is not None else sys.stderr
    if out.isatty():
        from tqdm import tqdm

        bar = None

        def show(done, total):
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="link", file=out, dynamic_ncols=True)
            bar.update(1)
            if done == total:
                bar.close()
        return show

    def lines(done, total):
        step = max(1, total // 10)
        if done % step == 0 or done == total:
            print(f"  {done:,} of {total:,} links checked", file=out, flush=True)
    return lines
