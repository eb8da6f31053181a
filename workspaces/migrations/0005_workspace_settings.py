"""WorkspaceSettings moves from tracking to workspaces; its table and rows stay where they are.

The model keeps the table tracking's first migration made in every region
(`tracking_workspacesettings`, named in its Meta), so this changes Django's state only:
workspaces declares the model here, and tracking 0005 stops declaring it. This migration
comes after the table exists (tracking 0004), and tracking's goes after this one, so the
model is declared by one app or both, never by none. The directory's content type for the
model moves with it, keeping any permissions given on it.
"""

import django.core.validators
from django.db import migrations, models

import workspaces.regions


def _move_content_type(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=new, model="workspacesettings").exists():
        types.filter(app_label=old, model="workspacesettings").update(app_label=new)


def content_type_to_workspaces(apps, schema_editor) -> None:
    _move_content_type(apps, schema_editor, "tracking", "workspaces")


def content_type_to_tracking(apps, schema_editor) -> None:
    _move_content_type(apps, schema_editor, "workspaces", "tracking")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tracking", "0004_entry_tag_links"),
        ("workspaces", "0004_workspace_moves"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkspaceSettings",
                    fields=[
                        ("id", models.UUIDField(default=workspaces.regions.uuid7, editable=False, primary_key=True, serialize=False)),
                        ("workspace_id", models.UUIDField(db_index=True, editable=False)),
                        ("currency", models.CharField(default="USD", help_text="Three-letter ISO 4217 code, e.g. USD, EUR, GBP, AUD.", max_length=3, validators=[django.core.validators.RegexValidator("^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. EUR.")])),
                        ("duration_format", models.CharField(choices=[("full", "Full (hh:mm:ss)"), ("compact", "Compact (h:mm)"), ("decimal", "Decimal (h.hh)")], default="full", max_length=10)),
                        ("hourly_rate", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name="default hourly rate")),
                        ("members_can_manage_projects", models.BooleanField(default=False, verbose_name="members can create projects, clients, tasks and tags")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name_plural": "workspace settings",
                        "db_table": "tracking_workspacesettings",
                        "constraints": [models.UniqueConstraint(fields=("workspace_id",), name="workspace_settings_unique")],
                    },
                ),
            ],
        ),
        # Content types are directory rows. The app now has both kinds of models, so the
        # router needs a directory model named to send this to `default` only.
        migrations.RunPython(
            content_type_to_workspaces, content_type_to_tracking, hints={"model_name": "workspace"}
        ),
    ]
