using System.Diagnostics;
using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Recovery;

/// <summary>
/// The published gateway is killed (<c>kill -9</c>) while a tenant's submits are in flight on a slow upstream that has
/// already created their tasks. The restarted gateway must give the tenant its slots back, and account for the tasks.
/// </summary>
public abstract class CrashRecoveryTests(ITestOutputHelper output)
{
    protected abstract StoreKind Kind { get; }

    [SkippableFact]
    public async Task After_kill_9_the_tenant_submits_again_within_15_s_and_the_orphaned_tasks_are_adopted()
    {
        var (upstream, created, restarted, sinceCrash, sinceRestart) = await CrashWithTwoSubmitsInFlightAsync(lookup: true);
        await using (upstream)
        await using (restarted)
        {
            using var client = Client(restarted, TestKeys.TenantA);
            // Adopted: recorded as the tenant's (with the external_task_id it sent), readable, counted in the metrics.
            Assert.True(await Eventually.TrueAsync(async () => (await ListedAsync(client)).IsSupersetOf(created)), "the orphans were not adopted");
            foreach (var taskId in created)
            {
                using var query = await client.GetAsync(Text2VideoPath + "/" + taskId);
                Assert.Equal(HttpStatusCode.OK, query.StatusCode);
            }

            using var scraper = new HttpClient { BaseAddress = restarted.MetricsAddress };
            var metrics = await scraper.GetStringAsync("/metrics");
            Assert.Contains("""kling_gateway_reservations_reclaimed_total{tenant="tenant-a",outcome="adopted"} 2""", metrics, StringComparison.Ordinal);
            output.WriteLine($"{Kind}: the tenant submitted again {sinceRestart.TotalSeconds:0.0} s after the restart, {sinceCrash.TotalSeconds:0.0} s after kill -9");
        }
    }

    [SkippableFact]
    public async Task After_kill_9_with_an_upstream_that_cannot_look_up_the_orphans_are_named_in_a_warning()
    {
        var (upstream, _, restarted, _, _) = await CrashWithTwoSubmitsInFlightAsync(lookup: false);
        await using (upstream)
        await using (restarted)
        {
            var externalIds = upstream.Submits.Take(2).Select(s => (string)s.JsonBody["external_task_id"]!).ToList();
            foreach (var externalId in externalIds)
            {
                Assert.True(await restarted.WaitForOutputAsync(externalId), "no warning names " + externalId + ":\n" + restarted.Output);
            }

            Assert.Contains("Possible orphan", restarted.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Two submits of tenant A (MaxActiveTasks 2) reach an upstream that creates their tasks and holds the answers; the
    /// gateway is killed and restarted on the same store; returns once the tenant has submitted successfully again.
    /// </summary>
    private async Task<(RecordingUpstream Upstream, HashSet<string> Created, GatewayProcess Restarted, TimeSpan SinceCrash, TimeSpan SinceRestart)> CrashWithTwoSubmitsInFlightAsync(bool lookup)
    {
        // Slow to answer, quick to generate: adopted tasks that were still running would rightly keep holding their slots.
        var upstream = await RecordingUpstream.StartAsync(options: new Kling.Simulator.SimulatorOptions
        {
            ProcessingAfter = TimeSpan.FromMilliseconds(500),
            FinishAfter = TimeSpan.FromSeconds(1),
        });
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.HoldSubmitAnswers = hold.Task;
        var store = await TestStore.SettingsAsync(Kind);
        var environment = new Dictionary<string, string>
        {
            ["Upstream__BaseUrl"] = upstream.BaseAddress.ToString(),
            ["Upstream__ApiKey"] = RecordingUpstream.ApiKey,
            ["Upstream__Timeout"] = "00:00:04",
            ["Upstream__ExternalTaskIdLookup"] = lookup ? "true" : "false",
            ["Tenants__0__Id"] = "tenant-a",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
            ["Tenants__0__Limits__MaxActiveTasks"] = "2",
        };
        foreach (var (key, value) in store)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        await using var first = GatewayProcess.Start(environment);
        first.DeleteDatabaseOnDispose = false;
        await first.WaitUntilReadyAsync();
        using var client = Client(first, TestKeys.TenantA);
        var inFlight = new[] { SubmitQuietlyAsync(client), SubmitQuietlyAsync(client) };
        // Both tasks exist upstream; their answers are held.
        Assert.True(await Eventually.TrueAsync(() => upstream.Submits.Count == 2), "the submits never reached the upstream");
        var sinceCrash = Stopwatch.StartNew();
        await first.KillAsync();
        await Task.WhenAll(inFlight);
        hold.SetResult();
        var created = upstream.Submits.Select(s => (string)JsonNode.Parse(s.ResponseBody)!["data"]!["task_id"]!).ToHashSet();

        // The same store: the restarted gateway (SQLite) or another replica (Redis).
        var restarted = GatewayProcess.Start(environment);
        try
        {
            await restarted.WaitUntilReadyAsync();
            var sinceRestart = Stopwatch.StartNew();
            using var again = Client(restarted, TestKeys.TenantA);
            // A client retrying every 250 ms for at most 15 s once the gateway is back (how long a start takes is the machine's).
            while (true)
            {
                using var response = await again.PostAsync(Text2VideoPath, Json(ValidSubmit));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                await response.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1303);
                Assert.True(sinceRestart.Elapsed < TimeSpan.FromSeconds(15), $"still refused {sinceRestart.Elapsed.TotalSeconds:0.0} s after the restart");
                await Task.Delay(250);
            }

            return (upstream, created, restarted, sinceCrash.Elapsed, sinceRestart.Elapsed);
        }
        catch
        {
            await restarted.DisposeAsync();
            await upstream.DisposeAsync();
            throw;
        }
    }

    private static HttpClient Client(GatewayProcess gateway, string key)
    {
        var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>A submit whose answer never comes (its gateway is killed).</summary>
    private static async Task SubmitQuietlyAsync(HttpClient client)
    {
        try
        {
            (await client.PostAsync(Text2VideoPath, Json(ValidSubmit))).Dispose();
        }
        catch (HttpRequestException)
        {
            // the gateway died
        }
    }

    private static async Task<HashSet<string>> ListedAsync(HttpClient client)
    {
        using var list = await client.GetAsync(Text2VideoPath);
        return [.. (await list.ReadJsonAsync())["data"]!.AsArray().Select(t => (string)t!["task_id"]!)];
    }
}

public sealed class CrashRecoveryTestsOnSqlite(ITestOutputHelper output) : CrashRecoveryTests(output)
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class CrashRecoveryTestsOnRedis(ITestOutputHelper output) : CrashRecoveryTests(output)
{
    protected override StoreKind Kind => StoreKind.Redis;
}
