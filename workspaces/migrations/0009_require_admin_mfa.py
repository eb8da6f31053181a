from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("workspaces", "0008_audit_account_deleted"),
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
