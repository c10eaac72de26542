"""Fetching from the internet on the editors' behalf, never from this machine or its network.

Partner feeds (`reunify feeds refresh`) and outbound links (`reunify links check`) come from
content anyone may have edited: an address, or a redirect, could point at this computer or at a
private network. Every connection resolves the host itself and refuses any address that is not
on the public internet, before connecting, and connects to the address it checked.
"""
from __future__ import annotations

import ipaddress
import socket

import requests
import requests.adapters
import urllib3

__all__ = ["AddressRefused", "public_address", "any_address", "guarded_session"]


class AddressRefused(Exception):
    """A feed's address (or a redirect) leads to this machine or a private network. Not an
    OSError, so that urllib3 and requests let it through with its message."""


def public_address(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local,
    shared, reserved, multicast or documentation, including IPv4 written as IPv6."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def any_address(address: str) -> bool:
    return True


class _Guarded:
    """A urllib3 connection that resolves the host itself, refuses it if any address it has
    is not allowed, and connects to the addresses it checked (so that a second look-up cannot
    answer differently)."""

    allowed = staticmethod(public_address)

    def _new_conn(self):
        host = self._dns_host.strip("[]")
        try:
            found = socket.getaddrinfo(host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise urllib3.exceptions.NameResolutionError(host, self, exc) from None
        addresses = list(dict.fromkeys(info[4][0] for info in found))
        refused = [address for address in addresses if not self.allowed(address)]
        if refused:
            raise AddressRefused(f"{self.host} is a private or special address ({refused[0]}); "
                                 "only public addresses are fetched")
        error = None
        for address in addresses:
            self._dns_host = address
            try:
                return super()._new_conn()
            except urllib3.exceptions.HTTPError as exc:
                error = exc
            finally:
                self._dns_host = host
        raise error


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, allowed, connections: int = 10):
        self.allowed = allowed
        super().__init__(max_retries=0, pool_connections=connections, pool_maxsize=connections)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        rule = {"allowed": staticmethod(self.allowed)}
        pools = {}
        for scheme, pool in (("http", urllib3.HTTPConnectionPool),
                             ("https", urllib3.HTTPSConnectionPool)):
            connection = type(f"Guarded{pool.ConnectionCls.__name__}",
                              (_Guarded, pool.ConnectionCls), rule)
            pools[scheme] = type(f"Guarded{pool.__name__}", (pool,), {"ConnectionCls": connection})
        self.poolmanager.pool_classes_by_scheme = pools


def guarded_session(allowed=public_address, *, connections: int = 10) -> requests.Session:
    """A requests session whose every connection `allowed` approves, with no proxy taken from
    the environment (the rule is for the address asked for)."""
    session = requests.Session()
    session.trust_env = False
    for scheme in ("http://", "https://"):
        session.mount(scheme, _GuardedAdapter(allowed, connections))
    return session
