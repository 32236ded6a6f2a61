from tortoise import migrations
from tortoise.migrations import operations as ops
from ehd.db.models.calls import CallDirection
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0037_call_handlings')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='CallRecord',
            options={'table': 'call_records', 'app': 'models', 'pk_attr': 'id', 'table_description': "One call, from Stasis start to hangup: inbound, or placed by an agent's phone."},
        ),
        ops.AddField(
            model_name='CallRecord',
            name='direction',
            field=fields.CharEnumField(default=CallDirection.INBOUND, db_default=CallDirection.INBOUND, description='INBOUND: in\nOUTBOUND: out\nINTERNAL: internal', enum_type=CallDirection, max_length=8),
        ),
        ops.AddField(
            model_name='Site',
            name='phone_number',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='User',
            name='outbound_number',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
    ]
