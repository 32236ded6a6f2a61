from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0027_queued_call_connected_at')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PauseCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('label', fields.CharField(default='', max_length=64)),
                ('productive', fields.BooleanField(default=False)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'pause_codes', 'app': 'models', 'pk_attr': 'id', 'table_description': "A reason agents pause for (lunch, meeting, training…), from the site's list, so"},
            bases=['Model'],
        ),
    ]
