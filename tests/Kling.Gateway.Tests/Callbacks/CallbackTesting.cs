using Kling.Gateway.Callbacks;
using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>What the callback tests share: tenant A's webhook secret, receivers on 127.0.0.1 allowed, a fixed hosts table.</summary>
internal static class CallbackTesting
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    /// <summary>A second secret of tenant A's, for rotation.</summary>
    public const string NextSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    public static string Submit(string callbackUrl) =>
        $$"""{"model":"kling-v1","prompt":"A deer running in the forest","callback_url":"{{callbackUrl}}"}""";

    /// <summary>Settings of a gateway on <paramref name="kind"/> whose tenant A signs with <see cref="Secret"/>, refreshing every second.</summary>
    public static Task<Dictionary<string, string?>> SettingsAsync(StoreKind kind, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tenants:0:WebhookSecrets:0"] = Secret,
            ["Callbacks:AllowedNetworks:0"] = "127.0.0.1/32",
            ["Tasks:RefreshInterval"] = "00:00:01",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestStore.SettingsAsync(kind, settings);
    }

    /// <summary>Names resolve through <paramref name="hosts"/> only (no DNS query ever leaves the machine).</summary>
    public static Action<IServiceCollection> Resolving(HostsTable hosts) => services => services.AddSingleton(hosts.Resolver);

    /// <summary>
    /// A gateway on <paramref name="kind"/> with <see cref="SettingsAsync"/>'s settings in front of <paramref name="upstream"/>,
    /// resolving names through an empty hosts table; on <paramref name="clock"/> when one is given.
    /// </summary>
    public static async Task<GatewayFactory> GatewayAsync(RecordingUpstream upstream, StoreKind kind, TimeProvider? clock = null) =>
        new(upstream.BaseAddress, await SettingsAsync(kind), services =>
        {
            Resolving(new HostsTable())(services);
            if (clock is not null)
            {
                services.AddSingleton(clock);
            }
        });

    /// <summary>Asserts that no request the upstream received carried a callback_url other than the gateway's own.</summary>
    public static void AssertNoTenantCallbackReachedUpstream(RecordingUpstream upstream, string tenantUrl)
    {
        foreach (var exchange in upstream.Received)
        {
            Assert.DoesNotContain(tenantUrl, System.Text.Encoding.UTF8.GetString(exchange.Body), StringComparison.Ordinal);
            Assert.DoesNotContain(tenantUrl, exchange.PathAndQuery, StringComparison.Ordinal);
        }
    }

    public static async Task<string> MetricsAsync(GatewayFactory gateway)
    {
        using var scraper = gateway.CreateMetricsClient();
        return await scraper.GetStringAsync("/metrics");
    }

    /// <summary>Waits (bounded) until tenant A's deliveries count <paramref name="count"/> of <paramref name="outcome"/>.</summary>
    public static Task<bool> OutcomeCountedAsync(GatewayFactory gateway, string outcome, int count) =>
        Eventually.TrueAsync(async () => (await MetricsAsync(gateway)).Contains($"{Label("tenant-a", outcome)} {count}\n", StringComparison.Ordinal));

    /// <summary>The value of a series that must be present (a missing one is not read as 0).</summary>
    public static double Series(string metrics, string series)
    {
        Assert.Contains("\n" + series + " ", metrics, StringComparison.Ordinal);
        return PrometheusText.Value(metrics, series);
    }

    public static string QueueDepth(string tenant) => $"kling_gateway_callback_queue_depth{{tenant=\"{tenant}\"}}";

    public static string OldestPendingAge(string tenant) => $"kling_gateway_callback_oldest_pending_age_seconds{{tenant=\"{tenant}\"}}";

    public static string Label(string tenant, string outcome) =>
        $"kling_gateway_callback_deliveries_total{{tenant=\"{tenant}\",outcome=\"{outcome}\"}}";

    public static string EventType => CallbackEvents.EventType;
}
