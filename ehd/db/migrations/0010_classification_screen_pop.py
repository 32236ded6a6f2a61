from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_agent_schedules')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ClassificationProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('codes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'classification_profiles', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Log codes agents choose from for each answered call of the queues using it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CallRecord',
            name='classification',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Queue',
            name='classification',
            field=fields.ForeignKeyField('models.ClassificationProfile', source_field='classification_id', null=True, db_constraint=True, to_field='id', related_name='queues', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Queue',
            name='screen_pop_url',
            field=fields.CharField(default='', db_default='', max_length=512),
        ),
        ops.AddField(
            model_name='User',
            name='screen_pop_url',
            field=fields.CharField(default='', db_default='', max_length=512),
        ),
    ]
