using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Callbacks;

/// <summary>
/// Which addresses callbacks may go to. Loopback, link-local (cloud metadata included), private, CGNAT, unspecified,
/// multicast, broadcast and reserved addresses, in any IPv4-mapped or -compatible form, are refused unless the host is
/// in <c>Callbacks:AllowedHosts</c> or the address in one of <c>Callbacks:AllowedNetworks</c>.
/// </summary>
internal sealed class CallbackPolicy(IOptionsMonitor<CallbacksOptions> options)
{
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("224.0.0.0/4"),
        IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("fec0::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    // NAT64's well-known prefix embeds an IPv4 address in its last 32 bits.
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>Why a delivery to <paramref name="host"/> at these addresses is refused, or null when every one is allowed.</summary>
    public string? Refusal(string host, IReadOnlyList<IPAddress> addresses)
    {
        var settings = options.CurrentValue;
        if (IsAllowedHost(host, settings.AllowedHosts))
        {
            return null;
        }

        if (addresses.Count == 0)
        {
            return "its host does not resolve";
        }

        foreach (var address in addresses)
        {
            if (IsRefusedByDefault(address) && !IsInAllowedNetwork(address, settings.AllowedNetworks))
            {
                return $"its host resolves to {address}, a loopback, private, link-local or otherwise internal address (allow it with Callbacks:AllowedNetworks or Callbacks:AllowedHosts)";
            }
        }

        return null;
    }

    public static bool IsAllowedHost(string host, IEnumerable<string> allowed)
    {
        host = host.TrimEnd('.');
        foreach (var entry in allowed)
        {
            var matches = entry.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(entry[1..], StringComparison.OrdinalIgnoreCase) && host.Length > entry.Length - 1
                : string.Equals(host, entry, StringComparison.OrdinalIgnoreCase);
            if (matches)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Internal by default: the address itself, or the IPv4 address an IPv6 form carries.</summary>
    public static bool IsRefusedByDefault(IPAddress address)
    {
        var plain = Plain(address);
        foreach (var network in Refused)
        {
            if (network.BaseAddress.AddressFamily == plain.AddressFamily && network.Contains(plain))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInAllowedNetwork(IPAddress address, IEnumerable<string> allowed)
    {
        var plain = Plain(address);
        foreach (var entry in allowed)
        {
            if (IPNetwork.TryParse(entry, out var network)
                && ((network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
                    || (network.BaseAddress.AddressFamily == plain.AddressFamily && network.Contains(plain))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), -compatible (::a.b.c.d) or NAT64 IPv6 address.</summary>
    private static IPAddress Plain(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        var compatible = bytes[..12].IndexOfAnyExcept((byte)0) < 0 && bytes[12..].IndexOfAnyExcept((byte)0) >= 0
            && !address.Equals(IPAddress.IPv6Loopback);
        return compatible || Nat64.Contains(address) ? new IPAddress(bytes[12..]) : address;
    }
}
