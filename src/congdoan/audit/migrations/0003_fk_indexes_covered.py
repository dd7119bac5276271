import django.db.models.deletion
from django.db import migrations, models

from congdoan.core.migration_operations import DropFieldIndex


class Migration(migrations.Migration):
    """The content type's and the unit's own indexes go: the (content type, object) and (unit, time)
    indexes serve every read by them, and each change written paid for two more indexes."""

    dependencies = [
        ("audit", "0002_personaldataaccess"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("units", "0004_employer_workforce"),
    ]

    operations = [
        DropFieldIndex(
            model_name="objectchange",
            name="content_type",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        DropFieldIndex(
            model_name="objectchange",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="changes",
                to="units.unit",
                verbose_name="unit",
            ),
        ),
        DropFieldIndex(
            model_name="personaldataaccess",
            name="content_type",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
    ]
