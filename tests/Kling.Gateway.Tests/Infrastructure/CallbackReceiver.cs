using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// A webhook receiver on a loopback address (127.0.0.1 unless told otherwise), recording every request; it answers
/// 200 unless <see cref="Answer"/> says otherwise for the n-th request (1-based).
/// </summary>
internal sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedCallback> _received = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public Func<int, (int Status, IReadOnlyDictionary<string, string>? Headers)> Answer { get; set; } = _ => (200, null);

    public IReadOnlyList<ReceivedCallback> Received => [.. _received];

    public int Count => _received.Count;

    public static async Task<CallbackReceiver> StartAsync(string address = "127.0.0.1", int port = 0)
    {
        var receiver = new CallbackReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{address}:{port}");
        var app = builder.Build();
        app.Run(receiver.ReceiveAsync);
        await app.StartAsync();
        receiver._app = app;
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return receiver;
    }

    /// <summary>The receiver's URL for <paramref name="path"/>.</summary>
    public string Url(string path = "/hooks/kling") => new Uri(BaseAddress, path).ToString();

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new StreamReader(context.Request.Body);
        var text = await body.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        int number;
        lock (_received)
        {
            _received.Enqueue(new ReceivedCallback(context.Request.Path + context.Request.QueryString, headers, text));
            number = _received.Count;
        }

        var (status, answerHeaders) = Answer(number);
        context.Response.StatusCode = status;
        foreach (var (name, value) in answerHeaders ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }
    }
}

internal sealed record ReceivedCallback(string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Header(string name) => Headers[name];

    public System.Text.Json.Nodes.JsonObject Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!.AsObject();

    /// <summary>Verifies the signature with the StandardWebhooks package (independent of the gateway's signer); throws if invalid.</summary>
    public void Verify(string secret) => Verify(secret, Header("webhook-signature"));

    /// <summary>
    /// Verifies each entry of the signature header alone with the package, the n-th with the n-th secret (the package
    /// checks only the first entry of a header, so rotation needs each entry on its own); throws if one is invalid.
    /// </summary>
    public void VerifyEachEntry(params string[] secrets)
    {
        var entries = Header("webhook-signature").Split(' ');
        Assert.Equal(secrets.Length, entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            Verify(secrets[i], entries[i]);
        }
    }

    private void Verify(string secret, string signature)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in Headers)
        {
            headers[name] = value;
        }

        headers["webhook-signature"] = signature;
        new StandardWebhooks.StandardWebhook(secret).Verify(Body, headers);
    }

    /// <summary>The check README.md shows for receivers in C#: any entry of the signature header matches, timestamp within 5 minutes.</summary>
    public bool PassesReadmeCheck(string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        string id = Header("webhook-id"), timestamp = Header("webhook-timestamp");
        if (!long.TryParse(timestamp, out var seconds) || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }

        var expected = System.Text.Encoding.ASCII.GetBytes("v1," + Convert.ToBase64String(
            System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes($"{id}.{timestamp}.{Body}"))));
        return Header("webhook-signature").Split(' ')
            .Any(signature => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(signature), expected));
    }
}
