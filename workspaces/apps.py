from typing import Any

from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Directory: people and workspaces"

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_reset

        for signal in (password_changed, password_reset):
            signal.connect(_revoke_api_keys, dispatch_uid="workspaces.revoke_api_keys")


def _revoke_api_keys(sender: Any, user: Any, **kwargs: Any) -> None:
    """Revoke the API keys of someone whose password was changed or reset."""
    from .services import revoke_api_keys

    revoke_api_keys(user)
