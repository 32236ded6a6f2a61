from tortoise import migrations
from tortoise.migrations import operations as ops
from ehd.db.models.calls import HandlingEnd
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0036_call_hold_seconds')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CallHandling',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('call_id', fields.CharField(db_index=True, max_length=64)),
                ('agent', fields.CharField(max_length=64)),
                ('queue_name', fields.CharField(default='', max_length=64)),
                ('connected_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('talk_seconds', fields.FloatField()),
                ('hold_seconds', fields.FloatField()),
                ('ended_by', fields.CharEnumField(default=HandlingEnd.HANGUP, description='HANGUP: hangup\nTRANSFER: transfer', enum_type=HandlingEnd, max_length=16)),
                ('transferred_to', fields.CharField(default='', max_length=80)),
            ],
            options={'table': 'call_handlings', 'app': 'models', 'pk_attr': 'id', 'table_description': "One agent's part of a call. A transferred call stays one CallRecord (counted once)"},
            bases=['Model'],
        ),
    ]
