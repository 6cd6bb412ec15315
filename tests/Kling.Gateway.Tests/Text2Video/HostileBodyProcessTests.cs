using System.Diagnostics;
using System.Text;
using Kling.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Text2Video;

/// <summary>
/// Hostile bodies against the gateway as its own process, measured from outside: refusing one costs a few kilobytes of
/// reading, not the body's size in memory.
/// </summary>
[Collection(ProcessLimitsCollection.Name)]
public sealed class HostileBodyProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Eight_concurrent_10_MB_bodies_of_100_000_properties_are_refused_at_once_without_the_process_growing()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = await GatewayProcess.StartReadyAsync(
            upstream.BaseAddress, new Dictionary<string, string> { ["Limits__SubmitsPerMinute"] = "1000" });
        using var client = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.TenantA);
        // Warm: the submit path has run once before memory is measured.
        using (var warm = await client.PostAsync(Text2VideoPath, Json(ValidSubmit)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var body = HundredThousandProperties();
        var before = gateway.ResidentBytes().Current;
        var clock = Stopwatch.StartNew();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync(Text2VideoPath, content);
            var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
            return (clock.Elapsed, message);
        }));

        var peak = gateway.ResidentBytes().Peak;
        var slowest = answers.Max(a => a.Elapsed);
        output.WriteLine($"8 x {body.Length:N0} bytes refused, the last after {slowest.TotalMilliseconds:N0} ms; RSS {before / 1048576.0:N1} MiB before, peak {peak / 1048576.0:N1} MiB (growth {(peak - before) / 1048576.0:N1} MiB)");
        Assert.All(answers, a => Assert.Equal("k17 is not accepted: at most 16 unknown fields are forwarded", a.message));
        Assert.Single(upstream.Received);
        // Acceptance bounds (not a performance benchmark): refused within 3 s, under 200 MB more memory at the peak.
        Assert.True(slowest < TimeSpan.FromSeconds(3), $"the last refusal took {slowest}");
        Assert.True(peak - before < 200_000_000, $"RSS grew from {before} to a peak of {peak} bytes");
    }

    /// <summary>About 10 MB: a valid submit followed by 100 000 unknown properties of ~100 bytes each.</summary>
    private static byte[] HundredThousandProperties()
    {
        var text = new StringBuilder(10_500_000).Append("""{"model":"kling-v1","prompt":"p" """);
        var value = new string('v', 88);
        for (var i = 1; i <= 100_000; i++)
        {
            text.Append(",\"k").Append(i).Append("\":\"").Append(value).Append('"');
        }

        return Encoding.UTF8.GetBytes(text.Append('}').ToString());
    }
}
