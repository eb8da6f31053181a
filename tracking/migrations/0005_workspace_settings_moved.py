"""WorkspaceSettings now lives in workspaces (workspaces 0005): tracking stops declaring it.

State only: the table `tracking_workspacesettings` and its rows stay in every region, as the
model in workspaces names it.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("tracking", "0004_entry_tag_links"),
        ("workspaces", "0005_workspace_settings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="WorkspaceSettings")],
        ),
    ]
