from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0033_quarantined_mail')]

    initial = False

    operations = [
        ops.AddField(
            model_name='TicketAttachment',
            name='content_id',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
    ]
