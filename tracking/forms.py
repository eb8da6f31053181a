"""Forms for the timer, manual entries and inline edits; all rules of an entry live here."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Prefetch

from workspaces.models import Membership, Workspace

from . import rules
from .durations import MAX_DURATION, DurationError, parse_duration
from .models import DESCRIPTION_MAX, Project, Tag, Task, TimeEntry
from .services import EntryDetails

BILLABLE_CHOICES = [("", "Project default"), ("yes", "Billable"), ("no", "Non-billable")]


class DayField(forms.DateField):
    """A date that a page, a filter or an address may name (tracking.rules.day_in_range)."""

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is not None and not rules.day_in_range(value):
            raise forms.ValidationError(rules.DAY_RANGE_MESSAGE, code="out_of_range")


class EntryDetailsForm(forms.Form):
    """What an entry is about: description, project or task, tags, billable."""

    description = forms.CharField(
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.TextInput(attrs={"placeholder": "What are you working on?"}),
    )
    project_task = forms.ChoiceField(
        label="Project",
        required=False,
        error_messages={"invalid_choice": "Choose one of this workspace's active projects."},
    )
    tags = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose tags of this workspace only."},
    )
    billable = forms.ChoiceField(choices=BILLABLE_CHOICES, required=False)

    def __init__(
        self,
        *args: Any,
        workspace: Workspace,
        membership: Membership,
        entry: TimeEntry | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.membership = membership
        self.entry = entry
        self._choose_projects_and_tags()
        if entry is not None and not self.is_bound:
            self.initial.update(
                description=entry.description,
                project_task=(
                    f"t:{entry.task_id}"
                    if entry.task_id
                    else f"p:{entry.project_id}"
                    if entry.project_id
                    else ""
                ),
                tags=[str(tag.id) for tag in entry.tags.all()],
                billable="yes" if entry.billable else "no",
            )

    def _choose_projects_and_tags(self) -> None:
        # Projects and tasks the member may use, plus whatever the edited entry already has,
        # so that editing an old entry does not force it off an archived project.
        current_project = self.entry.project_id if self.entry else None
        current_task = self.entry.task_id if self.entry else None
        tasks = Task.objects.in_workspace(self.workspace).open(keeping=current_task)
        projects = (
            Project.objects.in_workspace(self.workspace)
            .usable_by(self.membership, keeping=current_project)
            .select_related("client")
            .prefetch_related(Prefetch("tasks", queryset=tasks))
        )
        self.projects = {f"p:{p.id}": p for p in projects}
        self.tasks: dict[str, Task] = {}
        groups: dict[str, list[tuple[str, str]]] = {}
        for project in self.projects.values():
            group = groups.setdefault(project.client.name if project.client else "No client", [])
            group.append((f"p:{project.id}", project.name))
            for task in project.tasks.all():
                task.project = project
                self.tasks[f"t:{task.id}"] = task
                group.append((f"t:{task.id}", f"{project.name}: {task.name}"))
        self.fields["project_task"].choices = [("", "No project"), *groups.items()]

        current_tags = {str(t.id) for t in self.entry.tags.all()} if self.entry else set()
        tags = Tag.objects.in_workspace(self.workspace)
        self.tag_objects = {
            str(t.id): t for t in tags if not t.archived or str(t.id) in current_tags
        }
        self.fields["tags"].choices = [(key, tag.name) for key, tag in self.tag_objects.items()]

    def details(self) -> EntryDetails:
        """The cleaned details, with objects rather than ids."""
        data = self.cleaned_data
        choice = data.get("project_task") or ""
        task = self.tasks.get(choice)
        project = task.project if task else self.projects.get(choice)
        billable = data.get("billable")
        if billable == "":
            billable_value = project.billable if project else False
        else:
            billable_value = billable == "yes"
        return EntryDetails(
            description=data.get("description", ""),
            project=project,
            task=task,
            tags=[self.tag_objects[key] for key in data.get("tags", [])],
            billable=billable_value,
        )


class TimerForm(EntryDetailsForm):
    """Start a timer; `running` is the id of the timer the page showed (empty if none)."""

    running = forms.CharField(required=False, widget=forms.HiddenInput)


class ManualEntryForm(EntryDetailsForm):
    """A finished entry: a day, a start, and an end or a duration (1:30, 1.5, 90m)."""

    running = False  # an edited running entry has a start and no end

    day = DayField(widget=forms.DateInput(attrs={"type": "date"}), label="Date")
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), label="Start")
    end_time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        label="End",
        help_text="Earlier than the start? It ends the next day.",
    )
    duration = forms.CharField(
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "1:30, 1.5 or 90m"}),
        help_text="Give an end time or a duration; a duration wins.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(self.membership.user.time_zone)
        if self.entry is not None and not self.is_bound:
            start = self.entry.start.astimezone(self.zone)
            self.initial.update(day=start.date(), start_time=start.time())
            if self.entry.end is not None:
                # Only the end is filled in: a duration, when typed, wins over it.
                self.initial["end_time"] = self.entry.end.astimezone(self.zone).time()

    def clean_duration(self) -> timedelta | None:
        text = self.cleaned_data["duration"]
        if not text.strip():
            return None
        try:
            duration = parse_duration(text)
        except DurationError as error:
            raise forms.ValidationError(str(error)) from None
        if duration <= timedelta(0):
            raise forms.ValidationError("A duration must be more than zero.")
        if duration > MAX_DURATION:
            raise forms.ValidationError("A duration can be at most 999 hours.")
        return duration

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, start_time = data.get("day"), data.get("start_time")
        if day is None or start_time is None or "duration" in self.errors:
            return data
        start = self._aware(day, start_time)
        end = self._end(start, day, data)
        if end is None and not self.running:
            return data  # _end said what is missing
        try:
            rules.check_entry_times(start, end)
        except rules.EntryTimeError as error:
            # The rule every entry path applies; its message goes next to its field.
            field = "end_time" if error.field == "end" else "day"
            self.add_error("start_time" if self.running else field, error.message)
            return data
        data["start"], data["end"] = start, end
        return data

    def _end(self, start: datetime, day: date, data: dict[str, Any]) -> datetime | None:
        if data.get("duration"):
            return start + data["duration"]
        end_time = data.get("end_time")
        if end_time is None:
            self.add_error("end_time", "Give an end time or a duration.")
            return None
        end = self._aware(day, end_time)
        if end_time < data["start_time"]:
            # An end earlier in the day than the start means the entry crosses midnight.
            end = self._aware(day + timedelta(days=1), end_time)
        return end

    def _aware(self, day: date, moment: time) -> datetime:
        # Local wall time to UTC; arithmetic on UTC values keeps DST changes right.
        local = datetime.combine(day, moment.replace(microsecond=0), tzinfo=self.zone)
        return local.astimezone(UTC)


class EditEntryForm(ManualEntryForm):
    """Edit any field of an entry; a running entry has a start but no end yet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.running = self.entry is not None and self.entry.end is None
        if self.running:
            del self.fields["end_time"]
            del self.fields["duration"]

    def _end(self, start: datetime, day: date, data: dict[str, Any]) -> datetime | None:
        return None if self.running else super()._end(start, day, data)


