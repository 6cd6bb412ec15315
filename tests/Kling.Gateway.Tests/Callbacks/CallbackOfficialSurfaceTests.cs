using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Callbacks.CallbackTesting;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>A Kling SDK's submit under <c>/v1</c> keeps its callback_url at the gateway too, and is called back the same way.</summary>
public sealed class CallbackOfficialSurfaceTests
{
    [SkippableFact]
    public async Task An_official_submit_with_a_callback_url_is_called_back_and_the_url_never_goes_upstream()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var gateway = await GatewayAsync(upstream, StoreKind.Sqlite);
        using var sdk = gateway.CreateClient(TestJwt.Kling(TestKeys.TenantAAccessKey, TestKeys.TenantASecretKey, DateTimeOffset.UtcNow));

        using var submitted = await sdk.PostAsync(OfficialText2VideoPath,
            Json($$"""{"model_name":"kling-v1","prompt":"A deer","callback_url":"{{receiver.Url()}}"}"""));
        var taskId = (string)(await submitted.ReadJsonAsync())["data"]!["task_id"]!;
        clock.Advance(TimeSpan.FromSeconds(3));
        var called = await Eventually.TrueAsync(() => receiver.Count == 1);

        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        Assert.True(called, $"events received: {receiver.Count}");
        receiver.Received[0].Verify(Secret);
        Assert.Equal(taskId, (string)receiver.Received[0].Json["data"]!["task_id"]!);
        Assert.Equal("processing", (string)receiver.Received[0].Json["data"]!["task_status"]!);
        Assert.Null(upstream.Received[0].JsonBody["callback_url"]);
        AssertNoTenantCallbackReachedUpstream(upstream, receiver.Url());
    }
}
