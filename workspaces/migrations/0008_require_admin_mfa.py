from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("workspaces", "0005_workspace_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspace",
            name="require_admin_mfa",
            field=models.BooleanField(
                default=False, verbose_name="require two-factor authentication for admins"
            ),
        ),
    ]
