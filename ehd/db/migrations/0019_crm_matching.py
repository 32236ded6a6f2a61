from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


async def index_existing_contacts(apps, schema_editor):
    """Contacts made before the index existed get their phones and emails indexed."""
    contact_model = apps.get_model("models.Contact")
    point_model = apps.get_model("models.ContactPoint")
    for contact in await contact_model.all():
        for kind, values in (("phone", contact.phones), ("email", contact.emails)):
            for value in dict.fromkeys(values):
                await point_model.create(contact_id=contact.id, kind=kind, value=value[:254])

class Migration(migrations.Migration):
    dependencies = [('models', '0018_knowledge')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContactPoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='points', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=8)),
                ('value', fields.CharField(max_length=254)),
            ],
            options={'table': 'contact_points', 'app': 'models', 'unique_together': (('kind', 'value', 'contact'),), 'indexes': [Index(fields=['kind', 'value'])], 'pk_attr': 'id', 'table_description': 'An index of contacts by phone (E.164) and email (lower case), kept with each contact so'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CallRecord',
            name='company',
            field=fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='calls', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='CallRecord',
            name='contact',
            field=fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='calls', on_delete=OnDelete.SET_NULL),
        ),
        ops.RunPython(index_existing_contacts, ops.RunPython.noop),
    ]
