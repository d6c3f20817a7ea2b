"""Event pages (interim: replaced by the full web interface)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from trygg.core.decorators import with_collaboration


@login_required
@with_collaboration
def report(request, collaboration):
    return HttpResponse("report")


@login_required
@with_collaboration
def event_list(request, collaboration):
    return HttpResponse("list")


@login_required
@with_collaboration
def event_map(request, collaboration):
    return HttpResponse("map")


@login_required
@with_collaboration
def detail(request, collaboration, event_uuid):
    return HttpResponse("detail")
