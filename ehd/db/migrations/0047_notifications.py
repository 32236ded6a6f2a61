from tortoise import migrations
from tortoise.migrations import operations as ops
from ehd.db.models.accounts import NotificationKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0046_ticket_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='MENTION: mention\nASSIGNED: assigned', enum_type=NotificationKind, max_length=16)),
                ('text', fields.CharField(max_length=500)),
                ('link', fields.CharField(default='', max_length=200)),
                ('by', fields.CharField(default='', max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications', 'app': 'models', 'indexes': [Index(fields=['user_id', 'read_at', 'id'])], 'pk_attr': 'id', 'table_description': 'Something a user should know, kept until read: it reaches them whether or not they'},
            bases=['Model'],
        ),
    ]
