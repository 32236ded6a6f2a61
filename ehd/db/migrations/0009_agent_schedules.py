from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_surveys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AgentSchedule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='schedules', on_delete=OnDelete.CASCADE)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('number', fields.CharField(default='', max_length=32)),
                ('queues', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(default='planned', max_length=16)),
                ('created_by', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'agent_schedules', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A planned login: the scheduler logs the agent in at starts_at and out at ends_at.'},
            bases=['Model'],
        ),
    ]
