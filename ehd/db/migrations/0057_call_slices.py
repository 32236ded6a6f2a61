from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0056_ticket_days')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CallSlice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slot', fields.BigIntField()),
                ('dimension', fields.CharField(max_length=8)),
                ('value', fields.CharField(default='', max_length=64)),
                ('inbound', fields.IntField(default=0)),
                ('answered', fields.IntField(default=0)),
                ('answered_in_goal', fields.IntField(default=0)),
                ('abandoned', fields.IntField(default=0)),
                ('closed', fields.IntField(default=0)),
                ('overflowed', fields.IntField(default=0)),
                ('voicemail', fields.IntField(default=0)),
                ('callback_requests', fields.IntField(default=0)),
                ('other', fields.IntField(default=0)),
                ('callbacks_made', fields.IntField(default=0)),
                ('transferred', fields.IntField(default=0)),
                ('held', fields.IntField(default=0)),
                ('outbound', fields.IntField(default=0)),
                ('outbound_answered', fields.IntField(default=0)),
                ('wait_answered_seconds', fields.BigIntField(default=0)),
                ('wait_answered_max', fields.IntField(default=0)),
                ('wait_abandoned_seconds', fields.BigIntField(default=0)),
                ('talk_seconds', fields.BigIntField(default=0)),
                ('hold_seconds', fields.BigIntField(default=0)),
                ('outbound_talk_seconds', fields.BigIntField(default=0)),
            ],
            options={'table': 'call_slices', 'app': 'models', 'unique_together': (('dimension', 'slot', 'value'),), 'pk_attr': 'id', 'table_description': 'The counters of ehd.stats.call_slices.CallCounts for the calls that started in one'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CallRecord',
            name='counted',
            field=fields.BooleanField(default=False, db_index=True, db_default=False),
        ),
        ops.AddField(
            model_name='CallRecord',
            name='site_id',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Did',
            name='site_id',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='SurveyAnswer',
            name='site_id',
            field=fields.IntField(default=0, db_default=0),
        ),
    ]
