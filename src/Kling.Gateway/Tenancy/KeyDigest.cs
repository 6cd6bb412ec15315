using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Kling.Gateway.Tenancy;

/// <summary>
/// SHA-256 of a key. Keys are looked up by digest, so nothing about a stored key can be learnt from timing,
/// and the equality itself is branch-free over all 32 bytes.
/// </summary>
internal readonly struct KeyDigest : IEquatable<KeyDigest>
{
    public const string Prefix = "sha256:";
    public const int MaxKeyBytes = 1024;

    private readonly ulong _a, _b, _c, _d;

    private KeyDigest(ReadOnlySpan<byte> hash)
    {
        _a = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]);
        _c = BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]);
        _d = BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]);
    }

    public static bool IsDigestForm(string configured) => configured.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Digest of a presented key; false for keys too long to be one of ours.</summary>
    public static bool TryFromPresented(ReadOnlySpan<char> key, out KeyDigest digest)
    {
        Span<byte> utf8 = stackalloc byte[MaxKeyBytes];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (key.IsEmpty || !Encoding.UTF8.TryGetBytes(key, utf8, out var length))
        {
            digest = default;
            return false;
        }

        SHA256.HashData(utf8[..length], hash);
        digest = new KeyDigest(hash);
        return true;
    }

    /// <summary>Digest of a configured key: a plain key, or <c>sha256:&lt;hex&gt;</c>.</summary>
    public static bool TryFromConfigured(string? configured, out KeyDigest digest)
    {
        digest = default;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return false;
        }

        if (!IsDigestForm(configured))
        {
            return TryFromPresented(configured, out digest);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var hex = configured.AsSpan(Prefix.Length);
        if (hex.Length != SHA256.HashSizeInBytes * 2
            || Convert.FromHexString(hex, hash, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != hash.Length)
        {
            return false;
        }

        digest = new KeyDigest(hash);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoOptimization)]
    public bool Equals(KeyDigest other) =>
        ((_a ^ other._a) | (_b ^ other._b) | (_c ^ other._c) | (_d ^ other._d)) == 0;

    public override bool Equals(object? obj) => obj is KeyDigest other && Equals(other);

    // The digest is already uniformly distributed: its first word is a fine hash code.
    public override int GetHashCode() => (int)_a;
}
