"""Members' sort keys made again: a person's given name is now compared whole, tones included, before
the middle and family names (``congdoan.core.text.person_collation_key``)."""

from django.db import migrations

from congdoan.core.text import person_collation_key

CHUNK = 2000


def remake_sort_keys(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    length = Member._meta.get_field("sort_key").max_length
    last = 0
    while chunk := list(
        Member.objects.filter(pk__gt=last).order_by("pk").only("full_name", "sort_key")[:CHUNK]
    ):
        for member in chunk:
            member.sort_key = person_collation_key(member.full_name)[:length]
        Member.objects.bulk_update(chunk, ["sort_key"], batch_size=500)
        last = chunk[-1].pk


class Migration(migrations.Migration):
    dependencies = [("members", "0011_import_rows_without_key_indexes")]

    operations = [migrations.RunPython(remake_sort_keys, migrations.RunPython.noop)]
