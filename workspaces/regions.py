"""The region kernel: the only code that knows which database holds a workspace's data.

Every workspace picks one region when it is created. Everything that belongs to a workspace
lives in that region's database (aliases `us`, `eu`, `uk`, `au`); the directory (`default`)
holds accounts, workspaces and memberships.

- Declaration: a model is regional because it is a `RegionalModel` (a UUID key and a plain
  `workspace_id`); routing and migrations follow the model class, whatever its app.
- One door for the ORM: `Model.objects.in_workspace(ws)` picks the region's database and
  filters by workspace. The router raises on any regional query that did not come through
  it (or through a row already loaded from a region), and `.using()` on a regional QuerySet
  raises, so a forgotten scope fails loudly instead of silently reading another database.
- One door for raw SQL and COPY: `regional_cursor(ws)`.
- A registry of a workspace's data: `regional_models()` in dependency order and
  `workspace_prefixes(ws)`, for whatever copies or deletes a whole workspace.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import TYPE_CHECKING, Any, cast

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, storages
from django.db import OperationalError, connections, models
from django.db.backends.utils import CursorWrapper

if TYPE_CHECKING:
    from .models import Workspace

DIRECTORY_ALIAS = "default"
# The region whose row Django is checking against its constraints (validate_constraints),
# which queries with `_default_manager.using(alias)`.
_checking_row_in: ContextVar[str | None] = ContextVar("checking_row_in", default=None)


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
    return region_storage(workspace.region)


def region_storage(region: str) -> Storage:
    """Return a region's file storage, for files about a person rather than a workspace
    (their archives, their files erased across workspaces)."""
    return storages[f"region-{region}"]


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
    return issubclass(model._meta.concrete_model or model._meta.model, RegionalModel)


def _migrated_model(app_label: str, model_name: str | None, hints: dict) -> type | None:
    """The app's current model class a migration operation is about, if it names one.

    Migrations hand the router historical models, rebuilt without their abstract bases, so
    the declaration is read from the model class the app has today.
    """
    model = hints.get("model")
    name = model._meta.model_name if model is not None else model_name
    if name is None:
        return None
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None  # a model a later migration removed


def _app_is_regional(app_label: str) -> bool:
    """For an operation that names no model: where the app's models live, if all agree."""
    try:
        app_models = apps.get_app_config(app_label).get_models(include_auto_created=True)
    except LookupError:
        return False
    kinds = {is_regional(model) for model in app_models}
    if len(kinds) > 1:
        raise ImproperlyConfigured(
            f"{app_label} has directory and regional models: give each RunPython or RunSQL "
            'of its migrations hints={"model_name": ...} to say which database it is for.'
        )
    return kinds == {True}


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
        model = _migrated_model(app_label, model_name, hints)
        regional = is_regional(model) if model is not None else _app_is_regional(app_label)
        if regional:
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

    def using(self, alias: str | None) -> RegionalQuerySet:
        """Refuse to pick a database by hand: `in_workspace` is the way into a region.

        Django's own callers are let through when they change nothing or stay with a row's
        database: `using(None)` leaves the choice to the router (which refuses an unscoped
        query itself), `using()` of the database already chosen keeps it (`bulk_update`),
        and a related manager reaches the relatives of a row already loaded from that very
        database (`entry.tags.all()`, prefetching), which the router allows for that reason;
        so may a loaded row's constraint checks (`RegionalModel.validate_constraints`).
        """
        instance = self._hints.get("instance")
        loaded_from = getattr(getattr(instance, "_state", None), "db", None)
        if alias is not None and alias not in (self._db, loaded_from, _checking_row_in.get()):
            raise UnscopedRegionalQuery(
                f"{self.model.__name__}.objects.using({alias!r}) has no workspace: reach "
                f"it through {self.model.__name__}.objects.in_workspace(workspace)."
            )
        return super().using(alias)

    def _scoped(self, alias: str) -> RegionalQuerySet:
        return super().using(alias)

    def in_workspace(self, workspace: Workspace) -> RegionalQuerySet:
        """Scope to one workspace: its region's database, its rows only."""
        qs = self._scoped(workspace.db_alias).filter(workspace_id=workspace.id)
        qs._workspace = workspace
        return qs

    def across_region(self, region: str) -> RegionalQuerySet:
        """Every workspace's rows in one region: for work about a person rather than a
        workspace (finding and erasing what is stored about them). Filter it by person."""
        if region not in REGION_ALIASES:
            raise ValueError(f"No region {region!r}.")
        return self._scoped(region)

    def in_workspaces(self, workspaces: list[Workspace]) -> RegionalQuerySet:
        """Scope to several workspaces of one region (for lists that span workspaces)."""
        aliases = {workspace.db_alias for workspace in workspaces}
        if len(aliases) > 1:
            raise UnscopedRegionalQuery("in_workspaces() takes workspaces of one region only.")
        if not aliases:
            return self.none()
        return self._scoped(aliases.pop()).filter(workspace_id__in=[w.id for w in workspaces])

    @property
    def workspace(self) -> Workspace:
        """The workspace `in_workspace` scoped this QuerySet to."""
        return self._require_workspace()

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

    # Labels of the models whose rows the database itself derives this one's from (e.g. by
    # triggers): the registry copies and deletes it after them (see regional_models).
    derived_from: tuple[str, ...] = ()
    # Columns holding the directory id of the person a row is about (their entry, their
    # screenshot): deleting that person's account deletes the row (privacy/erasure.py).
    person_fields: tuple[str, ...] = ()
    # Columns naming a person who acted on the workspace or on someone else's data (who
    # changed a switch, who looked at a capture): deleting that person's account empties
    # the column and keeps the row, so the action stays on record without the person.
    actor_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def stored_files(self) -> list[str]:
        """Names of this row's files in the region's storage, deleted with the row when it
        is deleted on its own (a person's erasure); a whole workspace's files go by prefix."""
        return []

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        """Check the constraints as Django does, in the region the row was loaded from."""
        # Django's checks pick the database themselves (router.db_for_write, which refuses
        # a row that came from no region) and query it with `.using()`.
        token = _checking_row_in.set(self._state.db)
        try:
            super().validate_constraints(exclude=exclude)
        finally:
            _checking_row_in.reset(token)


