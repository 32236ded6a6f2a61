from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0041_queued_call_hold')]

    initial = False

    operations = [
        ops.AddField(
            model_name='QueuedCall',
            name='consult_agent',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='QueuedCall',
            name='consult_channel',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='QueuedCall',
            name='consult_number',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='QueuedCall',
            name='consult_state',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
    ]
