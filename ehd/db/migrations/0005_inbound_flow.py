from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_did_priority')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Calendar',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('timezone', fields.CharField(default='Europe/Stockholm', max_length=64)),
                ('country', fields.CharField(default='SE', max_length=8)),
                ('holidays_closed', fields.BooleanField(default=True)),
                ('holidays_off', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('weekly', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'calendars', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Opening hours (see ehd.calendars). The one named default always exists.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarVariation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('calendar', fields.ForeignKeyField('models.Calendar', source_field='calendar_id', db_constraint=True, to_field='id', related_name='variations', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField(default=0)),
                ('name', fields.CharField(default='', max_length=128)),
                ('open', fields.BooleanField(default=False)),
                ('date_from', fields.DateField(null=True)),
                ('date_to', fields.DateField(null=True)),
                ('weekdays', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('time_from', fields.CharField(null=True, max_length=5)),
                ('time_to', fields.CharField(null=True, max_length=5)),
                ('audio', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'calendar_variations', 'app': 'models', 'pk_attr': 'id', 'table_description': "An exception to a calendar's hours. Position orders them and the first match wins."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HotPrompt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('queue', fields.ForeignKeyField('models.Queue', source_field='queue_id', null=True, db_constraint=True, to_field='id', related_name='hot_prompts', on_delete=OnDelete.CASCADE)),
                ('sound', fields.CharField(max_length=64)),
                ('active', fields.BooleanField(default=True)),
                ('starts_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('description', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'hot_prompts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A temporary announcement before the greeting, for one queue or (queue None) all.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IvrMenu',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('prompt', fields.CharField(max_length=64)),
                ('options', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('timeout_seconds', fields.FloatField(default=6.0)),
                ('retries', fields.IntField(default=2)),
                ('invalid_prompt', fields.CharField(default='menu-invalid', max_length=64)),
                ('fallback', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'ivr_menus', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A keypad menu: a prompt, digits to destinations, retries and a fallback.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Sound',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('language', fields.CharField(default='en', max_length=8)),
                ('description', fields.CharField(default='', max_length=255)),
                ('wording', fields.CharField(default='', max_length=2000)),
                ('source', fields.CharField(default='upload', max_length=16)),
                ('created_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'sounds', 'app': 'models', 'unique_together': (('name', 'language'),), 'pk_attr': 'id', 'table_description': 'An entry of the audio library. The file is sounds/<language>/<name>.wav in the data dir.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VoicemailMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='voicemails', on_delete=OnDelete.CASCADE)),
                ('call_id', fields.CharField(default='', max_length=64)),
                ('caller_number', fields.CharField(default='', max_length=64)),
                ('path', fields.CharField(max_length=255)),
                ('seconds', fields.FloatField(default=0.0)),
                ('heard', fields.BooleanField(default=False)),
                ('emailed', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'voicemail_messages', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CallRecord',
            name='customer_number',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='CallRecord',
            name='language',
            field=fields.CharField(default='', db_default='', max_length=8),
        ),
        ops.AddField(
            model_name='CallRecord',
            name='recording',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='Did',
            name='menu',
            field=fields.ForeignKeyField('models.IvrMenu', source_field='menu_id', null=True, db_constraint=True, to_field='id', related_name='dids', on_delete=OnDelete.SET_NULL),
        ),
        ops.AlterModelOptions(
            name='Queue',
            options={'table': 'queues', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A call (or ticket) queue and its ACD settings, see ehd.acd.model.QueueConfig.'},
        ),
        ops.AddField(
            model_name='Queue',
            name='calendar',
            field=fields.ForeignKeyField('models.Calendar', source_field='calendar_id', null=True, db_constraint=True, to_field='id', related_name='queues', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Queue',
            name='closed_audio',
            field=fields.CharField(default='closed', db_default='closed', max_length=64),
        ),
        ops.AddField(
            model_name='Queue',
            name='closed_voicemail',
            field=fields.ForeignKeyField('models.User', source_field='closed_voicemail_id', null=True, db_constraint=True, to_field='id', related_name='closed_queues', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Queue',
            name='customer_number',
            field=fields.CharField(default='off', db_default='off', max_length=16),
        ),
        ops.AddField(
            model_name='Queue',
            name='customer_number_checksum',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Queue',
            name='customer_number_max',
            field=fields.IntField(default=12, db_default=12),
        ),
        ops.AddField(
            model_name='Queue',
            name='customer_number_min',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='Queue',
            name='languages',
            field=fields.JSONField(default=list, db_default=[], encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Queue',
            name='menu',
            field=fields.ForeignKeyField('models.IvrMenu', source_field='menu_id', null=True, db_constraint=True, to_field='id', related_name='queues', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Queue',
            name='recording',
            field=fields.CharField(default='none', db_default='none', max_length=16),
        ),
        ops.AddField(
            model_name='User',
            name='pin_hash',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
    ]
