"""Requests to addresses partners give us (agencies' webhooks): resolved once, checked, and sent to the very
address that was checked (issue 23, item 6).

- **Resolve once, pin the connection.** :func:`resolve` looks the host up a single time and checks every
  address it gets; :func:`pinned_client` connects to the first of them whatever DNS says a moment later
  (a rebinding name cannot pass the check as one address and be reached as another). For https the
  certificate is still checked against the URL's host name (SNI), only the TCP connection is pinned.
- **Global addresses only** (production): not private, loopback, link-local, shared (100.64.0.0/10, which
  holds cloud metadata addresses such as 100.100.100.200), reserved, multicast or unspecified, and none
  of the IPv6 prefixes that lead back into IPv4 or elsewhere — IPv4-mapped, NAT64 (64:ff9b::/96 and
  64:ff9b:1::/48), 6to4 (2002::/16), Teredo (2001::/32). An IPv4 address written as one integer
  (``2130706433``) or in octal (``0177.0.0.1``) is resolved like any name and then checked as the address
  it is.
- **The sandbox** allows loopback only (its simulated agencies listen there), but never the ports of the
  stack's own services (the simulators with their ``/_admin`` paths, the web, Temporal) nor a path under
  ``/_admin`` or ``/_sandbox`` on any port.
- No proxy from the environment, no redirects: nothing sends the request anywhere but the checked address.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Prefixes that translate or tunnel to other addresses: what lies behind them is not what we checked.
TRANSLATING_PREFIXES = tuple(
    ipaddress.ip_network(n)
    for n in ("::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::/96")
)
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT; cloud metadata lives here
ADMIN_PATH_PREFIXES = ("/_admin", "/_sandbox")


def address_problem(address: IPAddress, sandbox: bool, forbidden_ports: frozenset[int], port: int) -> str | None:
    if sandbox:
        if not address.is_loopback:
            return "in the sandbox only loopback receivers (its simulated agencies listen there)"
        if port in forbidden_ports:
            return "the sandbox's own services (simulators, web, Temporal) do not receive webhooks"
        return None
    if isinstance(address, ipaddress.IPv6Address) and any(address in n for n in TRANSLATING_PREFIXES):
        return "IPv6 addresses that translate to other addresses (NAT64, 6to4, Teredo, IPv4-mapped) are refused"
    if address in SHARED_ADDRESS_SPACE or not address.is_global or address.is_multicast:
        return "private, loopback and reserved addresses are refused"
    return None


@dataclass(frozen=True)
class Resolved:
    url: httpx.URL
    address: str  # the one address the request will be sent to


class Refused(Exception):
    pass


def _lookup(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def resolve(url: str, sandbox: bool, forbidden_ports: frozenset[int] = frozenset()) -> Resolved:
    """The checked address to send ``url``'s request to, or :class:`Refused` with the reason. Blocking (DNS):
    run it in a thread."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise Refused("not a URL") from exc
    if parsed.scheme not in ("http", "https"):
        raise Refused("only http and https URLs")
    if not parsed.host:
        raise Refused("the URL has no host")
    if parsed.userinfo:
        raise Refused("no credentials in the URL: the secret signs the events")
    if any(parsed.path.lower().startswith(p) for p in ADMIN_PATH_PREFIXES):
        raise Refused("administrative paths do not receive webhooks")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = _lookup(parsed.host, port)
    if not addresses:
        raise Refused("the host does not resolve")
    for a in addresses:
        problem = address_problem(a, sandbox, forbidden_ports, port)
        if problem:
            raise Refused(problem)
    return Resolved(parsed, str(addresses[0]))


def url_problem(url: str, sandbox: bool, forbidden_ports: frozenset[int] = frozenset()) -> str | None:
    """Why ``url`` may not receive requests, or None (blocking: run it in a thread)."""
    try:
        resolve(url, sandbox, forbidden_ports)
    except Refused as refused:
        return str(refused)
    return None


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Opens every TCP connection to one address, whatever host the request names."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_tcp(
            self._address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise httpcore.ConnectError("no unix sockets for outbound requests")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, address: str) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=_PinnedBackend(address)
        )


def pinned_client(resolved: Resolved, timeout: httpx.Timeout) -> httpx.AsyncClient:
    """A client that sends to ``resolved.address`` only (the Host header and TLS name stay the URL's)."""
    return httpx.AsyncClient(
        transport=PinnedTransport(resolved.address), timeout=timeout, follow_redirects=False, trust_env=False
    )
