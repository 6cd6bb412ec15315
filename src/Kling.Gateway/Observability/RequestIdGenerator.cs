using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kling.Gateway.Observability;

/// <summary>
/// New request ids: 32 lowercase hex digits in the UUIDv7 layout (RFC 9562): 48 bits of Unix milliseconds, 12 random
/// bits drawn once per generator, then a 62-bit counter that starts at a random value (the RFC's monotonic counter).
/// Ids sort by time and by order of making, never repeat within a process, collide across processes with negligible
/// probability, and cost no call into the kernel for randomness (a new random UUID does, on every request).
/// </summary>
internal sealed class RequestIdGenerator
{
    private const ulong CounterBits = 0x3FFF_FFFF_FFFF_FFFF;
    private const ulong Variant = 0x8000_0000_0000_0000;

    // The version (7) and the generator's 12 random bits, below the timestamp.
    private readonly long _versionAndRandom = 0x7000 | RandomNumberGenerator.GetInt32(0x1000);
    private long _counter = (long)(BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)) & (CounterBits >> 1));

    public string Next(DateTimeOffset now)
    {
        Span<byte> id = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(id, (now.ToUnixTimeMilliseconds() << 16) | _versionAndRandom);
        BinaryPrimitives.WriteUInt64BigEndian(id[8..], ((ulong)Interlocked.Increment(ref _counter) & CounterBits) | Variant);
        return Convert.ToHexStringLower(id);
    }
}
