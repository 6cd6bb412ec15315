namespace Kling.Gateway.BodyLimits;

/// <summary>Gateway-wide bounds on request bodies and connections, in the <c>Limits</c> section.</summary>
internal sealed class BodyLimitsOptions
{
    /// <summary>
    /// Bytes all buffered request bodies may hold together. Unset: a quarter of the memory the GC may use
    /// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: in a container, 75% of its memory limit).
    /// </summary>
    public long? MaxBufferedBodyBytes { get; set; }

    /// <summary>The whole body must have arrived within this time of the request's start of reading it.</summary>
    public TimeSpan BodyReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Open connections Kestrel keeps; more are closed as they arrive.</summary>
    public long MaxConcurrentConnections { get; set; } = DefaultMaxConcurrentConnections;

    public const long DefaultMaxConcurrentConnections = 4096;

    public long BufferedBodyBytes => MaxBufferedBodyBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;
}
