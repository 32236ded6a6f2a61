from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_login_source')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Queue',
            name='callback_offer_after',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='Queue',
            name='callback_offer_position',
            field=fields.IntField(default=0, db_default=0),
        ),
    ]
