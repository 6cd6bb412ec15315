using System.Collections.Concurrent;
using Kling.Simulator;
using Microsoft.AspNetCore.Builder;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>The Kling simulator on a loopback port, recording every request it receives and every answer it gives.</summary>
internal sealed class RecordingUpstream : IAsyncDisposable
{
    public const string ApiKey = "upstream-key-0123456789-abcdefghijklmnop";
    public const string AccessKey = "upstream-access-key-0123456789";
    public const string SecretKey = "upstream-secret-key-0123456789-abcdefghij";

    private readonly ConcurrentQueue<RecordedExchange> _received = new();
    private SimulatorServer? _server;
    private int _arrived;

    public Uri BaseAddress => Server.BaseAddress;

    public SimulatorFaults Faults => Server.Faults;

    /// <summary>Exchanges completed (answered).</summary>
    public int Count => _received.Count;

    /// <summary>Requests that have arrived, answered or not yet.</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    public IReadOnlyList<RecordedExchange> Received => [.. _received];

    private SimulatorServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>Requests received after the first <paramref name="mark"/> ones.</summary>
    public IReadOnlyList<RecordedExchange> Since(int mark) => [.. _received.Skip(mark)];

    public static async Task<RecordingUpstream> StartAsync(TimeProvider? time = null, SimulatorOptions? options = null)
    {
        var upstream = new RecordingUpstream();
        options ??= new SimulatorOptions();
        options.ApiKey = ApiKey;
        options.AccessKey = AccessKey;
        options.SecretKey = SecretKey;
        upstream._server = await SimulatorServer.StartAsync(options, time ?? TimeProvider.System, app => app.Use((HttpContext context, RequestDelegate next) => upstream.RecordAsync(context, next)));
        return upstream;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        Interlocked.Increment(ref _arrived);
        using var requestBody = new MemoryStream();
        await context.Request.Body.CopyToAsync(requestBody);
        requestBody.Position = 0;
        context.Request.Body = requestBody;

        var original = context.Response.Body;
        using var responseBody = new MemoryStream();
        context.Response.Body = responseBody;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
            _received.Enqueue(new RecordedExchange(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                requestBody.ToArray(),
                context.Response.StatusCode,
                responseBody.ToArray()));
        }

        responseBody.Position = 0;
        await responseBody.CopyToAsync(original);
    }
}

internal sealed record RecordedExchange(
    string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body, int ResponseStatus, byte[] ResponseBody)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public System.Text.Json.Nodes.JsonObject JsonBody => System.Text.Json.Nodes.JsonNode.Parse(Body)!.AsObject();
}
