using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// An upstream on a loopback Kestrel socket that answers whatever the test scripts, however broken, and records what
/// it received: for the faults no faithful simulator would produce.
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedExchange> _received = new();
    private readonly WebApplication _app;

    private ScriptedUpstream(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What every request gets from now on.</summary>
    public ScriptedAnswer Answer { get; set; } = ScriptedAnswer.Submitted("100000000000000001");

    public IReadOnlyList<RecordedExchange> Received => [.. _received];

    public static async Task<ScriptedUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new ScriptedUpstream(app);
        app.Run(upstream.AnswerAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        upstream.BaseAddress = new Uri(address);
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var answer = Answer;
        _received.Enqueue(new RecordedExchange(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(),
            answer.Status,
            Encoding.UTF8.GetBytes(answer.Body)));
        context.Response.StatusCode = answer.Status;
        if (answer.ContentType is not null)
        {
            context.Response.ContentType = answer.ContentType;
        }

        if (answer.WithLength)
        {
            context.Response.ContentLength = Encoding.UTF8.GetByteCount(answer.Body);
        }

        await context.Response.WriteAsync(answer.Body);
    }
}

/// <param name="WithLength">Sent with a Content-Length; otherwise chunked.</param>
internal sealed record ScriptedAnswer(int Status, string Body, string? ContentType = "application/json", bool WithLength = false)
{
    public static ScriptedAnswer Submitted(string taskId) => new(200,
        $$$"""{"code":0,"message":"success","request_id":"upstream-request-1","data":{"task_id":"{{{taskId}}}","task_status":"submitted","created_at":1,"updated_at":1}}""");
}
