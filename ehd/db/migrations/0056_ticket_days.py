from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0055_ticket_sla')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StatsCursor',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('last_id', fields.BigIntField(default=0)),
            ],
            options={'table': 'stats_cursors', 'app': 'models', 'pk_attr': 'name', 'table_description': 'How far a statistics feed has read a table (the id of the last row folded).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketDay',
            fields=[
                ('created', fields.IntField(default=0)),
                ('solved', fields.IntField(default=0)),
                ('reopened', fields.IntField(default=0)),
                ('first_responses', fields.IntField(default=0)),
                ('first_response_seconds', fields.BigIntField(default=0)),
                ('resolution_seconds', fields.BigIntField(default=0)),
                ('first_response_goals', fields.IntField(default=0)),
                ('first_response_met', fields.IntField(default=0)),
                ('resolution_goals', fields.IntField(default=0)),
                ('resolution_met', fields.IntField(default=0)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('channel', fields.CharField(default='', max_length=16)),
                ('site_id', fields.IntField(default=0)),
                ('group_id', fields.IntField(default=0)),
                ('agent_id', fields.IntField(default=0)),
                ('template_id', fields.IntField(default=0)),
            ],
            options={'table': 'ticket_days', 'app': 'models', 'unique_together': (('day', 'channel', 'site_id', 'group_id', 'agent_id', 'template_id'),), 'pk_attr': 'id', 'table_description': 'The counters of ehd.stats.ticket_figures.TicketCounts for the ticket events of one'},
            bases=['TicketCounters'],
        ),
        ops.CreateModel(
            name='TicketDaySlice',
            fields=[
                ('created', fields.IntField(default=0)),
                ('solved', fields.IntField(default=0)),
                ('reopened', fields.IntField(default=0)),
                ('first_responses', fields.IntField(default=0)),
                ('first_response_seconds', fields.BigIntField(default=0)),
                ('resolution_seconds', fields.BigIntField(default=0)),
                ('first_response_goals', fields.IntField(default=0)),
                ('first_response_met', fields.IntField(default=0)),
                ('resolution_goals', fields.IntField(default=0)),
                ('resolution_met', fields.IntField(default=0)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('dimension', fields.CharField(max_length=16)),
                ('value', fields.CharField(default='', max_length=32)),
            ],
            options={'table': 'ticket_day_slices', 'app': 'models', 'unique_together': (('dimension', 'day', 'value'),), 'pk_attr': 'id', 'table_description': 'The same counters as TicketDay summed over every attribute but one (dimension:'},
            bases=['TicketCounters'],
        ),
    ]
