"""The client's address: the one place that reads REMOTE_ADDR and X-Forwarded-For."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the client's address as the outermost of TRUSTED_PROXY_COUNT proxies saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        # Without a proxy of ours in front, X-Forwarded-For is whatever the client wrote.
        return remote
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    # Each trusted proxy appends the address it saw, so the client is `count` from the end;
    # anything further left was written by the client. Fewer hops means the request did not
    # come through our proxies, and then REMOTE_ADDR is the client itself.
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
