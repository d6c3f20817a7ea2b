"""A small per-IP rate limit in the cache, for the login and password-reset forms.

Fixed one-minute windows: cheap and good enough to slow down password guessing from one
address (django-axes separately locks the *account* after repeated failures).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .middleware import client_ip


def _now() -> float:  # patched in tests to stay inside one window
    return time.time()


def hit(scope: str, request, limit: int | None = None) -> bool:
    """Count one attempt; True when this address is over the limit for the current minute."""
    limit = settings.LOGIN_RATE_LIMIT_PER_MINUTE if limit is None else limit
    if limit <= 0:
        return False
    window = int(_now() // 60)
    key = f"trygg:rate:{scope}:{client_ip(request) or 'unknown'}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit


def limited_response(request):
    response = render(request, "accounts/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


def rate_limited(scope: str):
    """Decorator: refuse POSTs over the per-minute limit with a 429 page."""

    def decorate(view):
        from functools import wraps

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and hit(scope, request):
                return limited_response(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
