using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Callbacks.CallbackTesting;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>With Callbacks:PublicBaseUrl the upstream gets the gateway's own callback URL, a hint to query again.</summary>
public sealed class CallbackHintTests
{
    [SkippableFact]
    public async Task The_upstream_gets_the_gateways_url_whose_call_is_only_a_hint_to_query_through_the_normal_path()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var receiver = await CallbackReceiver.StartAsync();
        var settings = await SettingsAsync(StoreKind.Sqlite, new Dictionary<string, string?>
        {
            ["Callbacks:PublicBaseUrl"] = "https://kling-gateway.example/",
            ["Tasks:RefreshInterval"] = "01:00:00",
        });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings, Resolving(new HostsTable()));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client, Submit(receiver.Url()));
        var given = (string)upstream.Received[0].JsonBody["callback_url"]!;
        using var anonymous = gateway.CreateClient(key: null);
        clock.Advance(TimeSpan.FromSeconds(3));
        var queriesBefore = upstream.Count;

        // A lying body changes nothing: the gateway asks the upstream itself.
        using var hint = await anonymous.PostAsync(new Uri(given).AbsolutePath, Json($$"""{"task_id":"{{taskId}}","task_status":"succeed"}"""));
        var delivered = await Eventually.TrueAsync(() => receiver.Count == 1);
        using var unknown = await anonymous.PostAsync("/kling/callbacks/not-a-token", Json("{}"));

        Assert.StartsWith("https://kling-gateway.example/kling/callbacks/", given, StringComparison.Ordinal);
        Assert.True(given.Length > "https://kling-gateway.example/kling/callbacks/".Length + 40);
        Assert.Equal(HttpStatusCode.NoContent, hint.StatusCode);
        Assert.Equal(queriesBefore + 1, upstream.Count);
        Assert.Equal("GET", upstream.Received[^1].Method);
        Assert.True(delivered);
        Assert.Equal("processing", (string)receiver.Received[0].Json["data"]!["task_status"]!);
        await unknown.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        AssertNoTenantCallbackReachedUpstream(upstream, receiver.Url());
    }
}
