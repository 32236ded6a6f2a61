from tortoise import migrations
from tortoise.migrations import operations as ops
from ehd.db.models.tickets import Delivery
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0030_ticket_counter')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutgoingMail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('models.TicketEntry', source_field='entry_id', null=True, db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('recipients', fields.CharField(default='', max_length=1000)),
                ('message', fields.BinaryField()),
                ('state', fields.CharEnumField(default=Delivery.QUEUED, db_index=True, description='QUEUED: queued\nSENT: sent\nFAILED: failed', enum_type=Delivery, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('next_try_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=512)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outgoing_mail', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A mail in the outbox: saved before it is sent, so a reply or confirmation outlives a'},
            bases=['Model'],
        ),
    ]
