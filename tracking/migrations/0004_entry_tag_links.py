"""Entry tags become an explicit regional join table, TimeEntryTag, with its workspace_id.

The links are copied in one INSERT ... SELECT, each taking its entry's workspace: the old
table may hold millions of rows on PostgreSQL, far too many to copy one by one. Only then
is the old table dropped (RemoveField), and the unique constraint is built once, after the
copy, rather than checked row by row.
"""

import django.db.models.deletion
from django.db import migrations, models

import workspaces.regions

NEW_ID = {
    # Random rather than time-ordered (PostgreSQL 15 has no uuidv7()): unique all the same.
    "postgresql": "gen_random_uuid()",
    # Django keeps a UUID in SQLite as 32 hex digits.
    "sqlite": "lower(hex(randomblob(16)))",
}


def copy_links(apps, schema_editor):
    new_id = NEW_ID[schema_editor.connection.vendor]
    schema_editor.execute(
        "INSERT INTO tracking_timeentrytag (id, workspace_id, entry_id, tag_id) "
        f"SELECT {new_id}, e.workspace_id, l.timeentry_id, l.tag_id "
        "FROM tracking_timeentry_tags l JOIN tracking_timeentry e ON e.id = l.timeentry_id"
    )


def copy_links_back(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO tracking_timeentry_tags (timeentry_id, tag_id) "
        "SELECT entry_id, tag_id FROM tracking_timeentrytag"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0003_entry_rollup"),
    ]

    operations = [
        migrations.CreateModel(
            name="TimeEntryTag",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=workspaces.regions.uuid7,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("workspace_id", models.UUIDField(db_index=True, editable=False)),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tag_links",
                        to="tracking.timeentry",
                    ),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entry_links",
                        to="tracking.tag",
                    ),
                ),
            ],
        ),
        migrations.RunPython(
            copy_links, copy_links_back, hints={"model_name": "timeentrytag"}
        ),
        migrations.RemoveField(model_name="timeentry", name="tags"),
        migrations.AddField(
            model_name="timeentry",
            name="tags",
            field=models.ManyToManyField(
                blank=True,
                related_name="entries",
                through="tracking.TimeEntryTag",
                to="tracking.tag",
            ),
        ),
        migrations.AddConstraint(
            model_name="timeentrytag",
            constraint=models.UniqueConstraint(fields=("entry", "tag"), name="entry_tag_unique"),
        ),
    ]
