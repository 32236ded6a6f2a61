from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_remote_login')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SurveyAnswer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('call_id', fields.CharField(db_index=True, max_length=64)),
                ('profile', fields.CharField(max_length=64)),
                ('queue_name', fields.CharField(default='', max_length=64)),
                ('agent', fields.CharField(default='', max_length=64)),
                ('question', fields.CharField(max_length=32)),
                ('answer', fields.IntField()),
                ('answered_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey_answers', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One keyed answer, kept even when the caller hangs up before the last question.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('intro', fields.CharField(default='survey-intro', max_length=64)),
                ('questions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('thanks', fields.CharField(default='survey-thanks', max_length=64)),
            ],
            options={'table': 'survey_profiles', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A post-call keypad survey: intro, questions (keys on a scale), thanks.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Queue',
            name='survey',
            field=fields.ForeignKeyField('models.SurveyProfile', source_field='survey_id', null=True, db_constraint=True, to_field='id', related_name='queues', on_delete=OnDelete.SET_NULL),
        ),
    ]
