from django.db import models


class ScheduledRun(models.Model):
    """When each periodic job last ran, so several workers and restarts never double-run it."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
