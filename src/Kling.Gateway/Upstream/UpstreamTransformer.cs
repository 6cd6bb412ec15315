using Yarp.ReverseProxy.Forwarder;

namespace Kling.Gateway.Upstream;

/// <summary>
/// Per-request transform for YARP: builds the upstream request from the allow-list alone (it never calls the base
/// transform, which would copy every client header, <c>Host</c> included), and captures the upstream's answer instead
/// of streaming it, so it is checked before the client sees anything.
/// </summary>
internal sealed class UpstreamTransformer(Uri requestUri, string authorization, string requestId, long contentLength) : HttpTransformer
{
    public UpstreamReply? Reply { get; private set; }

    /// <summary>The upstream answered with more than <see cref="UpstreamAnswer.MaxBytes"/>: there is no reply to give.</summary>
    public bool AnswerTooLarge { get; private set; }

    public override ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        UpstreamRequest.Prepare(proxyRequest, requestUri, authorization, requestId, contentLength);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        Reply = await UpstreamClient.ReadAsync(proxyResponse, cancellationToken);
        AnswerTooLarge = Reply is null;
        return false;
    }
}
