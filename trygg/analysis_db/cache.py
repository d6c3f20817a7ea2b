"""Results cached per (analysis, parameters, caller's visibility, data version).

The key holds the collaboration's data version (bumped by every event write, edit and
delete, see :mod:`.counts`), a digest of its areas (geometry edits change ``updated_at``) and
categories (names appear in results), the caller's :attr:`Scope.key` (never the user: two
partners with the same rights share entries, a coordinator and a partner never do) and the
language. An entry can therefore never be served after the data it was computed from changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import get_language

from trygg.areas.models import Area
from trygg.events.models import Category

from .counts import data_version
from .scope import Scope

TIMEOUT = 6 * 3600
STATS = {"hits": 0, "misses": 0}


def _reference_digest(collaboration_id: int) -> str:
    areas = Area.objects.filter(collaboration_id=collaboration_id).aggregate(n=Count("pk"), at=Max("updated_at"))
    cats = list(Category.objects.filter(collaboration_id=collaboration_id).order_by("pk")
                .values_list("pk", "code", "name_sv", "name_en", "parent_id", "is_active"))
    return hashlib.sha256(json.dumps([areas["n"], str(areas["at"]), cats], default=str).encode()).hexdigest()[:16]


def cache_key(analysis: str, scope: Scope, params: dict[str, Any]) -> str:
    parts = [analysis, scope.collaboration_id, data_version(scope.collaboration_id),
             _reference_digest(scope.collaboration_id), scope.key, get_language() or "", params]
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"trygg:analysis:{digest}"


def cached(analysis: str, scope: Scope, params: dict[str, Any], compute: Callable[[], Any]) -> Any:
    key = cache_key(analysis, scope, params)
    hit = cache.get(key)
    if hit is not None:
        STATS["hits"] += 1
        return hit
    STATS["misses"] += 1
    value = compute()
    cache.set(key, value, TIMEOUT)
    return value
