from tortoise import migrations
from tortoise.migrations import operations as ops
from ehd.db.models.accounts import NotificationKind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0051_queue_intervals')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Notification',
            name='kind',
            field=fields.CharEnumField(description='MENTION: mention\nASSIGNED: assigned\nNEW_TICKET: new_ticket\nCHAT_WAITING: chat_waiting\nSERVICE_GOAL: service_goal', enum_type=NotificationKind, max_length=16),
        ),
    ]
