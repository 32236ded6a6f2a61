from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='QueueLogEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('time', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('call_id', fields.CharField(db_index=True, max_length=64)),
                ('queue_name', fields.CharField(max_length=64)),
                ('agent', fields.CharField(max_length=64)),
                ('event', fields.CharField(max_length=32)),
                ('data1', fields.CharField(default='', max_length=128)),
                ('data2', fields.CharField(default='', max_length=128)),
                ('data3', fields.CharField(default='', max_length=128)),
                ('data4', fields.CharField(default='', max_length=128)),
                ('data5', fields.CharField(default='', max_length=128)),
            ],
            options={'table': 'queue_log', 'app': 'models', 'pk_attr': 'id', 'table_description': "app_queue's queue_log table layout (time, callid, queuename, agent, event, data1-5)."},
            bases=['Model'],
        ),
    ]
