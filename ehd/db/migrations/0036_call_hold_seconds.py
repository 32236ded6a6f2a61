from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0035_contact_auto_answered')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CallRecord',
            name='hold_seconds',
            field=fields.FloatField(null=True),
        ),
    ]
