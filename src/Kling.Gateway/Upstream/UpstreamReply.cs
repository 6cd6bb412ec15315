namespace Kling.Gateway.Upstream;

/// <summary>What the upstream answered: its status and its whole (small, JSON) body.</summary>
internal sealed record UpstreamReply(int StatusCode, byte[] Body)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>Sends the upstream's answer to the client unchanged (status and content type are already set).</summary>
    public Task WriteAsync(HttpContext context)
    {
        context.Response.ContentLength = Body.Length;
        return context.Response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
    }
}
