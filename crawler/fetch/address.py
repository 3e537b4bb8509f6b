"""Which address a request may go to: private, loopback and other non-public addresses are
refused after resolution, and the request is pinned to the address that was checked (so DNS
rebinding cannot move it). Pure decisions, and the default resolver."""

from __future__ import annotations

import asyncio
import ipaddress
import socket


def refused_address(ip: str) -> str | None:
    """Why `ip` must not be fetched from (None when it is a public unicast address)."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if addr.version == 6:
        # An IPv4 address carried inside an IPv6 one (mapped, 6to4, Teredo's client) is judged as
        # itself: 2002:7f00:1:: is 127.0.0.1 to a host that routes 6to4.
        inner = addr.ipv4_mapped or addr.sixtofour or (addr.teredo[1] if addr.teredo else None)
        if inner is not None:
            addr = inner
    for attr in ("is_loopback", "is_unspecified", "is_link_local", "is_multicast", "is_private", "is_reserved"):
        if getattr(addr, attr):
            return attr[3:].replace("_", "-")
    if not addr.is_global:
        return "not globally routable"
    return None


def choose_address(addresses: list[str], allow_private: bool) -> tuple[str | None, str]:
    """Pick the address to connect to; (None, why) when every one is refused. IPv4 first."""
    ordered = sorted(dict.fromkeys(addresses), key=lambda a: ":" in a)
    if not ordered:
        return None, "name resolved to no address"
    if allow_private:
        return ordered[0], ""
    reasons = []
    for addr in ordered:
        why = refused_address(addr)
        if why is None:
            return addr, ""
        reasons.append(f"{addr} is {why}")
    return None, "; ".join(reasons)


async def default_resolve(host: str) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    # An IPv4 or IPv6 sockaddr starts with the address as text (only AF_CAN and such hold ints).
    return [str(info[4][0]) for info in infos]
