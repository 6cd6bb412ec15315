using System.Net;

namespace Kling.Gateway.Upstream;

/// <summary>The one connection pool to the upstream, shared by forwarded requests and the gateway's own calls.</summary>
internal sealed class UpstreamInvoker : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        // The gateway span's W3C trace context, and nothing else of the trace.
        ActivityHeadersPropagator = new TraceContextPropagator(),
    }, disposeHandler: true);

    public void Dispose() => Invoker.Dispose();
}
