from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_queue_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AgentSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='agent_session', on_delete=OnDelete.CASCADE)),
                ('device', fields.CharField(max_length=128)),
                ('remote', fields.BooleanField(default=False)),
                ('queues', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(default='ready', max_length=16)),
                ('pause_reason', fields.CharField(default='', max_length=64)),
                ('logged_in_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'agent_sessions', 'app': 'models', 'pk_attr': 'id', 'table_description': "An agent's login: where calls go and the state the ACD had (restored after a restart)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QueueMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('queue', fields.ForeignKeyField('models.Queue', source_field='queue_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('penalty', fields.IntField(default=0)),
            ],
            options={'table': 'queue_members', 'app': 'models', 'unique_together': (('user', 'queue'),), 'pk_attr': 'id', 'table_description': "An agent's membership of a queue (response group), with a penalty (skill level)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QueuedCall',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('call_id', fields.CharField(unique=True, max_length=64)),
                ('queue_name', fields.CharField(max_length=64)),
                ('priority', fields.IntField(default=0)),
                ('caller_id', fields.CharField(default='', max_length=64)),
                ('entered_at', fields.FloatField()),
                ('agent', fields.CharField(default='', max_length=64)),
                ('agent_channel', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'queued_calls', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A call waiting in (or connected from) a queue, kept so a restarted ehd re-adopts it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CallRecord',
            name='agent',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='CallRecord',
            name='queue_name',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='CallRecord',
            name='queue_seconds',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='CallRecord',
            name='talk_seconds',
            field=fields.FloatField(null=True),
        ),
        ops.AlterModelOptions(
            name='Queue',
            options={'table': 'queues', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A call (or ticket) queue and its ACD settings; see ``ehd.acd.model.QueueConfig``.'},
        ),
        ops.AddField(
            model_name='Queue',
            name='announce_frequency',
            field=fields.FloatField(default=0.0, db_default=0.0),
        ),
        ops.AddField(
            model_name='Queue',
            name='announce_start_delay',
            field=fields.FloatField(default=0.0, db_default=0.0),
        ),
        ops.AddField(
            model_name='Queue',
            name='exit_keys',
            field=fields.JSONField(default=dict, db_default={}, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Queue',
            name='expected_handle_seconds',
            field=fields.FloatField(default=180.0, db_default=180.0),
        ),
        ops.AddField(
            model_name='Queue',
            name='join_when',
            field=fields.CharField(default='always', db_default='always', max_length=16),
        ),
        ops.AddField(
            model_name='Queue',
            name='leave_when',
            field=fields.CharField(default='always', db_default='always', max_length=16),
        ),
        ops.AddField(
            model_name='Queue',
            name='max_length',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Queue',
            name='max_penalty',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Queue',
            name='misses_before_pause',
            field=fields.IntField(default=3, db_default=3),
        ),
        ops.AddField(
            model_name='Queue',
            name='number',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Queue',
            name='overflow_after',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='Queue',
            name='overflow_kind',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Queue',
            name='overflow_target',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Queue',
            name='penalty_rules',
            field=fields.JSONField(default=list, db_default=[], encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Queue',
            name='ring_timeout',
            field=fields.FloatField(default=15.0, db_default=15.0),
        ),
        ops.AddField(
            model_name='Queue',
            name='sl_goal_seconds',
            field=fields.FloatField(default=20.0, db_default=20.0),
        ),
        ops.AddField(
            model_name='Queue',
            name='sl_target_percent',
            field=fields.FloatField(default=80.0, db_default=80.0),
        ),
        ops.AddField(
            model_name='Queue',
            name='strategy',
            field=fields.CharField(default='longest_idle', db_default='longest_idle', max_length=24),
        ),
        ops.AddField(
            model_name='Queue',
            name='weight',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Queue',
            name='wrapup_seconds',
            field=fields.FloatField(default=0.0, db_default=0.0),
        ),
    ]
