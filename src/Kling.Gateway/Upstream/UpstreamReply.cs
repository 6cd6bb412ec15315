namespace Kling.Gateway.Upstream;

/// <summary>What the upstream answered: its status and its whole (small, JSON) body.</summary>
internal sealed record UpstreamReply(int StatusCode, byte[] Body)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>Sends the answer to the client unchanged.</summary>
    public Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCode;
        response.ContentType ??= "application/json";
        response.ContentLength = Body.Length;
        return response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
    }
}
