"""Milestones, growth goals and growth comments belong to a district like every other row,
so that a district can be removed table by table (waypoint.demo.reset)."""

import django.db.models.deletion
from django.db import migrations, models

PARENTS = (("milestone", "goal"), ("growthgoal", "plan"), ("growthcomment", "plan"))


def fill_district(apps, schema_editor):
    for model_name, parent in PARENTS:
        model = apps.get_model("plans", model_name)
        for row in model.objects.select_related(parent).iterator():
            row.district_id = getattr(row, parent).district_id
            row.save(update_fields=["district"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("roster", "0003_enrollment_source_hash"),
    ]

    operations = [
        *[
            op
            for model_name, _ in PARENTS
            for op in (
                migrations.AddField(
                    model_name=model_name,
                    name="district",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="roster.district",
                    ),
                ),
                migrations.AddField(
                    model_name=model_name,
                    name="sourced_id",
                    field=models.CharField(blank=True, default="", max_length=255),
                ),
            )
        ],
        migrations.RunPython(fill_district, migrations.RunPython.noop),
        *[
            op
            for model_name, _ in PARENTS
            for op in (
                migrations.AlterField(
                    model_name=model_name,
                    name="district",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="roster.district",
                    ),
                ),
                migrations.AddConstraint(
                    model_name=model_name,
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("sourced_id", ""), _negated=True),
                        fields=("district", "sourced_id"),
                        name=f"plans_{model_name}_unique_sourced_id",
                    ),
                ),
            )
        ],
    ]
