from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0042_queued_call_consult')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CallRecord',
            name='ticket',
            field=fields.ForeignKeyField('models.Ticket', source_field='ticket_id', null=True, db_constraint=True, to_field='id', related_name='calls', on_delete=OnDelete.SET_NULL),
        ),
    ]
