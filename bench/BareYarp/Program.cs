using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

// A bare YARP direct forwarder: what .NET itself costs per proxied request. No authentication, limits, logs or store;
// like bench/nginx.conf.template it forwards every request as it came and only swaps in the upstream key.
// Configuration: Upstream:BaseUrl and Upstream:ApiKey (Upstream__BaseUrl, Upstream__ApiKey), ASPNETCORE_URLS.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddHttpForwarder();
var app = builder.Build();

var upstream = app.Configuration["Upstream:BaseUrl"] ?? throw new InvalidOperationException("Upstream:BaseUrl is required");
var transformer = new UpstreamKeyTransformer("Bearer " + app.Configuration["Upstream:ApiKey"]);
// YARP's own client for forwarding (no proxy, redirects, cookies or decompression; trace context propagated).
using var invoker = new ForwarderHttpClientFactory().CreateClient(new ForwarderHttpClientContext { NewConfig = HttpClientConfig.Empty });
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
// On a failure YARP has already answered 502/504; the error itself is not needed here.
app.Map("/{**path}", async (HttpContext context) =>
{
    await forwarder.SendAsync(context, upstream, invoker, ForwarderRequestConfig.Empty, transformer);
});
await app.RunAsync();

/// <summary>Copies the request as YARP does by default, with the upstream's key instead of the client's.</summary>
internal sealed class UpstreamKeyTransformer(string authorization) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Remove(HeaderNames.Authorization);
        proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Authorization, authorization);
    }
}
