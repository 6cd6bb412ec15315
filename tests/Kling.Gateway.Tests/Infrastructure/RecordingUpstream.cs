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
    private readonly ConcurrentDictionary<string, byte[]> _idempotentAnswers = new(StringComparer.Ordinal);
    private SimulatorServer? _server;
    private int _arrived;

    public Uri BaseAddress => Server.BaseAddress;

    public SimulatorFaults Faults => Server.Faults;

    /// <summary>Exchanges completed (answered).</summary>
    public int Count => _received.Count;

    /// <summary>Requests that have arrived, answered or not yet.</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    public IReadOnlyList<RecordedExchange> Received => [.. _received];

    /// <summary>The submits received (POSTs), answered or not.</summary>
    public IReadOnlyList<RecordedExchange> Submits => [.. _received.Where(e => e.Method == "POST")];

    /// <summary>Like many aggregators: a submit repeating an <c>Idempotency-Key</c> header gets the first answer again.</summary>
    public bool ReplaysIdempotencyKeys { get; set; }

    /// <summary>When set, a submit's answer is held (the task already exists) until the task completes or the caller goes away.</summary>
    public Task? HoldSubmitAnswers { get; set; }

    /// <summary>Runs once a submit has been answered by the simulator, before the answer leaves (e.g. to fail a store right then).</summary>
    public Func<RecordedExchange, Task>? AfterSubmit { get; set; }

    /// <summary>When set, every submit is answered with this body (status 200) instead of reaching the simulator.</summary>
    public byte[]? FixedSubmitAnswer { get; set; }

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
        var isSubmit = HttpMethods.IsPost(context.Request.Method);
        var idempotencyKey = isSubmit && ReplaysIdempotencyKeys ? context.Request.Headers["Idempotency-Key"].ToString() : "";

        var original = context.Response.Body;
        using var responseBody = new MemoryStream();
        context.Response.Body = responseBody;
        RecordedExchange exchange;
        try
        {
            if (idempotencyKey.Length > 0 && _idempotentAnswers.TryGetValue(idempotencyKey, out var replay))
            {
                context.Response.ContentType = "application/json";
                await responseBody.WriteAsync(replay);
            }
            else if (isSubmit && FixedSubmitAnswer is { } fixedAnswer)
            {
                context.Response.ContentType = "application/json";
                await responseBody.WriteAsync(fixedAnswer);
            }
            else
            {
                await next(context);
            }
        }
        finally
        {
            context.Response.Body = original;
            exchange = new RecordedExchange(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                requestBody.ToArray(),
                context.Response.StatusCode,
                responseBody.ToArray());
            _received.Enqueue(exchange);
        }

        if (idempotencyKey.Length > 0 && exchange.ResponseStatus == 200)
        {
            _idempotentAnswers.TryAdd(idempotencyKey, exchange.ResponseBody);
        }

        if (isSubmit && HoldSubmitAnswers is { } hold)
        {
            await hold.WaitAsync(context.RequestAborted);
        }

        if (isSubmit && AfterSubmit is { } after)
        {
            await after(exchange);
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
