namespace Kling.Gateway.Tasks;

/// <summary>A task's status as Kling names it: <c>submitted</c>, <c>processing</c>, <c>succeed</c> or <c>failed</c>.</summary>
internal readonly record struct TaskState(string Name)
{
    /// <summary>Finished tasks never change again and no longer hold an active-task slot.</summary>
    public bool IsFinished => Name is "succeed" or "failed";

    public override string ToString() => Name;
}
