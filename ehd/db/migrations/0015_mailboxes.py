from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_tickets_crm')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Mailbox',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='mailboxes', on_delete=OnDelete.SET_NULL)),
                ('host', fields.CharField(max_length=255)),
                ('port', fields.IntField(default=993)),
                ('security', fields.CharField(default='tls', max_length=8)),
                ('username', fields.CharField(max_length=255)),
                ('password', fields.CharField(max_length=255)),
                ('folder', fields.CharField(default='INBOX', max_length=255)),
                ('after_import', fields.CharField(default='delete', max_length=8)),
                ('creation', fields.CharField(default='auto', max_length=8)),
                ('uidvalidity', fields.BigIntField(default=0)),
                ('last_uid', fields.BigIntField(default=0)),
                ('active', fields.BooleanField(default=True)),
                ('last_error', fields.CharField(default='', max_length=512)),
            ],
            options={'table': 'mailboxes', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An IMAP mailbox whose mail becomes tickets. The UID state makes polling exact.'},
            bases=['Model'],
        ),
    ]
