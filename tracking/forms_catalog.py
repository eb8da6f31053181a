"""Forms for the catalog: clients, projects, tasks, tags, member rates and the list filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower

from workspaces.models import Membership, Workspace
from workspaces.regions import RegionalModel
from workspaces.validators import validate_single_line

from .models import (
    CLIENT_NAME_MAX,
    PROJECT_NAME_MAX,
    TAG_NAME_MAX,
    TASK_NAME_MAX,
    Client,
    Project,
    ProjectMember,
    Tag,
    Task,
)

PUBLIC, PRIVATE = "public", "private"


class NameField(forms.CharField):
    """A catalog name: trimmed, required, one line, at most Clockify's limit for its kind."""

    def __init__(self, max_length: int, noun: str, **kwargs: Any) -> None:
        super().__init__(
            max_length=max_length,
            strip=True,
            validators=[validate_single_line],
            error_messages={"required": f"Give the {noun} a name."},
            **kwargs,
        )


def rate_field(**kwargs: Any) -> forms.DecimalField:
    """An hourly rate: empty, or an amount of at least 0 with at most 2 decimals."""
    return forms.DecimalField(
        required=False,
        min_value=Decimal(0),
        # The model's 12 digits with 2 decimals: at most 10 digits before the point.
        max_digits=12,
        decimal_places=2,
        error_messages={"min_value": "A rate cannot be negative."},
        **kwargs,
    )


def find_same_name(rows: QuerySet, name: str, instance: RegionalModel | None) -> Any:
    """Return the row of `rows` named `name` whatever the case, other than `instance`."""
    # Lower() on both sides is exactly what the unique constraints compare, on every backend.
    same = rows.alias(lower_name=Lower("name")).filter(lower_name=Lower(Value(name)))
    if instance is not None:
        same = same.exclude(pk=instance.pk)
    return same.first()


