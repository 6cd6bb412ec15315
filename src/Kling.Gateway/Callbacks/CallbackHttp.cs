using System.Net.Sockets;

namespace Kling.Gateway.Callbacks;

/// <summary>
/// The one HTTP client of callback deliveries. Every connection is made by <see cref="ConnectAsync"/>: the host is
/// resolved, every address checked against the policy, and the socket connects to exactly the addresses checked, so a
/// second lookup (DNS rebinding) cannot swap in an internal one. No proxy, no cookies, no redirects followed.
/// </summary>
internal sealed class CallbackHttp : IDisposable
{
    /// <summary>One attempt, connect to last byte read, takes at most this long.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly CallbackAddresses _addresses;
    private readonly SocketsHttpHandler _handler;

    public CallbackHttp(CallbackAddresses addresses)
    {
        _addresses = addresses;
        _handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            ConnectTimeout = AttemptTimeout,
            // Pooled connections are re-checked soon: a host whose addresses change is resolved and checked again.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxResponseHeadersLength = 16,
            ConnectCallback = ConnectAsync,
        };
        Invoker = new HttpMessageInvoker(_handler);
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose()
    {
        Invoker.Dispose();
        _handler.Dispose();
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (addresses, refusal) = await _addresses.CheckAsync(context.DnsEndPoint.Host, cancellationToken);
        if (refusal is not null)
        {
            throw new CallbackRefusedException("the callback destination is refused: " + refusal);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. addresses], context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
