"""Which address a request comes from, for the per-address rate limits.

Behind a proxy every request arrives from the proxy, which appends the address
it saw to `X-Forwarded-For`. Everything left of that is whatever the client
chose to send, so the address counted is the *rightmost* one that is not a
trusted proxy: walking from the right, trusted hops are skipped and the first
other address is the client. A client can prepend as many made-up addresses as
it likes; they are never reached.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    """Addresses or networks whose `X-Forwarded-For` is believed; `*` trusts every hop."""

    networks: tuple[IpNetwork, ...] = ()
    everyone: bool = False

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """“127.0.0.1, 10.0.0.0/8” → those; “*” → every hop; “” → none."""
        items = [item.strip() for item in text.split(",") if item.strip()]
        if "*" in items:
            return cls(everyone=True)
        try:
            return cls(tuple(ipaddress.ip_network(item, strict=False) for item in items))
        except ValueError as exc:
            raise ValueError(f"“{text}” is not a list of addresses or networks") from exc

    def trusts(self, address: str) -> bool:
        if self.everyone:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: TrustedProxies) -> str:
    """The rightmost untrusted address among the peer and its `X-Forwarded-For` hops."""
    if peer is None:
        return "unknown"
    if not trusted.trusts(peer):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not trusted.trusts(hop):
            return hop[:64]  # a made-up hop is never stored longer than an address
    return peer  # only trusted hops: the request came from the proxy itself
