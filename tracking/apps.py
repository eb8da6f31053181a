from typing import Any

from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Time tracking (regional)"

    def ready(self) -> None:
        # The directory sends these and imports nothing of tracking (workspaces/signals.py).
        from workspaces import signals

        signals.member_removed.connect(
            _forget_project_places, dispatch_uid="tracking.forget_project_places"
        )
        signals.default_rate_applied_to_past.connect(
            _apply_default_rate, dispatch_uid="tracking.apply_default_rate"
        )


def _forget_project_places(sender: Any, workspace: Any, user_id: int, **kwargs: Any) -> None:
    """A member who left loses their places on private projects: rejoining grants none."""
    from .models import ProjectMember

    ProjectMember.objects.in_workspace(workspace).filter(user_id=user_id).delete()


def _apply_default_rate(sender: Any, workspace: Any, **kwargs: Any) -> int:
    """Give past entries covered by no project or member rate the workspace's new default."""
    from .services import apply_workspace_rate_to_past_entries

    return apply_workspace_rate_to_past_entries(workspace)
