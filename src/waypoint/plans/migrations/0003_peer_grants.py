"""Peer feedback (issue 5): who wrote each comment in which role, and the grants that let a
learner give feedback on a classmate's plan. Comments written before this were by the plan's
learner or by staff (no one else could write them)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_author_role(apps, schema_editor):
    comment = apps.get_model("plans", "Comment")
    comment.objects.filter(author_id=models.F("plan__learner_id")).update(author_role="learner")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_tenant_rows"),
        ("roster", "0004_person_demographics_learneryear_source_hash"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="author_role",
            field=models.CharField(
                choices=[
                    ("learner", "Learner"),
                    ("peer", "Peer"),
                    ("teacher", "Teacher"),
                    ("advisor", "Advisor"),
                    ("staff", "Staff"),
                ],
                default="staff",
                max_length=10,
            ),
        ),
        migrations.RunPython(fill_author_role, migrations.RunPython.noop),
        migrations.CreateModel(
            name="PeerGrant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sourced_id", models.CharField(blank=True, default="", max_length=255)),
                ("granted_at", models.DateTimeField(auto_now_add=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "district",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="roster.district",
                    ),
                ),
                (
                    "granted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="roster.person",
                    ),
                ),
                (
                    "learner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="roster.person",
                    ),
                ),
                (
                    "peer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="roster.person",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="roster.person",
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="roster.section",
                    ),
                ),
            ],
            options={
                "ordering": ["-granted_at", "-id"],
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("sourced_id", ""), _negated=True),
                        fields=("district", "sourced_id"),
                        name="plans_peergrant_unique_sourced_id",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("revoked_at__isnull", True)),
                        fields=("learner", "peer"),
                        name="one_live_peer_grant",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("learner", models.F("peer")), _negated=True),
                        name="peer_is_not_learner",
                    ),
                ],
            },
        ),
    ]
