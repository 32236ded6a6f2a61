from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from ehd.db.models.accounts import NotificationKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0054_report_subscriptions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SlaPolicy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=128)),
                ('position', fields.IntField(default=0)),
                ('active', fields.BooleanField(default=True)),
                ('template', fields.ForeignKeyField('models.TicketTemplate', source_field='template_id', null=True, db_constraint=True, to_field='id', related_name='sla_policies', on_delete=OnDelete.CASCADE)),
                ('ticket_type', fields.CharField(default='', max_length=64)),
                ('priority', fields.CharField(default='', max_length=8)),
                ('first_response_minutes', fields.IntField(null=True)),
                ('resolution_minutes', fields.IntField(null=True)),
                ('calendar', fields.ForeignKeyField('models.Calendar', source_field='calendar_id', null=True, db_constraint=True, to_field='id', related_name='sla_policies', on_delete=OnDelete.SET_NULL)),
                ('pause_statuses', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('escalations', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'sla_policies', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Service-level goals for the tickets it matches (ehd.tickets.sla.Policy), tried in'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketSlaEscalation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='sla_escalations', on_delete=OnDelete.CASCADE)),
                ('step', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ticket_sla_escalations', 'app': 'models', 'unique_together': (('ticket', 'step'),), 'pk_attr': 'id', 'table_description': 'An escalation step that ran for a ticket (so it runs once), and when.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Notification',
            name='kind',
            field=fields.CharEnumField(description='MENTION: mention\nASSIGNED: assigned\nNEW_TICKET: new_ticket\nCHAT_WAITING: chat_waiting\nSERVICE_GOAL: service_goal\nSLA_AT_RISK: sla_at_risk\nSLA_BREACHED: sla_breached', enum_type=NotificationKind, max_length=16),
        ),
        ops.AddField(
            model_name='Ticket',
            name='sla_due_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='sla_next_check_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='sla_stale',
            field=fields.BooleanField(default=True, db_index=True, db_default=True),
        ),
    ]
