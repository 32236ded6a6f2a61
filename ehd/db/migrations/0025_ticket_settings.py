from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0024_site_embedding')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TicketSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('assign_required', fields.BooleanField(default=False)),
                ('auto_assign', fields.BooleanField(default=False)),
                ('allow_delete', fields.BooleanField(default=False)),
                ('required_fields', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('hidden_fields', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'ticket_settings', 'app': 'models', 'pk_attr': 'id', 'table_description': "The control panel's ticket options, one row. Until first saved, the configuration"},
            bases=['Model'],
        ),
    ]
