using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

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
        // W3C trace context: replace whatever the client sent with the current activity's context.
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    }, disposeHandler: true);

    public void Dispose() => Invoker.Dispose();
}
