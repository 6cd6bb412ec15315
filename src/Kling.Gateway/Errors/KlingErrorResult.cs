namespace Kling.Gateway.Errors;

/// <summary>An error the gateway answers with, rendered as the Kling envelope.</summary>
internal sealed record KlingErrorResult(int Status, int Code, string Message) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => httpContext.WriteKlingErrorAsync(Status, Code, Message);
}
