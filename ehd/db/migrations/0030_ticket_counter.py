from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0029_enum_columns')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TicketCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_given', fields.IntField()),
            ],
            options={'table': 'ticket_counter', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The last ticket number given, one row: taking the next one locks it, so two tickets'},
            bases=['Model'],
        ),
    ]
