from tortoise import migrations
from tortoise.migrations import operations as ops
from ehd.db.models.accounts import PhoneKind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0043_call_record_ticket')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='phone_kind',
            field=fields.CharEnumField(default=PhoneKind.DESK, db_default=PhoneKind.DESK, description='DESK: desk\nBROWSER: browser', enum_type=PhoneKind, max_length=8),
        ),
    ]
