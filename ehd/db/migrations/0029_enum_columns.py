from tortoise import migrations
from tortoise.migrations import operations as ops
from ehd.db.models.calls import SoundSource
from ehd.db.models.queues import CustomerNumberMode, QueuedCallKind, RecordingMode, ScheduleState
from ehd.db.models.tickets import AfterImport, ChatState, MailCreation, MailSecurity, TicketPriority, TicketStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0028_pause_codes')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='AgentSchedule',
            name='state',
            field=fields.CharEnumField(default=ScheduleState.PLANNED, description='PLANNED: planned\nACTIVE: active\nDONE: done\nFAILED: failed', enum_type=ScheduleState, max_length=16),
        ),
        ops.AlterField(
            model_name='ChatSession',
            name='state',
            field=fields.CharEnumField(default=ChatState.WAITING, db_index=True, description='WAITING: waiting\nACTIVE: active\nENDED: ended', enum_type=ChatState, max_length=16),
        ),
        ops.AlterField(
            model_name='Mailbox',
            name='after_import',
            field=fields.CharEnumField(default=AfterImport.DELETE, description='DELETE: delete\nFLAG: flag', enum_type=AfterImport, max_length=8),
        ),
        ops.AlterField(
            model_name='Mailbox',
            name='creation',
            field=fields.CharEnumField(default=MailCreation.AUTO, description='AUTO: auto\nREVIEW: review', enum_type=MailCreation, max_length=8),
        ),
        ops.AlterField(
            model_name='Mailbox',
            name='security',
            field=fields.CharEnumField(default=MailSecurity.TLS, description='TLS: tls\nNONE: none', enum_type=MailSecurity, max_length=8),
        ),
        ops.AlterField(
            model_name='Queue',
            name='customer_number',
            field=fields.CharEnumField(default=CustomerNumberMode.OFF, description='OFF: off\nOPTIONAL: optional\nREQUIRED: required', enum_type=CustomerNumberMode, max_length=16),
        ),
        ops.AlterField(
            model_name='Queue',
            name='recording',
            field=fields.CharEnumField(default=RecordingMode.NONE, description='NONE: none\nALL: all\nON_DEMAND: on_demand', enum_type=RecordingMode, max_length=16),
        ),
        ops.AlterField(
            model_name='QueuedCall',
            name='kind',
            field=fields.CharEnumField(default=QueuedCallKind.CALL, description='CALL: call\nCALLBACK: callback', enum_type=QueuedCallKind, max_length=16),
        ),
        ops.AlterField(
            model_name='Sound',
            name='source',
            field=fields.CharEnumField(default=SoundSource.UPLOAD, description='UPLOAD: upload\nPHONE: phone', enum_type=SoundSource, max_length=16),
        ),
        ops.AlterField(
            model_name='Ticket',
            name='priority',
            field=fields.CharEnumField(default=TicketPriority.MEDIUM, description='LOW: low\nMEDIUM: medium\nHIGH: high', enum_type=TicketPriority, max_length=8),
        ),
        ops.AlterField(
            model_name='Ticket',
            name='status',
            field=fields.CharEnumField(default=TicketStatus.NEW, db_index=True, description='NEW: new\nOPEN: open\nWITH_CONTACT: with_contact\nWITH_EXTERNAL: with_external\nRESTING: resting\nRESTING_UNTIL: resting_until\nSOLVED: solved\nCLOSED: closed', enum_type=TicketStatus, max_length=16),
        ),
        ops.AlterField(
            model_name='TicketTemplate',
            name='default_priority',
            field=fields.CharEnumField(default=TicketPriority.MEDIUM, description='LOW: low\nMEDIUM: medium\nHIGH: high', enum_type=TicketPriority, max_length=8),
        ),
        ops.AlterField(
            model_name='TicketTemplate',
            name='default_status',
            field=fields.CharEnumField(default=TicketStatus.NEW, description='NEW: new\nOPEN: open\nWITH_CONTACT: with_contact\nWITH_EXTERNAL: with_external\nRESTING: resting\nRESTING_UNTIL: resting_until\nSOLVED: solved\nCLOSED: closed', enum_type=TicketStatus, max_length=16),
        ),
    ]
