from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0025_ticket_settings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChatSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='chats', on_delete=OnDelete.CASCADE)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='chats', on_delete=OnDelete.SET_NULL)),
                ('visitor_name', fields.CharField(default='', max_length=128)),
                ('visitor_email', fields.CharField(default='', max_length=254)),
                ('state', fields.CharField(default='waiting', db_index=True, max_length=16)),
                ('agent', fields.ForeignKeyField('models.User', source_field='agent_id', null=True, db_constraint=True, to_field='id', related_name='chats', on_delete=OnDelete.SET_NULL)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('visitor_seen_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'chat_sessions', 'app': 'models', 'pk_attr': 'id', 'table_description': "A live chat from a site's web page. Its messages are public entries of its ticket, so"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='chat_ready',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
