from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("workspaces", "0003_invitation_sent_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspace",
            name="moving_to",
            field=models.CharField(
                blank=True,
                choices=[("us", "USA"), ("eu", "EU (Germany)"), ("uk", "UK"), ("au", "Australia")],
                default="",
                max_length=2,
            ),
        ),
        migrations.AddField(
            model_name="workspace",
            name="stale_copy_in",
            field=models.CharField(
                blank=True,
                choices=[("us", "USA"), ("eu", "EU (Germany)"), ("uk", "UK"), ("au", "Australia")],
                default="",
                max_length=2,
            ),
        ),
    ]
