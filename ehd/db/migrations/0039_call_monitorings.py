from tortoise import migrations
from tortoise.migrations import operations as ops
from ehd.db.models.calls import MonitorMode
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0038_outbound_calls')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CallMonitoring',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('call_id', fields.CharField(db_index=True, max_length=64)),
                ('supervisor', fields.CharField(max_length=64)),
                ('agent', fields.CharField(max_length=64)),
                ('mode', fields.CharEnumField(description='LISTEN: listen\nWHISPER: whisper\nBARGE: barge', enum_type=MonitorMode, max_length=8)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'call_monitorings', 'app': 'models', 'pk_attr': 'id', 'table_description': "A supervisor listening to (or whispering into, or barging into) an agent's call: who,"},
            bases=['Model'],
        ),
    ]
