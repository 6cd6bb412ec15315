using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Upstream;

public sealed class BuiltInSimulatorTests
{
    [Fact]
    public async Task With_no_upstream_configured_the_built_in_simulator_serves_submits_and_queries()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = new GatewayFactory(upstream: null, services: services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient(TestKeys.TenantA);

        using var submitted = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var taskId = (string)(await submitted.ReadJsonAsync())["data"]!["task_id"]!;
        clock.Advance(TimeSpan.FromMinutes(1));
        using var queried = await client.GetAsync(Text2VideoPath + "/" + taskId);
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var data = (await queried.ReadJsonAsync())["data"]!;
        Assert.Equal("succeed", (string)data["task_status"]!);
        Assert.Equal("5", (string)data["task_result"]!["videos"]![0]!["duration"]!);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains(gateway.Logs.Events, e => e.Level == Serilog.Events.LogEventLevel.Warning
            && e.MessageTemplate.Text.Contains("built-in Kling simulator", StringComparison.Ordinal));
    }
}
