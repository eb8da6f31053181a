"""A workspace's audit log, in its region.

AuditEvent is a RegionalModel, so the router (workspaces.regions.RegionRouter.allow_migrate)
creates its table in every region database and not in the directory: the operation names
the model, whose class today says where it lives.
"""

import django.utils.timezone
import workspaces.regions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0006_user_deletion_requested_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
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
                    "kind",
                    models.CharField(
                        choices=[
                            ("monitoring_changed", "Monitoring switch changed"),
                            ("screenshot_viewed", "Screenshot viewed"),
                            ("location_viewed", "Locations viewed"),
                            ("screenshot_deleted", "Screenshot deleted"),
                            ("role_changed", "Role changed"),
                            ("member_removed", "Member removed"),
                            ("member_left", "Member left"),
                            ("invitation_sent", "Invitation sent"),
                            ("invitation_resent", "Invitation sent again"),
                            ("invitation_revoked", "Invitation revoked"),
                            ("invitation_accepted", "Invitation accepted"),
                            ("ownership_transferred", "Ownership transferred"),
                            ("report_exported", "Report exported"),
                            ("import_confirmed", "CSV imported"),
                            ("entries_deleted", "Entries deleted in bulk"),
                            ("entry_deleted", "Someone else's entry deleted"),
                            ("region_moved", "Workspace moved to another region"),
                        ],
                        max_length=40,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("actor_id", models.BigIntegerField(blank=True, null=True)),
                ("subject_id", models.BigIntegerField(blank=True, null=True)),
                ("detail", models.JSONField(blank=True, default=dict)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["workspace_id", "-created_at", "-id"], name="audit_newest"
                    ),
                    models.Index(fields=["workspace_id", "actor_id"], name="audit_actor"),
                    models.Index(fields=["workspace_id", "subject_id"], name="audit_subject"),
                ],
            },
        ),
    ]
