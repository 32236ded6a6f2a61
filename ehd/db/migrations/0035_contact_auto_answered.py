from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0034_attachment_content_id')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Contact',
            name='auto_answered_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
