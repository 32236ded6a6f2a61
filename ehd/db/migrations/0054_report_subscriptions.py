from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from ehd.db.models.stats import ReportFrequency
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0053_agent_intervals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='report_subscriptions', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=128)),
                ('query', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('frequency', fields.CharEnumField(default=ReportFrequency.DAILY, description='DAILY: daily\nWEEKLY: weekly\nMONTHLY: monthly', enum_type=ReportFrequency, max_length=8)),
                ('hour', fields.IntField(default=6)),
                ('formats', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('recipients', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('last_sent_through', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'report_subscriptions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A statistics view mailed at a chosen frequency, as PDF, XLSX and/or CSV, to chosen'},
            bases=['Model'],
        ),
    ]
