from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_mailboxes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Signature',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='signatures', on_delete=OnDelete.CASCADE)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='signatures', on_delete=OnDelete.CASCADE)),
                ('text', fields.CharField(max_length=4000)),
                ('image', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'signatures', 'app': 'models', 'unique_together': (('user', 'site'),), 'pk_attr': 'id', 'table_description': "Text under outgoing mail. The most specific one wins: the user's own for the ticket's"},
            bases=['Model'],
        ),
    ]
