from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("accounts", "0002_permission")]

    operations = [
        migrations.RunSQL(
            "CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own')",
            reverse_sql="DROP TYPE permission_scope",
        ),
    ]
