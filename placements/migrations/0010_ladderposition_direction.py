"""LadderPosition.direction: how a client came to each step, kept when the stay opens.

Existing stays are filled from each client's history: the stay before (by day entered, then by id), up
when the new step is higher on the ladder, down when lower, blank for her first stay or a return to the
same step. The rule is spelled here on the historical models, as migrations do not import live code.
"""

from django.db import migrations, models

BATCH = 2000


def fill_directions(apps, schema_editor):
    LadderPosition = apps.get_model("placements", "LadderPosition")
    stays = (
        LadderPosition.objects.using(schema_editor.connection.alias)
        .order_by("client_id", "entered_on", "pk")
        .values_list("pk", "client_id", "step__position")
    )
    changed = []
    client, came_from = None, None
    for pk, client_id, position in stays.iterator(chunk_size=BATCH):
        if client_id != client:
            client, came_from = client_id, None
        if came_from is not None and position != came_from:
            changed.append(LadderPosition(pk=pk, direction="up" if position > came_from else "down"))
        came_from = position
        if len(changed) >= BATCH:
            LadderPosition.objects.using(schema_editor.connection.alias).bulk_update(changed, ["direction"])
            changed = []
    if changed:
        LadderPosition.objects.using(schema_editor.connection.alias).bulk_update(changed, ["direction"])


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0009_placement_end_cause"),
    ]

    operations = [
        migrations.AddField(
            model_name="ladderposition",
            name="direction",
            field=models.CharField(
                blank=True,
                choices=[("", "Started on the ladder"), ("up", "Moved up"), ("down", "Moved down")],
                default="",
                max_length=4,
                verbose_name="move",
            ),
        ),
        migrations.RunPython(fill_directions, migrations.RunPython.noop),
    ]
