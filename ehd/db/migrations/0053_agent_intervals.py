from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0052_service_goal_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AgentInterval',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slot', fields.BigIntField()),
                ('agent', fields.CharField(max_length=64)),
                ('logged_in', fields.FloatField(default=0.0)),
                ('paused', fields.FloatField(default=0.0)),
                ('busy', fields.FloatField(default=0.0)),
                ('wrapup', fields.FloatField(default=0.0)),
            ],
            options={'table': 'agent_intervals', 'app': 'models', 'unique_together': (('slot', 'agent'),), 'pk_attr': 'id', 'table_description': 'How one agent spent one 15-minute slot (ehd.stats.agent_time), in seconds.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgentPauseInterval',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slot', fields.BigIntField()),
                ('agent', fields.CharField(max_length=64)),
                ('reason', fields.CharField(default='', max_length=128)),
                ('seconds', fields.FloatField(default=0.0)),
            ],
            options={'table': 'agent_pause_intervals', 'app': 'models', 'unique_together': (('slot', 'agent', 'reason'),), 'pk_attr': 'id', 'table_description': 'An agent\'s paused seconds in one slot for one reason ("" when none was given).'},
            bases=['Model'],
        ),
    ]
