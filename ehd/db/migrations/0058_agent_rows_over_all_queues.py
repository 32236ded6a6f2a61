from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# Each agent's rows summed over all queues (queue "*"), from the rows per queue and agent
# already counted: what ehd.stats.intervals now writes as calls are folded.
_SUMMED = (
    "offered", "rejected", "answered", "answered_in_goal", "abandoned", "abandoned_in_goal",
    "timed_out", "key_exits", "left_empty", "transferred", "completed", "not_answered_rings",
    "wait_answered_seconds", "wait_abandoned_seconds", "talk_seconds",
    *(f"answered_wait_{n}" for n in range(11)), *(f"abandoned_wait_{n}" for n in range(11)),
)
_COLUMNS = ", ".join(("slot", "queue_name", "agent", *_SUMMED, "wait_answered_max"))
_SUMS = ", ".join((*(f"SUM({c})" for c in _SUMMED), "MAX(wait_answered_max)"))
ADD_ROWS = (
    f"INSERT INTO queue_intervals ({_COLUMNS}) SELECT slot, '*', agent, {_SUMS} "
    "FROM queue_intervals WHERE agent != '' AND queue_name != '*' GROUP BY slot, agent"
)
DROP_ROWS = "DELETE FROM queue_intervals WHERE queue_name = '*'"

class Migration(migrations.Migration):
    dependencies = [('models', '0057_call_slices')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='QueueInterval',
            index=Index(fields=['agent', 'slot']),
        ),
        ops.AddIndex(
            model_name='QueueInterval',
            index=Index(fields=['queue_name', 'slot']),
        ),
        ops.RunSQL(ADD_ROWS, DROP_ROWS),
    ]
