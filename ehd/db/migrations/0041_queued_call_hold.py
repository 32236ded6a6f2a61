from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0040_call_handling_recordings')]

    initial = False

    operations = [
        ops.AddField(
            model_name='QueuedCall',
            name='held_before',
            field=fields.FloatField(default=0.0, db_default=0.0),
        ),
        ops.AddField(
            model_name='QueuedCall',
            name='held_since',
            field=fields.FloatField(null=True),
        ),
    ]
