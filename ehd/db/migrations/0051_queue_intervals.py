from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0050_notification_details')]

    initial = False

    operations = [
        ops.CreateModel(
            name='QueueInterval',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slot', fields.BigIntField()),
                ('queue_name', fields.CharField(max_length=64)),
                ('agent', fields.CharField(default='', max_length=64)),
                ('offered', fields.IntField(default=0)),
                ('rejected', fields.IntField(default=0)),
                ('answered', fields.IntField(default=0)),
                ('answered_in_goal', fields.IntField(default=0)),
                ('abandoned', fields.IntField(default=0)),
                ('abandoned_in_goal', fields.IntField(default=0)),
                ('timed_out', fields.IntField(default=0)),
                ('key_exits', fields.IntField(default=0)),
                ('left_empty', fields.IntField(default=0)),
                ('transferred', fields.IntField(default=0)),
                ('completed', fields.IntField(default=0)),
                ('not_answered_rings', fields.IntField(default=0)),
                ('wait_answered_seconds', fields.BigIntField(default=0)),
                ('wait_answered_max', fields.IntField(default=0)),
                ('wait_abandoned_seconds', fields.BigIntField(default=0)),
                ('talk_seconds', fields.BigIntField(default=0)),
                ('answered_wait_0', fields.IntField(default=0)),
                ('answered_wait_1', fields.IntField(default=0)),
                ('answered_wait_2', fields.IntField(default=0)),
                ('answered_wait_3', fields.IntField(default=0)),
                ('answered_wait_4', fields.IntField(default=0)),
                ('answered_wait_5', fields.IntField(default=0)),
                ('answered_wait_6', fields.IntField(default=0)),
                ('answered_wait_7', fields.IntField(default=0)),
                ('answered_wait_8', fields.IntField(default=0)),
                ('answered_wait_9', fields.IntField(default=0)),
                ('answered_wait_10', fields.IntField(default=0)),
                ('abandoned_wait_0', fields.IntField(default=0)),
                ('abandoned_wait_1', fields.IntField(default=0)),
                ('abandoned_wait_2', fields.IntField(default=0)),
                ('abandoned_wait_3', fields.IntField(default=0)),
                ('abandoned_wait_4', fields.IntField(default=0)),
                ('abandoned_wait_5', fields.IntField(default=0)),
                ('abandoned_wait_6', fields.IntField(default=0)),
                ('abandoned_wait_7', fields.IntField(default=0)),
                ('abandoned_wait_8', fields.IntField(default=0)),
                ('abandoned_wait_9', fields.IntField(default=0)),
                ('abandoned_wait_10', fields.IntField(default=0)),
            ],
            options={'table': 'queue_intervals', 'app': 'models', 'unique_together': (('slot', 'queue_name', 'agent'),), 'pk_attr': 'id', 'table_description': 'The counters of ehd.stats.intervals.SlotCounts for one queue (agent "") or one agent'},
            bases=['Model'],
        ),
    ]
