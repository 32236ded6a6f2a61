from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_callbacks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AgentSession',
            name='source',
            field=fields.CharField(default='web', db_default='web', max_length=16),
        ),
    ]
