"""Publishing a week: freeze numbers, texts, charts and map, store every variant's HTML and PDF.

A version is never re-rendered: the pages and the PDF serve the bytes stored here, so a version
reads the same a month later whatever events arrive meanwhile. A later publication of the same
week is version n+1 and must carry a change note; earlier versions stay as they were.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.accounts import audit

from .models import PublishedDocument, PublishedVersion, Variant, WeekPicture
from .render import languages, render_fragment, render_pdf, render_print
from .service import document, meeting_parts, variant_numbers


class PublishError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _search_text(parts: dict) -> str:
    texts = [a["text"] for a in parts["assessments"] if a["text"]]
    texts += [d["text"] for d in parts["decisions"]] + list(parts["priorities"])
    return "\n".join(texts)


def publish(picture: WeekPicture, user=None, *, change_note: str = "", send: bool = True) -> PublishedVersion:
    change_note = (change_note or "").strip()
    has_versions = picture.versions.exists()
    if has_versions and not change_note:
        raise PublishError({"change_note": _("change_note: describe what changed since the previous version.")})
    numbers = {Variant.FULL: variant_numbers(picture, Variant.FULL)}
    numbers[Variant.PARTNER] = variant_numbers(picture, Variant.PARTNER)
    numbers[Variant.FEEDBACK] = numbers[Variant.PARTNER]
    parts = meeting_parts(picture)
    now = timezone.now()
    with transaction.atomic():
        locked = WeekPicture.objects.select_for_update().get(pk=picture.pk)
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        meta = {"number": number, "published_at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
                "change_note": change_note}
        docs = {v: document(locked, v, numbers[v], parts, meta) for v in Variant.values}
        version = PublishedVersion.objects.create(
            picture=locked, number=number, published_at=now, published_by=user, change_note=change_note,
            snapshots={v: d for v, d in docs.items()}, search_text=_search_text(parts))
        for variant, doc in docs.items():
            for lang in languages():
                fragment = render_fragment(doc, lang)
                html = render_print(doc, lang, fragment)
                PublishedDocument.objects.create(version=version, variant=variant, language=lang,
                                                 fragment=fragment, html=html)
        WeekPicture.objects.filter(pk=locked.pk).update(draft=numbers[Variant.FULL], drafted_at=now)
        audit.record("create", version, actor=user, collaboration=locked.collaboration,
                     detail={"week": locked.week_label, "number": number})
        from .tasks import finish_publication

        transaction.on_commit(lambda: finish_publication.enqueue(version.pk, send))
    return version


def document_pdf(doc: PublishedDocument) -> bytes:
    """The stored PDF of a published document; rendered once from its stored HTML if the background
    task has not done so yet (then stored, so every later request gets the same bytes)."""
    if doc.pdf is None:
        pdf = render_pdf(doc.html)
        PublishedDocument.objects.filter(pk=doc.pk, pdf__isnull=True).update(pdf=pdf)
        doc.refresh_from_db(fields=["pdf"])
    return bytes(doc.pdf)


def render_pdfs(version: PublishedVersion) -> int:
    """Render the PDFs of a version in the site's default language (what the e-mails point to); the
    other languages are rendered from their stored HTML on first request."""
    from django.conf import settings

    done = 0
    for doc in version.documents.filter(pdf__isnull=True, language=settings.LANGUAGE_CODE[:2]).order_by("variant"):
        document_pdf(doc)
        done += 1
    return done
