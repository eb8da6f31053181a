"""Data regions: the registry, the database router and the workspace-scoped QuerySet.

Every workspace picks one region when it is created. Everything that belongs to a workspace
lives in that region's database (aliases `us`, `eu`, `uk`, `au`); the directory (`default`)
holds accounts, workspaces and memberships. An app is either regional or directory, never
both, which keeps routing and migrations a matter of the app label.

The one way to reach regional rows is `Model.objects.in_workspace(ws)`, which picks the
region's database and filters by workspace. The router raises on any regional query that
did not come through it (or through a row already loaded from a region), so a forgotten
scope fails loudly instead of silently reading or writing the directory.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any

from django.core.files.storage import Storage, storages
from django.db import models

if TYPE_CHECKING:
    from .models import Workspace

# Apps whose models live in the region databases. Later regional apps join this set.
REGIONAL_APPS = frozenset({"tracking"})
DIRECTORY_ALIAS = "default"


class Region(models.TextChoices):
    """Where a workspace's data is stored; the value is the database alias."""

    US = "us", "USA"
    EU = "eu", "EU (Germany)"
    UK = "uk", "UK"
    AU = "au", "Australia"


REGION_ALIASES = tuple(Region.values)
# A new workspace bills in its region's currency until an admin says otherwise.
REGION_CURRENCIES = {Region.US: "USD", Region.EU: "EUR", Region.UK: "GBP", Region.AU: "AUD"}


def storage_for(workspace: Workspace) -> Storage:
    """Return the file storage of a workspace's region (a folder or a bucket there)."""
    return storages[f"region-{workspace.region}"]


class UnscopedRegionalQuery(RuntimeError):
    """A regional model was queried without a workspace to pick its region."""


def uuid7() -> uuid.UUID:
    """Return a time-ordered UUID (RFC 9562 version 7): unique across regions, index-friendly."""
    unix_ms = time.time_ns() // 1_000_000
    rand = secrets.randbits(74)
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76 | (rand >> 62) << 64
    value |= 0b10 << 62 | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def is_regional(model: type[models.Model] | models.Model) -> bool:
    """Tell whether a model's (or an instance's) rows live in the region databases."""
    # `_meta` rather than type(): instances may come wrapped, e.g. request.user.
    return model._meta.app_label in REGIONAL_APPS


class RegionRouter:
    """Send directory models to `default`; refuse regional queries that name no region."""

    def _db(self, model: type[models.Model], **hints: Any) -> str:
        if not is_regional(model):
            return DIRECTORY_ALIAS
        instance = hints.get("instance")
        db = getattr(getattr(instance, "_state", None), "db", None)
        if db in REGION_ALIASES:
            return db
        raise UnscopedRegionalQuery(
            f"{model._meta.label} is regional: reach it through "
            f"{model.__name__}.objects.in_workspace(workspace)."
        )

    db_for_read = _db
    db_for_write = _db

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool | None:
        if is_regional(obj1) != is_regional(obj2):
            return False
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        if app_label in REGIONAL_APPS:
            return db in REGION_ALIASES
        return db == DIRECTORY_ALIAS


class RegionalQuerySet(models.QuerySet):
    """A QuerySet that knows its workspace once `in_workspace` has scoped it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._workspace: Workspace | None = None

    def _clone(self) -> RegionalQuerySet:
        clone = super()._clone()
        clone._workspace = self._workspace
        return clone

    def in_workspace(self, workspace: Workspace) -> RegionalQuerySet:
        """Scope to one workspace: its region's database, its rows only."""
        qs = self.using(workspace.db_alias).filter(workspace_id=workspace.id)
        qs._workspace = workspace
        return qs

    def in_workspaces(self, workspaces: list[Workspace]) -> RegionalQuerySet:
        """Scope to several workspaces of one region (for lists that span workspaces)."""
        aliases = {workspace.db_alias for workspace in workspaces}
        if len(aliases) > 1:
            raise UnscopedRegionalQuery("in_workspaces() takes workspaces of one region only.")
        if not aliases:
            return self.none()
        return self.using(aliases.pop()).filter(workspace_id__in=[w.id for w in workspaces])

    def _require_workspace(self) -> Workspace:
        if self._workspace is None:
            raise UnscopedRegionalQuery(
                f"Create {self.model.__name__} rows through objects.in_workspace(workspace)."
            )
        return self._workspace

    def create(self, **kwargs: Any) -> models.Model:
        workspace = self._require_workspace()
        if kwargs.setdefault("workspace_id", workspace.id) != workspace.id:
            raise ValueError("A row cannot be created in another workspace's scope.")
        return super().create(**kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[models.Model]:
        workspace = self._require_workspace()
        objs = list(objs)
        for obj in objs:
            if obj.workspace_id is None:
                obj.workspace_id = workspace.id
            elif obj.workspace_id != workspace.id:
                raise ValueError("A row cannot be created in another workspace's scope.")
        return super().bulk_create(objs, *args, **kwargs)


class RegionalModel(models.Model):
    """Base of every regional model: a time-ordered UUID key and a plain workspace id."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # A plain column, not a foreign key: the workspace lives in the directory database.
    workspace_id = models.UUIDField(db_index=True, editable=False)

    objects = RegionalQuerySet.as_manager()

    class Meta:
        abstract = True
