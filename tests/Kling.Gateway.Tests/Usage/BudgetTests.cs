using System.Globalization;
using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;
using static Kling.Gateway.Tests.Infrastructure.PrometheusText;

namespace Kling.Gateway.Tests.Usage;

/// <summary>Unit budgets and settlement on each store; with Redis, across two replicas sharing it.</summary>
public abstract class BudgetTests
{
    private const string UsagePath = "/kling/v1/usage";

    protected abstract StoreKind Kind { get; }

    /// <summary>Gateways sharing the store: two replicas on Redis, one gateway on SQLite.</summary>
    private int Replicas => Kind == StoreKind.Redis ? 2 : 1;

    [SkippableFact]
    public async Task Fifty_concurrent_submits_with_a_budget_of_ten_units_admit_exactly_ten_until_midnight_UTC()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 23, 59, 0, TimeSpan.Zero));
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?>
        {
            ["Tenants:0:Limits:UnitsPerDay"] = "10",
            ["Pricing:Rules:0:Units"] = "1",
        });
        var gateways = Start(upstream, settings, clock);
        await using var _ = new Disposables(gateways);
        var clients = gateways.Select(g => g.CreateClient(TestKeys.TenantA)).ToList();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => clients[i % clients.Count].PostAsync(Text2VideoPath, Json(ValidSubmit))));

        Assert.Equal(10, answers.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(10, upstream.Count);
        foreach (var refused in answers.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            var message = await refused.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1102);
            Assert.Contains("daily budget exhausted: 10 units per UTC day", message, StringComparison.Ordinal);
            Assert.Contains("resets at 2026-11-28T00:00:00Z", message, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(60), refused.Headers.RetryAfter!.Delta);
        }

        using var eleventh = await clients[0].PostAsync(Text2VideoPath, Json(ValidSubmit));
        await eleventh.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1102);
        Assert.Equal(10, upstream.Count);

        clock.Advance(TimeSpan.FromSeconds(60));
        using var nextDay = await clients[^1].PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(HttpStatusCode.OK, nextDay.StatusCode);
        Assert.Equal(11, upstream.Received.Count(r => r.Method == "POST"));
        var usage = await UsageAsync(clients[0]);
        Assert.Equal(1m, (decimal)usage["day"]!["reserved"]!);
        Assert.Equal(9m, (decimal)usage["day"]!["remaining"]!);
        Assert.Equal(11m, (decimal)usage["month"]!["reserved"]!);
        Assert.Null(usage["month"]!["budget"]);
    }

    [SkippableFact]
    public async Task The_monthly_budget_refuses_until_the_first_of_the_next_month()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?>
        {
            ["Limits:UnitsPerMonth"] = "2",
            ["Tenants:1:Limits:UnitsPerMonth"] = "100",
        });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock));
        using var a = gateway.CreateClient(TestKeys.TenantA);
        using var b = gateway.CreateClient(TestKeys.TenantB);
        await SubmitAsync(a);
        await SubmitAsync(a);

        using var refused = await a.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var other = await SubmitAsync(b);

        var message = await refused.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1102);
        Assert.Contains("monthly budget exhausted: 2 units per UTC month", message, StringComparison.Ordinal);
        Assert.Contains("resets at 2026-12-01T00:00:00Z", message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromHours(12), refused.Headers.RetryAfter!.Delta);
        Assert.NotEmpty(other);
        Assert.Equal(3, upstream.Count);

        clock.Advance(TimeSpan.FromHours(12));
        Assert.NotEmpty(await SubmitAsync(a));
    }

    [SkippableFact]
    public async Task A_task_whose_answer_carries_final_unit_deduction_settles_to_it_and_usage_and_metrics_agree()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock, new SimulatorOptions { Mode = SimulatorMode.Official, FinalUnitDeduction = "3.5" });
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Upstream:Mode"] = "Official" });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        using var scraper = gateway.CreateMetricsClient();
        var taskId = await SubmitAsync(client, """{"model":"kling-v1","prompt":"A deer","mode":"pro","duration":"10"}""");

        var running = await UsageAsync(client);
        clock.Advance(TimeSpan.FromSeconds(11));
        using var finished = await client.GetAsync(Text2VideoPath + "/" + taskId);
        var settled = await UsageAsync(client);
        var metrics = await scraper.GetStringAsync("/metrics");

        Assert.Equal("succeed", (string)(await finished.ReadJsonAsync())["data"]!["task_status"]!);
        // Reserved at the price table's estimate (kling-v1 pro 10 s: 7 units), settled at what the upstream charged.
        Assert.Equal(7m, (decimal)running["day"]!["reserved"]!);
        Assert.Equal(0m, (decimal)running["day"]!["used"]!);
        foreach (var period in new[] { "day", "month" })
        {
            Assert.Equal(3.5m, (decimal)settled[period]!["used"]!);
            Assert.Equal(0m, (decimal)settled[period]!["reserved"]!);
            var model = Assert.Single(settled[period]!["by_model"]!.AsArray())!;
            Assert.Equal(("kling-v1", "pro", 3.5m, 0m), ((string)model["model"]!, (string)model["mode"]!, (decimal)model["used"]!, (decimal)model["reserved"]!));
        }

        Assert.Equal(3.5, Value(metrics, """kling_gateway_units_total{tenant="tenant-a",model="kling-v1",mode="pro"}"""));
        Assert.Equal(0, Value(metrics, """kling_gateway_units_reserved{tenant="tenant-a",model="kling-v1",mode="pro"}"""));
    }

    [SkippableFact]
    public async Task A_failed_task_costs_nothing_and_gives_its_reservation_back()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:UnitsPerDay"] = "1" });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        upstream.Faults.Current = new FaultSettings(FaultMode.FailTasks, TimeSpan.Zero);
        var taskId = await SubmitAsync(client);
        upstream.Faults.Current = FaultSettings.None;

        using var whileRunning = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        clock.Advance(TimeSpan.FromSeconds(11));
        using var failed = await client.GetAsync(Text2VideoPath + "/" + taskId);
        var usage = await UsageAsync(client);
        using var afterwards = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        await whileRunning.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1102);
        Assert.Equal("failed", (string)(await failed.ReadJsonAsync())["data"]!["task_status"]!);
        Assert.Equal(0m, (decimal)usage["day"]!["used"]!);
        Assert.Equal(0m, (decimal)usage["day"]!["reserved"]!);
        Assert.Equal(1m, (decimal)usage["day"]!["remaining"]!);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        Assert.Equal(2, upstream.Received.Count(r => r.Method == "POST"));
    }

    [SkippableFact]
    public async Task A_submit_the_upstream_refuses_gives_its_units_back_at_once()
    {
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:UnitsPerDay"] = "1" });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        upstream.Faults.Current = new FaultSettings(FaultMode.ServerError, TimeSpan.Zero);

        using var refused = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var afterRefusal = await UsageAsync(client);
        upstream.Faults.Current = FaultSettings.None;
        using var retried = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Equal(0m, (decimal)afterRefusal["day"]!["reserved"]!);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(1m, (decimal)(await UsageAsync(client))["day"]!["reserved"]!);
    }

    [SkippableFact]
    public async Task Queries_on_every_replica_and_the_refresher_seeing_the_same_finish_settle_it_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock, new SimulatorOptions { Mode = SimulatorMode.Official, FinalUnitDeduction = "3.5" });
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?>
        {
            ["Upstream:Mode"] = "Official",
            ["Tasks:RefreshInterval"] = "00:00:30",
        });
        var gateways = Start(upstream, settings, clock);
        await using var _ = new Disposables(gateways);
        var clients = gateways.Select(g => g.CreateClient(TestKeys.TenantA)).ToList();
        using var scraper = gateways[0].CreateMetricsClient();
        var taskIds = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            taskIds.Add(await SubmitAsync(clients[0]));
        }

        // Every task has finished upstream and every refresher is due; the upstream holds each answer (on its clock) until
        // every replica has asked about every task, so all of them learn of the same finishes at the same moment.
        upstream.Faults.Current = new FaultSettings(FaultMode.None, TimeSpan.FromSeconds(1));
        var mark = upstream.Arrived;
        clock.Advance(TimeSpan.FromSeconds(31));
        var polls = clients.SelectMany(c => taskIds.Select(id => c.GetAsync(Text2VideoPath + "/" + id))).ToList();
        var allAsked = await Eventually.TrueAsync(() => upstream.Arrived - mark >= gateways.Count * taskIds.Count);
        clock.Advance(TimeSpan.FromSeconds(1));
        var answers = await Task.WhenAll(polls);
        var usage = await UsageAsync(clients[^1]);
        var metrics = await scraper.GetStringAsync("/metrics");

        Assert.True(allAsked, $"{upstream.Arrived - mark} upstream queries");
        Assert.All(answers, a => Assert.Equal("succeed", (string)a.ReadJsonAsync().GetAwaiter().GetResult()["data"]!["task_status"]!));
        Assert.Equal(17.5m, (decimal)usage["day"]!["used"]!);
        Assert.Equal(0m, (decimal)usage["day"]!["reserved"]!);
        Assert.Equal(17.5, Value(metrics, """kling_gateway_units_total{tenant="tenant-a",model="kling-v1",mode="std"}"""));
    }

    [SkippableFact]
    public async Task A_task_never_seen_to_finish_within_the_maximum_age_is_charged_its_estimate()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow), new SimulatorOptions { FinishAfter = TimeSpan.FromDays(1) });
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?>
        {
            ["Tenants:0:Limits:UnitsPerDay"] = "2",
            ["Tasks:MaxTaskAge"] = "00:05:00",
            ["Tasks:RefreshInterval"] = "01:00:00",
        });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        await SubmitAsync(client);

        clock.Advance(TimeSpan.FromMinutes(5));
        await SubmitAsync(client);
        var usage = await UsageAsync(client);
        using var overBudget = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(1m, (decimal)usage["day"]!["used"]!);
        Assert.Equal(1m, (decimal)usage["day"]!["reserved"]!);
        await overBudget.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1102);
    }

    [SkippableFact]
    public async Task An_idempotent_replay_reserves_nothing_more()
    {
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:UnitsPerDay"] = "1" });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings);
        using var client = gateway.CreateClient(TestKeys.TenantA);
        client.DefaultRequestHeaders.Add("Idempotency-Key", "budget-replay");
        var first = await SubmitAsync(client);

        using var replayed = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first, (string)(await replayed.ReadJsonAsync())["data"]!["task_id"]!);
        Assert.Equal(1m, (decimal)(await UsageAsync(client))["day"]!["reserved"]!);
        Assert.Equal(1, upstream.Count);
    }

    [SkippableFact]
    public async Task Usage_survives_a_restart_and_the_budget_still_counts_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await RecordingUpstream.StartAsync(clock);
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:UnitsPerDay"] = "2" });
        await using (var before = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock)) { DeleteDatabaseOnDispose = false })
        {
            using var client = before.CreateClient(TestKeys.TenantA);
            var finished = await SubmitAsync(client);
            clock.Advance(TimeSpan.FromSeconds(11));
            using var query = await client.GetAsync(Text2VideoPath + "/" + finished);
            await SubmitAsync(client);
        }

        await using var after = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock));
        using var restarted = after.CreateClient(TestKeys.TenantA);
        using var scraper = after.CreateMetricsClient();

        var usage = await UsageAsync(restarted);
        using var overBudget = await restarted.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var metrics = await scraper.GetStringAsync("/metrics");

        Assert.Equal(1m, (decimal)usage["day"]!["used"]!);
        Assert.Equal(1m, (decimal)usage["day"]!["reserved"]!);
        Assert.Equal(0m, (decimal)usage["day"]!["remaining"]!);
        await overBudget.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1102);
        Assert.Equal(1, Value(metrics, """kling_gateway_units_total{tenant="tenant-a",model="kling-v1",mode="std"}"""));
        Assert.Equal(1, Value(metrics, """kling_gateway_units_reserved{tenant="tenant-a",model="kling-v1",mode="std"}"""));
    }

    [SkippableFact]
    public async Task Usage_is_the_callers_own_and_unlimited_budgets_are_null()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 30, 0, TimeSpan.Zero));
        await using var upstream = await RecordingUpstream.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var settings = await TestStore.SettingsAsync(Kind, new Dictionary<string, string?> { ["Tenants:0:Limits:UnitsPerDay"] = "50" });
        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton<TimeProvider>(clock));
        using var a = gateway.CreateClient(TestKeys.TenantA);
        using var b = gateway.CreateClient(TestKeys.TenantB);
        using var anonymous = gateway.CreateClient(key: null);
        await SubmitAsync(a, """{"model":"kling-v1-6","prompt":"A deer","duration":10}""");
        await SubmitAsync(a);
        var mark = upstream.Count;

        using var mineAnswer = await a.GetAsync(UsagePath);
        var mine = (await mineAnswer.ReadJsonAsync())["data"]!;
        var theirs = await UsageAsync(b);
        using var unauthenticated = await anonymous.GetAsync(UsagePath);

        Assert.Equal("application/json; charset=utf-8", mineAnswer.Content.Headers.ContentType!.ToString());
        Assert.Equal("2026-11-27", (string)mine["day"]!["period"]!);
        Assert.Equal("2026-11", (string)mine["month"]!["period"]!);
        Assert.Equal(DateTimeOffset.Parse("2026-11-28T00:00:00Z", CultureInfo.InvariantCulture), (DateTimeOffset)mine["day"]!["resets_at"]!);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T00:00:00Z", CultureInfo.InvariantCulture), (DateTimeOffset)mine["month"]!["resets_at"]!);
        Assert.Equal(5m, (decimal)mine["day"]!["reserved"]!);
        Assert.Equal(50m, (decimal)mine["day"]!["budget"]!);
        Assert.Equal(45m, (decimal)mine["day"]!["remaining"]!);
        Assert.Equal(
            [("kling-v1", "std", 1m), ("kling-v1-6", "std", 4m)],
            mine["day"]!["by_model"]!.AsArray().Select(m => ((string)m!["model"]!, (string)m["mode"]!, (decimal)m["reserved"]!)));
        Assert.Equal(0m, (decimal)theirs["day"]!["reserved"]!);
        Assert.Empty(theirs["day"]!["by_model"]!.AsArray());
        Assert.Null(theirs["day"]!["budget"]);
        Assert.Null(theirs["day"]!["remaining"]);
        await unauthenticated.AssertKlingErrorAsync(HttpStatusCode.Unauthorized, 1001);
        Assert.Equal(mark, upstream.Count);
    }

    private static List<GatewayFactory> Start(RecordingUpstream upstream, Dictionary<string, string?> settings, TimeProvider clock, int? count = null) =>
        [.. Enumerable.Range(0, count ?? 1).Select(_ => new GatewayFactory(upstream.BaseAddress, settings, services => services.AddSingleton(clock)))];

    private List<GatewayFactory> Start(RecordingUpstream upstream, Dictionary<string, string?> settings, TimeProvider clock) =>
        Start(upstream, settings, clock, Replicas);

    private static async Task<JsonObject> UsageAsync(HttpClient client)
    {
        using var response = await client.GetAsync(UsagePath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())["data"]!.AsObject();
    }

    private sealed class Disposables(IEnumerable<GatewayFactory> gateways) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync();
            }
        }
    }
}

public sealed class BudgetTestsOnSqlite : BudgetTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class BudgetTestsOnRedis : BudgetTests
{
    protected override StoreKind Kind => StoreKind.Redis;
}
