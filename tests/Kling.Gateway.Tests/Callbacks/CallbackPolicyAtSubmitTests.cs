using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Callbacks.CallbackTesting;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>
/// A tenant's callback_url is checked at submit (form, tenant secret, SSRF policy) and at each delivery; a refusal
/// sends nothing anywhere. Names resolve through a fixed table and the only receivers are on loopback.
/// </summary>
public sealed class CallbackPolicyAtSubmitTests
{
    [SkippableFact]
    public async Task Internal_destinations_in_every_spelling_are_refused_at_submit_naming_callback_url_and_nothing_is_forwarded()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        // A receiver on loopback, which every loopback spelling below names: it would count any call that got through.
        await using var receiver = await CallbackReceiver.StartAsync();
        var port = receiver.BaseAddress.Port;
        var hosts = new HostsTable();
        hosts.Set("loopback.test", IPAddress.Loopback);
        // Only a documentation network (never dialled) is allowed: the policy's defaults decide.
        await using var gateway = new GatewayFactory(
            upstream.BaseAddress, await SettingsAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Callbacks:AllowedNetworks:0"] = "192.0.2.0/24" }), Resolving(hosts));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        string[] refused =
        [
            $"http://127.0.0.1:{port}/hook", $"http://[::1]:{port}/hook", $"http://localhost:{port}/hook", $"http://0.0.0.0:{port}/hook",
            "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/hook", "http://100.64.0.1/hook",
            $"http://[::ffff:127.0.0.1]:{port}/hook", $"http://2130706433:{port}/hook", $"http://loopback.test:{port}/hook",
            "http://unresolvable.test/hook",
        ];

        foreach (var url in refused)
        {
            using var response = await client.PostAsync(Text2VideoPath, Json(Submit(url)));
            var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
            Assert.StartsWith("callback_url is not allowed", message, StringComparison.Ordinal);
        }

        Assert.Equal(0, upstream.Arrived);
        Assert.Equal(0, receiver.Count);
    }

    [SkippableFact]
    public async Task A_tenant_without_a_webhook_secret_cannot_use_callback_url()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var gateway = await GatewayAsync(upstream, StoreKind.Sqlite);
        using var tenantB = gateway.CreateClient(TestKeys.TenantB);

        using var response = await tenantB.PostAsync(Text2VideoPath, Json(Submit(receiver.Url())));

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
        Assert.Contains("callback_url", message, StringComparison.Ordinal);
        Assert.Contains("no webhook secret", message, StringComparison.Ordinal);
        Assert.Equal(0, upstream.Arrived);
    }

    [SkippableFact]
    public async Task The_same_idempotency_key_with_another_callback_url_is_another_request_not_a_retry()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var gateway = await GatewayAsync(upstream, StoreKind.Sqlite);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        client.DefaultRequestHeaders.Add("Idempotency-Key", "order-7");

        using var first = await client.PostAsync(Text2VideoPath, Json(Submit(receiver.Url("/hooks/one"))));
        using var retry = await client.PostAsync(Text2VideoPath, Json(Submit(receiver.Url("/hooks/one"))));
        using var other = await client.PostAsync(Text2VideoPath, Json(Submit(receiver.Url("/hooks/two"))));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        await other.AssertKlingErrorAsync(HttpStatusCode.UnprocessableEntity, 1201);
        Assert.Equal(1, upstream.Arrived);
    }

    [SkippableFact]
    public async Task Callback_url_must_be_http_without_user_info_and_at_most_2048_characters()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var gateway = await GatewayAsync(upstream, StoreKind.Sqlite);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var prefix = receiver.Url("/hooks?pad=");
        var atLimit = prefix + new string('a', 2048 - prefix.Length);
        var pastLimit = atLimit + "a";
        var userInfo = receiver.Url().Replace("http://", "http://user:secret@", StringComparison.Ordinal);

        foreach (var bad in new[] { pastLimit, userInfo, "ftp://127.0.0.1/hook", "/relative/hook", "http:///nohost" })
        {
            using var refused = await client.PostAsync(Text2VideoPath, Json(Submit(bad)));
            Assert.Equal("callback_url must be an absolute http(s) URL of at most 2048 characters, without user info",
                await refused.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201));
        }

        var arrivedBefore = upstream.Arrived;
        using var accepted = await client.PostAsync(Text2VideoPath, Json(Submit(atLimit)));

        Assert.Equal(0, arrivedBefore);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(1, upstream.Arrived);
        AssertNoTenantCallbackReachedUpstream(upstream, atLimit);
    }

    [SkippableFact]
    public async Task A_host_that_resolves_to_a_refused_address_at_delivery_gets_nothing_and_the_attempt_fails_with_a_reason()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var allowed = await CallbackReceiver.StartAsync("127.0.0.1");
        // Same port on another loopback address, which the policy refuses (only 127.0.0.1/32 is allowed).
        await using var rebound = await CallbackReceiver.StartAsync("127.0.0.2", allowed.BaseAddress.Port);
        var hosts = new HostsTable();
        hosts.Set("hooks.test", IPAddress.Loopback);
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await SettingsAsync(StoreKind.Sqlite), Resolving(hosts));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client, Submit($"http://hooks.test:{allowed.BaseAddress.Port}/hooks"));

        hosts.Set("hooks.test", IPAddress.Parse("127.0.0.2"));
        clock.Advance(TimeSpan.FromSeconds(3));
        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);
        var retried = await OutcomeCountedAsync(gateway, "retried", 1);

        Assert.True(retried);
        Assert.Equal(0, allowed.Count);
        Assert.Equal(0, rebound.Count);
        Assert.Contains("127.0.0.2, a loopback, private, link-local or otherwise internal address", gateway.Logs.AllText, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_receiver_redirecting_to_a_refused_address_is_not_followed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var target = await CallbackReceiver.StartAsync("127.0.0.2");
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Answer = _ => (307, new Dictionary<string, string> { ["Location"] = target.Url() });
        await using var gateway = await GatewayAsync(upstream, StoreKind.Sqlite);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client, Submit(receiver.Url()));

        clock.Advance(TimeSpan.FromSeconds(3));
        using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);
        var retried = await OutcomeCountedAsync(gateway, "retried", 1);

        Assert.True(retried);
        Assert.Equal(1, receiver.Count);
        Assert.Equal(0, target.Count);
    }
}