class BulkDeleteForm(forms.Form):
    """Entries picked in the list for deletion: only the member's own, in this workspace."""

    entries = forms.MultipleChoiceField(
        error_messages={
            "required": "Select the entries to delete first.",
            "invalid_choice": "Some of the selected entries are not yours to delete.",
        }
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args: Any, workspace: Workspace, user_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posted = self.data.getlist("entries") if self.is_bound else []
        ids = [value for value in posted if _is_uuid(value)]
        own = TimeEntry.objects.in_workspace(workspace).of_user(user_id).filter(id__in=ids)
        self.fields["entries"].choices = [
            (str(pk), str(pk)) for pk in own.values_list("id", flat=True)
        ]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class TimesheetWeekForm(forms.Form):
    """Which week the timesheet shows and which rows it has besides those with entries."""

    week = DayField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    rows = forms.CharField(required=False, max_length=5000)
    add = forms.CharField(required=False, max_length=50)
    copy = forms.BooleanField(required=False)

    def clean_rows(self) -> list[str]:
        keys = [key for key in self.cleaned_data["rows"].split(",") if key]
        for key in keys:
            if not (key.startswith(("p:", "t:")) and _is_uuid(key[2:])):
                raise forms.ValidationError("The timesheet rows in the address are not valid.")
        return keys


class TimesheetCellForm(EntryDetailsForm):
    """One cell: a row (project or task), a day, and the day's total for that row."""

    day = DayField()
    value = forms.CharField(required=False, max_length=20)
    rows = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("description", "tags", "billable"):
            del self.fields[name]

    def clean_value(self) -> timedelta:
        text = self.cleaned_data["value"]
        if not text.strip():
            return timedelta()
        try:
            return parse_duration(text)
        except DurationError as error:
            raise forms.ValidationError(str(error)) from None
