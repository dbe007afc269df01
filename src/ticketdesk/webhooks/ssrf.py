"""Webhook targets: http(s) only, never private, loopback, link-local or metadata addresses.

The host is resolved once per delivery and the connection goes to the address that was
checked (the `Host` header and TLS SNI keep the name), so DNS rebinding cannot slip between
the check and the request. `TICKETDESK_WEBHOOK_ALLOW_PRIVATE=true` allows private, loopback and
link-local receivers (tests, on-premise); cloud metadata addresses stay refused regardless.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("192.0.0.192"),  # Oracle Cloud
}


class TargetRefused(Exception):  # noqa: N818 - a verdict, not a crash
    """The URL may not be used as a webhook target."""


def parse_url(url: str) -> SplitResult:
    """Check the URL's shape: http(s), a host, no fragment."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise TargetRefused("The URL is not valid.") from exc
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("Only http and https URLs can receive webhooks.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if any(ch in url for ch in "\x00\r\n\t "):
        raise TargetRefused("The URL contains whitespace or control characters.")
    return parts


def _unwrap(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64 embeds an IPv4 address
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def check_address(ip: IPAddress, *, allow_private: bool) -> None:
    """Raise TargetRefused unless `ip` is a public unicast address (or private ones are allowed)."""
    ip = _unwrap(ip)
    if ip in METADATA_ADDRESSES:
        raise TargetRefused(f"{ip} is a cloud metadata address.")
    if ip.is_unspecified or ip.is_multicast:
        raise TargetRefused(f"{ip} is not a unicast address.")
    if allow_private:
        return
    if ip.is_loopback:
        raise TargetRefused(f"{ip} is a loopback address.")
    if ip.is_link_local:
        raise TargetRefused(f"{ip} is a link-local address.")
    if ip.is_private or not ip.is_global:
        raise TargetRefused(f"{ip} is a private or reserved address.")


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class Target:
    url: str  # with the checked address in place of the host name
    host_header: str
    sni_hostname: str | None


async def resolve_target(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host once, check every address, and pin the connection to the first."""
    parts = parse_url(url)
    host = parts.hostname
    assert host is not None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = literal_address(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not addresses:
            raise OSError(f"{host} does not resolve")
    for address in addresses:
        check_address(address, allow_private=allow_private)
    pinned = _unwrap(addresses[0])
    netloc_host = f"[{pinned}]" if pinned.version == 6 else str(pinned)
    netloc = f"{netloc_host}:{port}"
    default_port = (parts.scheme == "https" and port == 443) or (
        parts.scheme == "http" and port == 80
    )
    host_header = host if default_port else f"{host}:{port}"
    if ":" in host and literal is not None and pinned.version == 6:
        host_header = f"[{host}]" if default_port else f"[{host}]:{port}"
    pinned_url = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    sni = host if parts.scheme == "https" and literal is None else None
    return Target(pinned_url, host_header, sni)
