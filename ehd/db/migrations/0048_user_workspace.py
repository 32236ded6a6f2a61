from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0047_notifications')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='workspace',
            field=fields.JSONField(default=dict, db_default={}, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
        ),
    ]
