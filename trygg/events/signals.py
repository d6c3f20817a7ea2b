"""Every new collaboration starts with the EST categories.

Hook order for other apps: :func:`seed_new_collaboration` runs on ``post_save`` of
:class:`~trygg.accounts.models.Collaboration` (however it is created: admin, shell, demo,
tests), seeds the taxonomy, then sends :data:`categories_seeded`. Anything that needs the
categories of a new collaboration (e.g. the police type mappings of the imports app) should
listen to :data:`categories_seeded` rather than to ``post_save`` itself, so it never runs
before the categories exist.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from trygg.accounts.models import Collaboration

# Sent with ``collaboration`` (the new Collaboration) and ``created`` (how many categories were
# created) after the EST categories of a new collaboration were seeded.
categories_seeded = Signal()


@receiver(post_save, sender=Collaboration, dispatch_uid="trygg-events-seed-categories")
def seed_new_collaboration(sender, instance, created, raw=False, **kwargs):
    if not created or raw:  # fixtures (raw) bring their own categories
        return
    from .taxonomy import seed_categories

    count = seed_categories(instance)
    categories_seeded.send(Collaboration, collaboration=instance, created=count)
