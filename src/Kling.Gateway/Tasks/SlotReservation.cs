namespace Kling.Gateway.Tasks;

/// <summary>An active-task slot held for a submit in flight; it becomes the task's slot once the upstream answers.</summary>
/// <param name="Charge">The units reserved with the slot.</param>
internal sealed record SlotReservation(long Id, string TenantId, string Model, string RequestId, DateTimeOffset CreatedAt, UnitCharge Charge);
