from tortoise import migrations
from tortoise.migrations import operations as ops
from ehd.db.models import Role, RouteType
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='CallRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('call_id', fields.CharField(unique=True, max_length=64)),
                ('did', fields.CharField(default='', max_length=32)),
                ('caller_number', fields.CharField(default='', max_length=64)),
                ('caller_name', fields.CharField(default='', max_length=128)),
                ('route_type', fields.CharField(default='', max_length=24)),
                ('route_target', fields.CharField(default='', max_length=64)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('result', fields.CharField(default='active', max_length=32)),
                ('hangup_cause', fields.IntField(null=True)),
            ],
            options={'table': 'call_records', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One inbound call, from Stasis start to hangup.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Queue',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('description', fields.CharField(default='', max_length=255)),
                ('greeting', fields.CharField(default='welcome', max_length=64)),
                ('moh_class', fields.CharField(default='default', max_length=64)),
                ('language', fields.CharField(default='en', max_length=8)),
            ],
            options={'table': 'queues', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(default='', max_length=128)),
                ('email', fields.CharField(default='', max_length=254)),
                ('password_hash', fields.CharField(max_length=255)),
                ('role', fields.CharEnumField(default=Role.AGENT, description='ADMIN: admin\nSUPERVISOR: supervisor\nAGENT: agent\nREADONLY: readonly', enum_type=Role, max_length=16)),
                ('language', fields.CharField(default='en', max_length=8)),
                ('sip_extension', fields.CharField(null=True, unique=True, max_length=32)),
                ('sip_password', fields.CharField(null=True, max_length=64)),
                ('active', fields.BooleanField(default=True)),
                ('password_changed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'users', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Did',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('route_type', fields.CharEnumField(default=RouteType.UNUSED, description='QUEUE: queue\nIVR: ivr\nSIP_ACCOUNT: sip_account\nSIP_VOICEMAIL: sip_voicemail\nREMOTE_LOGIN: remote_login\nRECORDING_SERVICE: recording_service\nVOICEMAIL_ACCESS: voicemail_access\nUNUSED: unused', enum_type=RouteType, max_length=24)),
                ('queue', fields.ForeignKeyField('models.Queue', source_field='queue_id', null=True, db_constraint=True, to_field='id', related_name='dids', on_delete=OnDelete.SET_NULL)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='dids', on_delete=OnDelete.SET_NULL)),
                ('ring_seconds', fields.IntField(default=30)),
                ('description', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'dids', 'app': 'models', 'pk_attr': 'id', 'table_description': "A dialled number and its route (the admin's dialplan table)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('csrf_token', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'web_sessions', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
