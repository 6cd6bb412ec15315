using System.Text;
using Kling.Gateway.Tests.Infrastructure;
using Kling.Simulator;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Simulator;

/// <summary>The simulator as the official Kling API: what the gateway's official-mode tests and first runs rely on.</summary>
public sealed class OfficialSimulatorTests
{
    private const string Path = "/v1/videos/text2video";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task It_lists_tasks_newest_first_within_the_documented_page_bounds()
    {
        await using var upstream = await StartAsync();
        using var client = Client(upstream, Token(_clock.GetUtcNow()));
        var first = await SubmitAsync(client, """{"prompt":"one"}""");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = await SubmitAsync(client, """{"prompt":"two"}""");

        using var page = await client.GetAsync(Path + "?pageNum=1&pageSize=500");
        using var secondPage = await client.GetAsync(Path + "?pageNum=1000&pageSize=1");
        var data = (await page.ReadJsonAsync())["data"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal([second, first], data.Select(t => (string)t!["task_id"]!));
        Assert.Empty((await secondPage.ReadJsonAsync())["data"]!.AsArray());
        foreach (var query in new[] { "pageNum=0", "pageNum=1001", "pageSize=0", "pageSize=501", "pageSize=ten" })
        {
            using var refused = await client.GetAsync(Path + "?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(1201, (int)(await refused.ReadJsonAsync())["code"]!);
        }
    }

    [Fact]
    public async Task Finished_tasks_carry_the_units_charged_and_the_watermark_setting_and_model_name_defaults_to_kling_v1()
    {
        await using var upstream = await StartAsync();
        using var client = Client(upstream, Token(_clock.GetUtcNow()));
        var pro = await SubmitAsync(client, """{"prompt":"p","mode":"pro","duration":"10","watermark_info":{"enabled":true}}""");
        var running = (await (await client.GetAsync(Path + "/" + pro)).ReadJsonAsync())["data"]!.AsObject();

        _clock.Advance(TimeSpan.FromSeconds(20));
        using var client2 = Client(upstream, Token(_clock.GetUtcNow()));
        var done = (await (await client2.GetAsync(Path + "/" + pro)).ReadJsonAsync())["data"]!.AsObject();

        Assert.False(running.ContainsKey("final_unit_deduction"));
        Assert.Equal("succeed", (string)done["task_status"]!);
        Assert.Equal("1", (string)done["final_unit_deduction"]!);
        Assert.True((bool)done["watermark_info"]!["enabled"]!);
        Assert.EndsWith("-watermarked.mp4", (string)done["task_result"]!["videos"]![0]!["watermark_url"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model_name":"kling-v0","prompt":"p"}""", "model_name")]
    [InlineData("""{"prompt":" "}""", "prompt")]
    [InlineData("""{"prompt":"p","cfg_scale":1.5}""", "cfg_scale")]
    [InlineData("""{"prompt":"p","mode":"fast"}""", "mode")]
    [InlineData("""{"prompt":"p","aspect_ratio":"4:3"}""", "aspect_ratio")]
    [InlineData("""{"prompt":"p","duration":"7"}""", "duration")]
    [InlineData("""{"prompt":"p","duration":5}""", "duration")]
    [InlineData("""{"prompt":"p","sound":"loud"}""", "sound")]
    [InlineData("""{"prompt":"p","camera_control":{"type":"simple","config":{"zoom":1,"pan":2}}}""", "camera_control")]
    [InlineData("""{"prompt":"p","camera_control":{"type":"down_back","config":{"zoom":1}}}""", "camera_control")]
    public async Task It_checks_values_as_Kling_does(string body, string field)
    {
        await using var upstream = await StartAsync();
        using var client = Client(upstream, Token(_clock.GetUtcNow()));

        using var response = await client.PostAsync(Path, Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.ReadJsonAsync();
        Assert.Equal(1201, (int)json["code"]!);
        Assert.StartsWith(field, (string)json["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_not_yet_valid_gets_1003_and_an_expired_one_1004()
    {
        await using var upstream = await StartAsync();
        using var early = Client(upstream, Token(_clock.GetUtcNow() + TimeSpan.FromMinutes(5)));
        using var late = Client(upstream, Token(_clock.GetUtcNow() - TimeSpan.FromHours(1)));

        using var tooEarly = await early.GetAsync(Path);
        using var tooLate = await late.GetAsync(Path);

        Assert.Equal((HttpStatusCode.Unauthorized, 1003), (tooEarly.StatusCode, (int)(await tooEarly.ReadJsonAsync())["code"]!));
        Assert.Equal((HttpStatusCode.Unauthorized, 1004), (tooLate.StatusCode, (int)(await tooLate.ReadJsonAsync())["code"]!));
    }

    [Theory]
    [InlineData("GET", "/v1/images/generations", 404)]
    [InlineData("GET", "/", 404)]
    [InlineData("DELETE", Path + "/123", 405)]
    [InlineData("PUT", Path, 405)]
    public async Task Unknown_paths_and_wrong_methods_get_1202_in_the_envelope(string method, string path, int status)
    {
        await using var upstream = await StartAsync();
        using var client = Client(upstream, Token(_clock.GetUtcNow()));

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1202, (int)(await response.ReadJsonAsync())["code"]!);
    }

    private Task<RecordingUpstream> StartAsync() =>
        RecordingUpstream.StartAsync(_clock, new SimulatorOptions { Mode = SimulatorMode.Official });

    private static HttpClient Client(RecordingUpstream upstream, string token)
    {
        var client = new HttpClient { BaseAddress = upstream.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private static async Task<string> SubmitAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync(Path, Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (string)(await response.ReadJsonAsync())["data"]!["task_id"]!;
    }

    /// <summary>A token as Kling documents it, valid from <paramref name="notBefore"/> for 30 minutes.</summary>
    private static string Token(DateTimeOffset notBefore) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
        new SecurityTokenDescriptor
        {
            Issuer = RecordingUpstream.AccessKey,
            NotBefore = notBefore.UtcDateTime,
            Expires = (notBefore + TimeSpan.FromMinutes(30)).UtcDateTime,
            SigningCredentials = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(RecordingUpstream.SecretKey)), SecurityAlgorithms.HmacSha256),
        });
}
