"""Analyst page placeholder: the analysis is served by the API and the CLI."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from trygg.core.decorators import with_collaboration


@login_required
@with_collaboration
def index(request, collaboration):
    return render(request, "analysis_db/index.html", {"collaboration": collaboration})
