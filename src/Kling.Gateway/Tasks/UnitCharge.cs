namespace Kling.Gateway.Tasks;

/// <summary>
/// The units a submit reserves with its slot, and the budgets it must fit in. Units count on the UTC day and month
/// the task was submitted (<paramref name="Day"/> and <paramref name="Month"/> name those periods), so a reservation
/// settles in the periods it was taken from.
/// </summary>
/// <param name="Mode">The task's mode (<c>std</c>/<c>pro</c>), for the usage breakdown.</param>
/// <param name="Estimate">Thousandths of a unit reserved until the task finishes.</param>
/// <param name="DayLimit">Thousandths a tenant may use or reserve in <paramref name="Day"/>; null is unlimited.</param>
internal sealed record UnitCharge(string Mode, long Estimate, string Day, string Month, long? DayLimit, long? MonthLimit)
{
    /// <summary>The period every unit also counts in: the tenant's totals since the store began.</summary>
    public const string Total = "total";
}

/// <summary>The outcome of reserving a slot and its units: a reservation, or why there is none.</summary>
internal sealed record SlotDecision(SlotReservation? Reservation, SlotRefusal Refusal)
{
    public static SlotDecision Refused(SlotRefusal refusal) => new(null, refusal);
}

internal enum SlotRefusal
{
    None,
    Concurrency,
    DayBudget,
    MonthBudget,
}

/// <summary>A tenant's units in one period for one model and mode, in thousandths.</summary>
/// <param name="Reserved">Held by tasks not finished yet (their estimates).</param>
/// <param name="Used">Charged by finished tasks (final deduction, else the estimate; failed tasks nothing).</param>
internal sealed record UnitTotal(string TenantId, string Period, string Model, string Mode, long Reserved, long Used);
