from django.conf import settings


def trygg(request):
    user = getattr(request, "user", None)
    collaborations = user.collaborations() if user is not None and user.is_authenticated else []
    return {
        "trygg_collaborations": collaborations,
        "trygg_collaboration": collaborations[0] if collaborations else None,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
