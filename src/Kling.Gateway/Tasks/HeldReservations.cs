using System.Collections.Concurrent;

namespace Kling.Gateway.Tasks;

/// <summary>
/// The reservations this process holds right now: submits in flight, and accepted submits still waiting to be recorded.
/// With Redis their leases are renewed while they are here; a reservation of a process that died is no longer renewed.
/// </summary>
internal sealed class HeldReservations
{
    private readonly ConcurrentDictionary<long, SlotReservation> _held = new();

    public int Count => _held.Count;

    public ICollection<long> Ids => _held.Keys;

    public void Hold(SlotReservation reservation) => _held[reservation.Id] = reservation;

    public void Let(SlotReservation reservation) => _held.TryRemove(reservation.Id, out _);
}
