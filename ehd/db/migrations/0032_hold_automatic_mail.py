from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0031_outbox')]

    initial = False

    operations = [
        ops.AddField(
            model_name='TicketSettings',
            name='hold_automatic_mail',
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
