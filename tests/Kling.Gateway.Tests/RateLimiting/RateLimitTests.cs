using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.RateLimiting;

public abstract class RateLimitTests
{
    protected abstract StoreKind Kind { get; }

    [SkippableFact]
    public async Task A_tenant_over_its_submit_limit_gets_429_1302_while_another_tenant_is_untouched()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?>
        {
            ["Tenants:0:Limits:SubmitsPerMinute"] = "5",
            ["Tenants:1:Limits:SubmitsPerMinute"] = "100",
        }));
        using var a = gateway.CreateClient(TestKeys.TenantA);
        using var b = gateway.CreateClient(TestKeys.TenantB);

        var fromA = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => a.PostAsync(Text2VideoPath, Json(ValidSubmit))));
        var fromB = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => b.PostAsync(Text2VideoPath, Json(ValidSubmit))));

        Assert.Equal(5, fromA.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in fromA.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            var message = await refused.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1302);
            Assert.Contains("5 submits per minute", message, StringComparison.Ordinal);
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(12));
            Assert.Equal("0", Header(refused, "RateLimit-Remaining"));
        }

        Assert.All(fromB, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(fromA.Concat(fromB), r => Assert.NotNull(Header(r, "RateLimit-Reset")));
        Assert.Equal(["5"], fromA.Select(r => Header(r, "RateLimit-Limit")).Distinct());
        Assert.Equal(15, upstream.Count);
    }

    [SkippableFact]
    public async Task Queries_have_their_own_limit_and_remaining_counts_down()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?>
        {
            ["Limits:QueriesPerMinute"] = "3",
        }));
        using var client = gateway.CreateClient(TestKeys.TenantA);
        var taskId = await SubmitAsync(client);
        var mark = upstream.Count;

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.GetAsync(Text2VideoPath + "/" + taskId));
        }

        Assert.Equal(["2", "1", "0", "0"], answers.Select(r => Header(r, "RateLimit-Remaining")));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], answers.Take(3).Select(r => r.StatusCode));
        await answers[3].AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1302);
        Assert.Equal(3, upstream.Count - mark);
    }

    [SkippableFact]
    public async Task A_limit_of_two_billion_per_minute_admits_everything()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = new GatewayFactory(upstream.BaseAddress, await TestStore.SettingsAsync(Kind, new Dictionary<string, string?>
        {
            ["Limits:SubmitsPerMinute"] = "2000000000",
        }));
        using var client = gateway.CreateClient(TestKeys.TenantA);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.PostAsync(Text2VideoPath, Json(ValidSubmit))));

        Assert.All(answers, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(["2000000000"], answers.Select(r => Header(r, "RateLimit-Limit")).Distinct());
        Assert.All(answers, r => Assert.InRange(int.Parse(Header(r, "RateLimit-Remaining")!, System.Globalization.CultureInfo.InvariantCulture), 1_999_999_900, 1_999_999_999));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}

public sealed class RateLimitTestsOnSqlite : RateLimitTests
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class RateLimitTestsOnRedis : RateLimitTests
{
    protected override StoreKind Kind => StoreKind.Redis;
}
