# A member's access is a role now, not a read-write flag.
from django.db import migrations, models
import django.db.models.deletion


def flag_to_role(apps, schema_editor):
    pass


class Migration(migrations.Migration):

    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="member",
            name="role",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, to="accounts.role"),
        ),
        migrations.RunPython(flag_to_role, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="member",
            name="rw",
        ),
    ]
