using System.Net;
using System.Net.Sockets;

namespace Kling.Gateway.Callbacks;

/// <summary>Resolves a callback's host and applies the <see cref="CallbackPolicy"/> to every address it resolves to.</summary>
internal sealed class CallbackAddresses(CallbackPolicy policy, HostResolver resolve)
{
    /// <summary>A submit waits at most this long for the callback host to resolve.</summary>
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The addresses to connect to, all of them allowed; or the reason the destination is refused.</summary>
    public async Task<(IReadOnlyList<IPAddress> Addresses, string? Refusal)> CheckAsync(string host, CancellationToken cancellationToken)
    {
        // "[::1]" from a URL is "::1" to the resolver and the policy.
        host = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        IReadOnlyList<IPAddress> addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ResolveTimeout);
            try
            {
                addresses = await resolve(host, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or ArgumentException
                                           || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                addresses = [];
            }
        }

        return (addresses, policy.Refusal(host, addresses));
    }

    /// <summary>Why a callback URL (already known to be well formed) is refused now, or null.</summary>
    public async Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken) =>
        (await CheckAsync(url.DnsSafeHost, cancellationToken)).Refusal;
}
