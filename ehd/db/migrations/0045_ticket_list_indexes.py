from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0044_user_phone_kind')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['updated_at']),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['status', 'held', 'source', 'updated_at']),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['agent_id', 'status', 'updated_at']),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['contact_id', 'updated_at']),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['subject']),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['created_at']),
        ),
        ops.AddIndex(
            model_name='TicketAttachment',
            index=Index(fields=['ticket_id']),
        ),
        ops.AddIndex(
            model_name='TicketChange',
            index=Index(fields=['ticket_id']),
        ),
        ops.AddIndex(
            model_name='TicketEntry',
            index=Index(fields=['ticket_id']),
        ),
    ]
