from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0026_chat_sessions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='QueuedCall',
            name='connected_at',
            field=fields.FloatField(null=True),
        ),
    ]