@contextmanager
def regional_cursor(workspace: Workspace) -> Iterator[CursorWrapper]:
    """Yield a cursor of the workspace's region database: the one door for raw SQL and COPY.

    The SQL run on it must itself keep to the workspace's rows (`WHERE workspace_id = %s`).
    `cursor.db` is the region's connection, for its vendor and transaction state;
    `cursor.cursor` is the driver's own cursor (psycopg's, for COPY).
    """
    with connections[workspace.db_alias].cursor() as cursor:
        yield cursor


def truncate_sqlite_log(alias: str) -> bool:
    """Write a SQLite database's log into its file and empty the log, so no copy of pages
    deleted (and, with `secure_delete`, overwritten) stays in it; False if it could not be
    emptied now (inside a transaction, or another connection reading). PostgreSQL: True."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return True
    if connection.in_atomic_block:  # a checkpoint waits for the transaction's end
        return False
    with connection.cursor() as cursor:
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except OperationalError:  # another connection holds a lock
            return False
        return cursor.fetchone()[0] == 0  # 1: readers kept part of the log


def region_vendor(workspace: Workspace) -> str:
    """Name the database engine of the workspace's region: "postgresql" or "sqlite"."""
    return connections[workspace.db_alias].vendor


def drop_region_connection(workspace: Workspace) -> None:
    """Close this thread's connection to the workspace's region, e.g. after it broke mid-stream."""
    connections[workspace.db_alias].close()


def regional_models(*, deleting: bool = False) -> list[type[RegionalModel]]:
    """Every regional model, in the order a whole workspace is copied, or deleted.

    Copying: parents before children (by their foreign keys). Deleting: children before
    parents. Either way a model derived from others (`RegionalModel.derived_from`) comes
    after them: a copy then replaces what the database derived while the sources were
    copied, and a deletion removes what it derived while they were deleted. Derived from
    the declarations: a new `RegionalModel` is listed without anyone adding it here.
    """
    regional = sorted(
        (model for model in apps.get_models() if is_regional(model)),
        key=lambda model: model._meta.label,
    )
    graph: dict[type[RegionalModel], set[type[RegionalModel]]] = {m: set() for m in regional}
    for model in regional:
        for parent in _parents(model):
            graph[parent if deleting else model].add(model if deleting else parent)
        graph[model].update(apps.get_model(label) for label in model.derived_from)
    return list(TopologicalSorter(graph).static_order())


def _parents(model: type[models.Model]) -> set[type[RegionalModel]]:
    return {
        field.related_model
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.related_model is not model
        and is_regional(field.related_model)
    }


@dataclass(frozen=True)
class WorkspaceCopy:
    """A workspace's data as held by one region, whichever region the directory names.

    Passed where a Workspace goes (`in_workspace`, `regional_cursor`, `storage_for`,
    `workspace_prefixes`) by whatever copies or deletes a whole workspace in a region that
    is not, or not yet, its own: moving it (workspaces/moving.py).
    """

    id: uuid.UUID
    region: str

    @property
    def db_alias(self) -> str:
        return self.region


def copy_in(workspace: Workspace | WorkspaceCopy, region: str) -> Workspace:
    """The workspace's rows and files in `region` (see WorkspaceCopy)."""
    if region not in REGION_ALIASES:
        raise ValueError(f"No region {region!r}.")
    return cast("Workspace", WorkspaceCopy(workspace.id, region))


def workspace_prefixes(workspace: Workspace) -> list[tuple[Storage, str]]:
    """Every (storage, prefix) under which a workspace's files are kept.

    The convention: a workspace's files go to its region's storage under `<workspace id>/`.
    """
    return [(storage_for(workspace), f"{workspace.id}/")]
