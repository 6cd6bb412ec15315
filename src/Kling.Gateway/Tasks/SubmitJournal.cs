using System.Collections.Concurrent;

namespace Kling.Gateway.Tasks;

/// <summary>
/// What the gateway owes the store after a submit: once the upstream has answered with a task, recording it (and settling
/// the idempotency key with the answer); after a submit that created nothing, giving its slot and key back. Each is tried
/// at once; if the store fails, the debt is kept here, in memory, and retried until the store takes it, so an accepted
/// task is never lost while the process lives and its key stays claimed (a retry is told to come back, never forwarded).
/// Should the process die first, the reservation in the store still names the submit: it is claimed after
/// <c>Upstream:Timeout</c> and looked up upstream by its external id. Memory is bounded: at most
/// <see cref="Capacity"/> debts; while full, no new submit is forwarded.
/// </summary>
internal sealed partial class SubmitJournal(
    ITaskStore tasks, IIdempotencyStore idempotency, HeldReservations held, TimeProvider time, ILogger<SubmitJournal> logger) : BackgroundService
{
    public const int Capacity = 10_000;
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<long, Debt> _debts = new();
    private readonly ConcurrentDictionary<(string TenantId, string Key), long> _keys = new();
    private readonly SemaphoreSlim _owed = new(0);

    /// <summary>Whether a new submit may be forwarded: what it may come to owe has room here.</summary>
    public bool HasRoom => _debts.Count < Capacity;

    /// <summary>Whether an accepted submit with this key is still waiting to be recorded by this process.</summary>
    public bool IsRecording(string tenantId, string key) => _keys.ContainsKey((tenantId, key));

    /// <summary>
    /// Records the task the upstream created for <paramref name="reservation"/> and stores <paramref name="answer"/> for
    /// the key's retries; null when the store failed and the journal now owes it. <paramref name="whenRecorded"/> (which
    /// must be safe to repeat) runs once the task is the tenant's, before the key is settled.
    /// </summary>
    public async Task<RecordOutcome?> AcceptAsync(SlotReservation reservation, TaskSnapshot snapshot, int status, byte[] answer, Func<Task>? whenRecorded = null)
    {
        var debt = new Debt(reservation, snapshot, status, answer, whenRecorded);
        try
        {
            return await SettleAsync(debt);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Owe(debt, ex);
            return null;
        }
    }

    /// <summary>Gives back the slot and key of a submit that created no task, now or, if the store fails, later.</summary>
    public async Task AbandonAsync(SlotReservation reservation)
    {
        var debt = new Debt(reservation, null, 0, null, null);
        try
        {
            await SettleAsync(debt);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Owe(debt, ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _owed.WaitAsync(stoppingToken);
            while (!_debts.IsEmpty)
            {
                foreach (var debt in _debts.Values)
                {
                    try
                    {
                        var outcome = await SettleAsync(debt);
                        Forgive(debt);
                        LogSettledLate(logger, debt.Reservation.TenantId, debt.Snapshot?.TaskId, outcome, debt.Reservation.CreatedAt);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The store is still away: next round.
                    }
                }

                if (!_debts.IsEmpty)
                {
                    await Task.Delay(RetryInterval, time, stoppingToken);
                }
            }
        }
    }

    /// <summary>Settles the debt in the store, or throws; every step may be repeated, so a retry after a partial failure is safe.</summary>
    private async Task<RecordOutcome> SettleAsync(Debt debt)
    {
        var reservation = debt.Reservation;
        var key = reservation.Intent.IdempotencyKey;
        RecordOutcome? outcome = null;
        if (debt.Snapshot is { } snapshot)
        {
            outcome = await tasks.RecordSubmittedAsync(reservation, snapshot);
        }
        else
        {
            await tasks.ReleaseSlotAsync(reservation);
        }

        if (outcome is RecordOutcome.Recorded or RecordOutcome.AlreadyRecorded && debt.WhenRecorded is { } whenRecorded)
        {
            await whenRecorded();
        }

        if (key is not null)
        {
            // A retry of this key gets the recorded task's answer; after a submit that created nothing it may try again.
            await (outcome is RecordOutcome.Recorded or RecordOutcome.AlreadyRecorded
                ? idempotency.CompleteAsync(reservation.TenantId, key, debt.Status, debt.Answer!)
                : idempotency.ForgetAsync(reservation.TenantId, key));
        }

        held.Let(reservation);
        return outcome ?? RecordOutcome.Recorded;
    }

    private void Owe(Debt debt, Exception failure)
    {
        var reservation = debt.Reservation;
        LogOwed(logger, reservation.TenantId, debt.Snapshot?.TaskId, failure.Message);
        _debts[reservation.Id] = debt;
        if (reservation.Intent.IdempotencyKey is { } key && debt.Snapshot is not null)
        {
            _keys[(reservation.TenantId, key)] = reservation.Id;
        }

        _owed.Release();
    }

    private void Forgive(Debt debt)
    {
        _debts.TryRemove(debt.Reservation.Id, out _);
        if (debt.Reservation.Intent.IdempotencyKey is { } key)
        {
            _keys.TryRemove((debt.Reservation.TenantId, key), out _);
        }
    }

    /// <param name="Snapshot">The task the upstream created; null when the submit created none.</param>
    /// <param name="WhenRecorded">What else the submit owes once its task is recorded (its callback).</param>
    private sealed record Debt(SlotReservation Reservation, TaskSnapshot? Snapshot, int Status, byte[]? Answer, Func<Task>? WhenRecorded);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store failed to settle a submit of {TenantId} (task {TaskId}): {Reason}; kept in the journal and retried")]
    private static partial void LogOwed(ILogger logger, string tenantId, string? taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Settled a submit of {TenantId} (task {TaskId}, {Outcome}) from the journal; it was reserved at {ReservedAt}")]
    private static partial void LogSettledLate(ILogger logger, string tenantId, string? taskId, RecordOutcome outcome, DateTimeOffset reservedAt);
}
