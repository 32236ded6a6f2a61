from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0022_user_permissions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MenuProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('items', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('teams', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('standard', fields.BooleanField(default=False)),
            ],
            options={'table': 'menu_profiles', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A shortcut menu: links shown to a user, to the members of some teams, or to everyone'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SavedSearch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='saved_searches', on_delete=OnDelete.CASCADE)),
                ('query', fields.CharField(max_length=2000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'saved_searches', 'app': 'models', 'unique_together': (('name', 'owner'),), 'pk_attr': 'id', 'table_description': "A ticket overview's filters under a name, run as /tickets?g_exe=NAME: the owner's own,"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='menu_profile',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
    ]
