"""Which addresses the harbor may connect to on someone's behalf. Plain Python: no Django.

The ingest fetcher (sources) and webhook deliveries both connect to addresses that people
give the harbor, so both refuse addresses that are not public (loopback, private,
link-local, multicast, reserved, and IPv4 addresses hidden in IPv6 ones) unless the
operator allow-lists them. The check is made on the address each TCP connection actually
goes to, after DNS, and the connection is made to that address: a name that resolves to a
public address when it is checked and to 127.0.0.1 a moment later (DNS rebinding) still only
reaches the address that was checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# IPv6 prefixes that carry an IPv4 address a gateway would reach on our behalf.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_allowed(address: str, allowed: Iterable[Network] = ()) -> bool:
    """Whether a connection may go to ``address`` (an IP address as text)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) aside
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip in network for network in allowed):
        return True
    return ip.is_global and not ip.is_multicast


def address_listed(address: str, allowed: Iterable[Network]) -> bool:
    """Whether ``address`` is in one of the operator's ``allowed`` networks (not merely
    public): plain http is only for such addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in allowed)


class AddressRefused(Exception):
    """Raised inside the connection: the host resolves only to addresses not allowed."""

    def __init__(self, host: str, addresses: list[str]) -> None:
        super().__init__(host)
        self.host = host
        self.addresses = addresses


class Unresolvable(Exception):
    def __init__(self, host: str, reason: str) -> None:
        super().__init__(host)
        self.host = host
        self.reason = reason


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order (``Unresolvable`` if
    none)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unresolvable(host, str(error)) from error
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def usable_addresses(host: str, addresses: list[str], allowed: Iterable[Network]) -> list[str]:
    """The ``addresses`` of ``host`` that may be reached; ``AddressRefused`` if none."""
    allowed = tuple(allowed)
    usable = [address for address in addresses if address_allowed(address, allowed)]
    if not usable:
        raise AddressRefused(host, addresses)
    return usable


class GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, checks every address, and connects to an allowed one by
    address, so what was checked is what is reached (no second DNS lookup to rebind)."""

    def __init__(self, allowed: tuple[Network, ...]) -> None:
        self._allowed = allowed

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        usable = usable_addresses(host, resolve(host, port), self._allowed)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in usable:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None  # noqa: S101 - usable is not empty
        raise failure


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, allowed: tuple[Network, ...]) -> None:
        super().__init__(trust_env=False)
        # httpx offers no way to hand its connection pool a network backend: the pool is
        # built again, with httpx's defaults, around the guarded one. Every TCP connection
        # of this transport then passes through GuardedBackend.connect_tcp.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=5,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(allowed),
        )
