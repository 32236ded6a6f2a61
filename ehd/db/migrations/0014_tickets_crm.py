from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_callback_offer')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Site',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=8)),
                ('description', fields.CharField(default='', max_length=255)),
                ('agent_instruction', fields.CharField(default='', max_length=2000)),
                ('email_sender', fields.CharField(default='', max_length=254)),
                ('greeting', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'sites', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A brand: its own sender address, greeting and agent instruction.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Company',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='companies', on_delete=OnDelete.SET_NULL)),
                ('name', fields.CharField(max_length=255)),
                ('org_number', fields.CharField(default='', max_length=32)),
                ('address', fields.CharField(default='', max_length=512)),
                ('phone_series', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'companies', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Contact',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='contacts', on_delete=OnDelete.SET_NULL)),
                ('name', fields.CharField(default='', max_length=255)),
                ('emails', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('phones', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'contacts', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketFilter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=128)),
                ('definition', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'ticket_filters', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A filter rule set. Its definition is parsed by ehd.tickets.filters before saving.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=128)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='templates', on_delete=OnDelete.SET_NULL)),
                ('group', fields.ForeignKeyField('models.Queue', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name='templates', on_delete=OnDelete.SET_NULL)),
                ('subject', fields.CharField(default='', max_length=255)),
                ('description', fields.CharField(default='', max_length=4000)),
                ('solution', fields.CharField(default='', max_length=4000)),
                ('suggested_solutions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('types', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('steps', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('sla_goal_minutes', fields.IntField(null=True)),
                ('calendar', fields.ForeignKeyField('models.Calendar', source_field='calendar_id', null=True, db_constraint=True, to_field='id', related_name='templates', on_delete=OnDelete.SET_NULL)),
                ('default_status', fields.CharField(default='new', max_length=16)),
                ('default_priority', fields.CharField(default='medium', max_length=8)),
                ('match_rules', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'ticket_templates', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Defaults and guidance for a kind of ticket, and the rules that choose it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.IntField(unique=True)),
                ('subject', fields.CharField(default='', max_length=512)),
                ('status', fields.CharField(default='new', db_index=True, max_length=16)),
                ('priority', fields.CharField(default='medium', max_length=8)),
                ('resting_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('template', fields.ForeignKeyField('models.TicketTemplate', source_field='template_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.SET_NULL)),
                ('ticket_type', fields.CharField(default='', max_length=64)),
                ('itil_process', fields.CharField(default='', max_length=32)),
                ('group', fields.ForeignKeyField('models.Queue', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.SET_NULL)),
                ('agent', fields.ForeignKeyField('models.User', source_field='agent_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.SET_NULL)),
                ('locked', fields.BooleanField(default=False)),
                ('master', fields.ForeignKeyField('models.Ticket', source_field='master_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.SET_NULL)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.SET_NULL)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.SET_NULL)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.SET_NULL)),
                ('description', fields.CharField(default='', max_length=8000)),
                ('cc', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('bcc', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('custom_fields', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('source', fields.CharField(default='manual', max_length=16)),
                ('watchers', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tickets', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('who', fields.CharField(max_length=254)),
                ('field', fields.CharField(max_length=64)),
                ('old', fields.CharField(default='', max_length=1000)),
                ('new', fields.CharField(default='', max_length=1000)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ticket_changes', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Who changed which field of a ticket, from what to what, and when.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('public', fields.BooleanField(default=False)),
                ('author', fields.CharField(default='', max_length=254)),
                ('text', fields.TextField(unique=False)),
                ('html', fields.TextField(null=True, unique=False)),
                ('message_id', fields.CharField(default='', db_index=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ticket_entries', 'app': 'models', 'pk_attr': 'id', 'table_description': "The ticket's log: solutions, actions, notes, and mail in and out."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('entry', fields.ForeignKeyField('models.TicketEntry', source_field='entry_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.SET_NULL)),
                ('filename', fields.CharField(max_length=255)),
                ('content_type', fields.CharField(max_length=128)),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('size', fields.IntField()),
            ],
            options={'table': 'ticket_attachments', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A file on a ticket. The bytes are stored once, by their SHA-256.'},
            bases=['Model'],
        ),
    ]
