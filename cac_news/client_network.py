"""Client addresses kept only as networks: a /24 for IPv4, a /48 for IPv6."""

from __future__ import annotations

import ipaddress


def truncate_ip(address: str | None) -> str | None:
    """`192.0.2.57` -> `192.0.2.0/24`, `2001:db8:1:2::5` -> `2001:db8:1::/48`."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
