from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0039_call_monitorings')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CallHandling',
            name='recording',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
    ]
