"""History rows always name their event (by uuid) and collaboration; a separate migration from
the back-fill so that PostgreSQL alters the table in a transaction without pending row updates."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0003_history_survives_deletion"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eventhistory",
            name="event_uuid",
            field=models.UUIDField(db_index=True, verbose_name="event id"),
        ),
        migrations.AlterField(
            model_name="eventhistory",
            name="collaboration",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="accounts.collaboration"),
        ),
    ]
