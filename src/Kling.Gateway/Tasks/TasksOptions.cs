namespace Kling.Gateway.Tasks;

/// <summary>How long task state is kept and how it is refreshed; the <c>Tasks</c> section.</summary>
internal sealed class TasksOptions
{
    public const string Section = "Tasks";

    /// <summary>How often the background refresher looks for running tasks nobody has polled lately.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many upstream queries per refresh round, so the refresher never floods the upstream.</summary>
    public int RefreshBatch { get; set; } = 20;

    /// <summary>A task older than this no longer holds an active-task slot, whatever the upstream says: slots never leak.</summary>
    public TimeSpan MaxTaskAge { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// How long a finished task's result is served by the gateway itself (the upstream's video URLs live about 30 days);
    /// with Redis, finished tasks are deleted after it.
    /// </summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long an <c>Idempotency-Key</c> (or <c>external_task_id</c>) replays its first answer.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);
}
