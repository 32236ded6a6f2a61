from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_classification_screen_pop')]

    initial = False

    operations = [
        ops.AddField(
            model_name='QueuedCall',
            name='attempts',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='QueuedCall',
            name='kind',
            field=fields.CharField(default='call', db_default='call', max_length=16),
        ),
    ]
