from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0017_ticket_held')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KnowledgeArticle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=255)),
                ('answer', fields.CharField(max_length=8000)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='articles', on_delete=OnDelete.SET_NULL)),
                ('times_used', fields.IntField(default=0)),
            ],
            options={'table': 'knowledge_articles', 'app': 'models', 'pk_attr': 'id', 'table_description': "An answer from the knowledge base, usable as a filter's automatic reply."},
            bases=['Model'],
        ),
    ]