class NamedRowForm(forms.Form):
    """Create or rename a client, tag or task: its name is unique in its scope, ignoring case."""

    model: type[RegionalModel]
    noun: str

    def __init__(
        self,
        data: Any = None,
        *,
        workspace: Workspace,
        instance: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.workspace = workspace
        self.instance = instance
        if instance is not None:
            self.initial.setdefault("name", instance.name)

    def scope(self) -> QuerySet:
        """The rows this one's name must differ from."""
        return self.model.objects.in_workspace(self.workspace)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # A project's name is unique per client: without a valid client there is no scope.
        if "name" in data and not self.has_error("client"):
            same = find_same_name(self.scope(), data["name"], self.instance)
            if same is not None:
                message = self.duplicate_message(same.name)
                if getattr(same, "archived", False):
                    message += " It is archived: restore it instead."
                self.add_error("name", message)
        return data

    def duplicate_message(self, name: str | None = None) -> str:
        """The error for a name already taken (also when a concurrent save took it)."""
        return f"There is already a {self.noun} named “{name or self.cleaned_data['name']}”."

    def extra_fields(self) -> dict[str, Any]:
        """Fields a new row gets besides its name."""
        return {}

    def save(self) -> Any:
        """Create the row, or rename the one being edited."""
        name = self.cleaned_data["name"]
        if self.instance is None:
            return self.model.objects.in_workspace(self.workspace).create(
                name=name, **self.extra_fields()
            )
        self.instance.name = name
        self.instance.save(update_fields=["name"])
        return self.instance


class ClientForm(NamedRowForm):
    """Create or rename a client; unique in the workspace."""

    model = Client
    noun = "client"
    name = NameField(CLIENT_NAME_MAX, "client", label="Client name")


class TagForm(NamedRowForm):
    """Create or rename a tag; unique in the workspace."""

    model = Tag
    noun = "tag"
    name = NameField(TAG_NAME_MAX, "tag", label="Tag name")


class TaskForm(NamedRowForm):
    """Create or rename a task; unique in its project."""

    model = Task
    noun = "task"
    name = NameField(TASK_NAME_MAX, "task", label="Task name")

    def __init__(self, data: Any = None, *, project: Project, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.project = project

    def scope(self) -> QuerySet:
        return super().scope().filter(project=self.project)

    def duplicate_message(self, name: str | None = None) -> str:
        return super().duplicate_message(name).rstrip(".") + " in this project."

    def extra_fields(self) -> dict[str, Any]:
        return {"project": self.project}


class ProjectForm(NamedRowForm):
    """Create or edit a project; private projects name the members who may use them."""

    model = Project
    noun = "project"

    name = NameField(PROJECT_NAME_MAX, "project", label="Project name")
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(),
        required=False,
        empty_label="No client",
        error_messages={"invalid_choice": "Choose one of this workspace's active clients."},
    )
    color = forms.CharField(
        label="Colour",
        max_length=7,
        initial=Project._meta.get_field("color").default,
        validators=Project._meta.get_field("color").validators,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    billable = forms.BooleanField(required=False, initial=True, label="Billable by default")
    hourly_rate = rate_field(
        label="Hourly rate",
        help_text="Leave empty to use each member's rate, else the workspace default.",
    )
    apply_rate_to_past = forms.BooleanField(
        required=False,
        label="Apply the rate to this project's past entries too",
        help_text="Otherwise a new rate applies only to time tracked from now on.",
    )
    visibility = forms.ChoiceField(
        label="Who can track time on it",
        choices=[
            (PUBLIC, "Public: every member of the workspace"),
            (PRIVATE, "Private: admins and the members chosen below"),
        ],
        initial=PUBLIC,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose public or private."},
    )
    members = forms.TypedMultipleChoiceField(
        label="Members of the private project",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose members of this workspace only."},
        help_text="Kept while the project is public, and used again if it becomes private.",
    )

    def __init__(self, data: Any = None, *, membership: Membership, **kwargs: Any) -> None:
        super().__init__(data, workspace=membership.workspace, **kwargs)
        self.membership = membership
        project = self.instance
        clients = Client.objects.in_workspace(self.workspace)
        # An archived client stays selectable for the project that already has it.
        allowed = Q(archived=False)
        if project is not None and project.client_id is not None:
            allowed |= Q(pk=project.client_id)
        self.fields["client"].queryset = clients.filter(allowed)
        self.fields["client"].label_from_instance = _client_label
        self.fields["members"].choices = [
            (m.user_id, f"{m.user.display_name} ({m.user.email})")
            for m in self.workspace.memberships.select_related("user")
        ]
        if project is None:
            del self.fields["apply_rate_to_past"]
        elif not self.is_bound:
            self.initial.update(
                client=project.client_id,
                color=project.color,
                billable=project.billable,
                hourly_rate=project.hourly_rate,
                visibility=PUBLIC if project.is_public else PRIVATE,
                members=list(self._member_rows(project).values_list("user_id", flat=True)),
            )

    def _member_rows(self, project: Project) -> QuerySet:
        return ProjectMember.objects.in_workspace(self.workspace).filter(project=project)

    def scope(self) -> QuerySet:
        return super().scope().filter(client=self.cleaned_data.get("client"))

    def duplicate_message(self, name: str | None = None) -> str:
        client = self.cleaned_data.get("client")
        where = f"for the client “{client.name}”" if client else "without a client"
        return super().duplicate_message(name).rstrip(".") + f" {where}."

    def clean_color(self) -> str:
        return self.cleaned_data["color"].lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        members = data.get("members")
        me = self.membership
        # A member who makes a project private keeps access to it: only admins see them all.
        private = data.get("visibility") == PRIVATE and members is not None
        if private and not me.is_admin and me.user_id not in members:
            # A new list: an empty selection is the field's shared `empty_value` list.
            data["members"] = [*members, me.user_id]
        return data

    def save(self) -> Project:
        """Save the project and its member list (call inside a regional transaction)."""
        data = self.cleaned_data
        values = {
            "name": data["name"],
            "client": data["client"],
            "color": data["color"],
            "billable": data["billable"],
            "hourly_rate": data["hourly_rate"],
            "is_public": data["visibility"] == PUBLIC,
        }
        if self.instance is None:
            project = Project.objects.in_workspace(self.workspace).create(**values)
        else:
            project = self.instance
            for field, value in values.items():
                setattr(project, field, value)
            project.save(update_fields=list(values))
        wanted = set(data["members"])
        rows = self._member_rows(project)
        rows.exclude(user_id__in=wanted).delete()
        missing = wanted - set(rows.values_list("user_id", flat=True))
        ProjectMember.objects.in_workspace(self.workspace).bulk_create(
            ProjectMember(project=project, user_id=user_id) for user_id in sorted(missing)
        )
        return project


def _client_label(client: Client) -> str:
    return f"{client.name} (archived)" if client.archived else client.name


class MemberRateForm(forms.Form):
    """A member's hourly rate; empty means the workspace default applies."""

    hourly_rate = rate_field(
        label="Hourly rate", widget=forms.NumberInput(attrs={"placeholder": "Default"})
    )
    apply_rate_to_past = forms.BooleanField(required=False, label="Apply to past entries too")


class CatalogFilterForm(forms.Form):
    """Which rows a catalog list shows: active, archived or all, optionally by name."""

    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("active", "Active"), ("archived", "Archived"), ("all", "All")],
        error_messages={"invalid_choice": "Choose active, archived or all."},
    )
    q = forms.CharField(
        label="Name contains",
        required=False,
        max_length=PROJECT_NAME_MAX,
        widget=forms.SearchInput,
    )

    def apply(self, rows: QuerySet) -> QuerySet:
        """Narrow `rows` by the filters; invalid filters leave the default (active rows)."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or "active"
        if status != "all":
            rows = rows.filter(archived=status == "archived")
        if data.get("q"):
            rows = rows.filter(name__icontains=data["q"])
        # Active rows first when both are shown, each group by name.
        return rows.order_by("archived", Lower("name"))

    # Not named after the fields: a template's `form.status` is the field itself.
    @property
    def shown(self) -> str:
        """The status whose rows are listed."""
        return (self.cleaned_data.get("status") if self.is_valid() else None) or "active"

    @property
    def search(self) -> str:
        """The name filter in use, if any."""
        return self.cleaned_data.get("q", "") if self.is_valid() else ""
