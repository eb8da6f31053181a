from django.apps import AppConfig
from django.db.models.signals import post_delete


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring: screenshots and location (regional)"

    def ready(self) -> None:
        from .captures import remove_screenshot_files
        from .models import Screenshot

        # However a screenshot's row goes, its files follow after the commit.
        post_delete.connect(
            remove_screenshot_files, sender=Screenshot, dispatch_uid="monitoring-screenshot-files"
        )
