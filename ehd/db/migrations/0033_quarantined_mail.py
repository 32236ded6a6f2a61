from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0032_hold_automatic_mail')]

    initial = False

    operations = [
        ops.CreateModel(
            name='QuarantinedMail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('source', fields.CharField(max_length=80)),
                ('raw_sha256', fields.CharField(db_index=True, max_length=64)),
                ('size', fields.IntField()),
                ('sender', fields.CharField(default='', max_length=255)),
                ('subject', fields.CharField(default='', max_length=255)),
                ('error', fields.TextField(unique=False)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='quarantined_mail', on_delete=OnDelete.SET_NULL)),
                ('hold', fields.BooleanField(default=False)),
                ('ticket_number', fields.IntField(null=True)),
                ('released_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'quarantined_mail', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A message that could not become a ticket for a reason of its own (not the database or the'},
            bases=['Model'],
        ),
    ]
