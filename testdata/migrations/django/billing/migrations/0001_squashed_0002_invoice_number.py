from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [("billing", "0001_initial"), ("billing", "0002_invoice_number")]

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Invoice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.CharField(max_length=32)),
            ],
        ),
    ]
