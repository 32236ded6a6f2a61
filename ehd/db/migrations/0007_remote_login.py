from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_own_holidays')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='alt_number',
            field=fields.CharField(default='', db_default='', db_index=True, max_length=32),
        ),
        ops.AddField(
            model_name='User',
            name='remote_number',
            field=fields.CharField(default='', db_default='', db_index=True, max_length=32),
        ),
        ops.AddField(
            model_name='User',
            name='remote_queues',
            field=fields.JSONField(default=list, db_default=[], encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
