using System.Collections.Concurrent;
using System.Net.Sockets;
using Kling.Gateway.Callbacks;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// The gateway's name resolution in callback tests: a fixed table, so no test ever asks a DNS server (which is not on
/// loopback); a name not in it does not resolve. Entries may change while a gateway runs (DNS rebinding).
/// </summary>
internal sealed class HostsTable
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["localhost"] = [IPAddress.Loopback, IPAddress.IPv6Loopback],
    };

    public void Set(string host, params IPAddress[] addresses) => _entries[host] = addresses;

    public HostResolver Resolver => (host, _) =>
        _entries.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
}
