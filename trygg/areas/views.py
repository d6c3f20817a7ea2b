from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from trygg.core.decorators import with_collaboration

from .models import Area


@login_required
@with_collaboration
def area_list(request, collaboration):
    areas = Area.objects.filter(collaboration=collaboration).select_related("type", "parent")
    return render(request, "areas/area_list.html", {"areas": areas, "collaboration": collaboration})
