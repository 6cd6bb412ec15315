using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Text2Video;

/// <summary>
/// The official Kling API's contract under <c>/v1</c>, called as an unmodified Kling SDK calls it (a JWT from the tenant's
/// AK/SK, <c>model_name</c>, cfg_scale 0–1), in front of an aggregator and of the official API.
/// </summary>
public abstract class OfficialSurfaceTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    private HttpClient Sdk(string accessKey = TestKeys.TenantAAccessKey, string secretKey = TestKeys.TenantASecretKey) =>
        fixture.Gateway.CreateClient(TestJwt.Kling(accessKey, secretKey, DateTimeOffset.UtcNow));

    [Fact]
    public async Task An_official_submit_reaches_the_upstream_in_its_terms_and_polling_through_v1_reaches_succeed()
    {
        using var sdk = Sdk();
        var mark = fixture.Upstream.Count;

        var taskId = await SubmitOfficialAsync(sdk, """{"model_name":"kling-v2-1-master","prompt":"A deer","cfg_scale":0.5,"duration":"10"}""");

        var forwarded = Assert.Single(fixture.Upstream.Since(mark));
        Assert.Equal(fixture.UpstreamPath(Text2VideoPath), forwarded.PathAndQuery);
        Assert.Equal("kling-v2-1-master", (string)forwarded.JsonBody[fixture.ModelField]!);
        Assert.Null(forwarded.JsonBody[fixture.IsOfficial ? "model" : "model_name"]);
        // 0.5 on the official scale: unchanged to the official API, × 10 to an aggregator.
        Assert.Equal(fixture.IsOfficial ? 0.5 : 5.0, (double)forwarded.JsonBody["cfg_scale"]!);
        // The gateway's own upstream credential, never the tenant's token.
        var authorization = forwarded.Header("Authorization")!;
        Assert.DoesNotContain(sdk.DefaultRequestHeaders.Authorization!.Parameter!, authorization, StringComparison.Ordinal);
        if (!fixture.IsOfficial)
        {
            Assert.Equal("Bearer " + RecordingUpstream.ApiKey, authorization);
        }

        var statuses = new List<string>();
        foreach (var advance in new[] { 0, 5, 10 })
        {
            fixture.UpstreamClock.Advance(TimeSpan.FromSeconds(advance));
            using var query = await sdk.GetAsync(OfficialText2VideoPath + "/" + taskId);
            Assert.Equal(HttpStatusCode.OK, query.StatusCode);
            var data = (await query.ReadJsonAsync())["data"]!;
            Assert.Equal(taskId, (string)data["task_id"]!);
            statuses.Add((string)data["task_status"]!);
        }

        Assert.Equal(["submitted", "processing", "succeed"], statuses);
    }

    [Fact]
    public async Task Without_model_name_or_cfg_scale_the_official_defaults_are_sent()
    {
        using var sdk = Sdk();
        var mark = fixture.Upstream.Count;

        await SubmitOfficialAsync(sdk, """{"prompt":"A deer"}""");

        var forwarded = Assert.Single(fixture.Upstream.Since(mark)).JsonBody;
        Assert.Equal("kling-v1", (string)forwarded[fixture.ModelField]!);
        Assert.Equal(fixture.IsOfficial ? 0.5 : 5.0, (double)forwarded["cfg_scale"]!);
        Assert.Equal("std", (string)forwarded["mode"]!);
        Assert.Equal("5", (string)forwarded["duration"]!);
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("1", 1.0)]
    [InlineData("0.35", 0.35)]
    public async Task Cfg_scale_from_0_to_1_is_accepted(string sent, double official)
    {
        using var sdk = Sdk();
        var mark = fixture.Upstream.Count;

        await SubmitOfficialAsync(sdk, $$"""{"model_name":"kling-v1","prompt":"p","cfg_scale":{{sent}}}""");

        var forwarded = Assert.Single(fixture.Upstream.Since(mark)).JsonBody;
        Assert.Equal(fixture.IsOfficial ? official : official * 10, (double)forwarded["cfg_scale"]!, 1e-12);
    }

    [Theory]
    [InlineData("""{"model_name":"kling-v1","prompt":"p","cfg_scale":1.01}""", "cfg_scale must be a number between 0 and 1")]
    [InlineData("""{"model_name":"kling-v1","prompt":"p","cfg_scale":-0.01}""", "cfg_scale must be a number between 0 and 1")]
    [InlineData("""{"model_name":"kling-v1","prompt":"p","cfg_scale":"0.5"}""", "cfg_scale must be a number between 0 and 1")]
    [InlineData("""{"model_name":"no-such-model","prompt":"p"}""", "model_name must be one of: ")]
    [InlineData("""{"model_name":5,"prompt":"p"}""", "model_name must be one of: ")]
    [InlineData("""{"model":"kling-v1","prompt":"p"}""", "model is not a field of this API: use model_name")]
    [InlineData("""{"model_name":"kling-v1"}""", "prompt is required")]
    [InlineData("""{"model_name":"kling-v1","prompt":"p","mode":"fast"}""", "mode must be one of: std, pro")]
    public async Task Official_bodies_breaking_a_rule_get_400_1201_naming_the_field_and_nothing_is_forwarded(string body, string rule)
    {
        using var sdk = Sdk();
        var mark = fixture.Upstream.Count;

        using var response = await sdk.PostAsync(OfficialText2VideoPath, Json(body));

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
        Assert.StartsWith(rule, message, StringComparison.Ordinal);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    /// <summary>The official body takes the strict contract through the same structure check as /kling/v1, in its own names.</summary>
    [Theory]
    [InlineData("""{"prompt":"p","model":"kling-v3"}""", "model", "model_name")]
    [InlineData("""{"prompt":"p","Model":"kling-v3"}""", "Model", "model_name")]
    [InlineData("""{"prompt":"p","MODEL":"kling-v3"}""", "MODEL", "model_name")]
    [InlineData("""{"prompt":"p","Model_Name":"kling-v3"}""", "Model_Name", "model_name")]
    [InlineData("""{"model_name":"kling-v1","prompt":"p","MODEL_NAME":"kling-v3"}""", "MODEL_NAME", "model_name")]
    [InlineData("""{"prompt":"p","Prompt":"q"}""", "Prompt", "prompt")]
    [InlineData("""{"prompt":"p","CFG_SCALE":0.5}""", "CFG_SCALE", "cfg_scale")]
    [InlineData("""{"model_name":null,"prompt":"p"}""", "model_name", "model_name")]
    [InlineData("""{"prompt":"p","cfg_scale":null}""", "cfg_scale", "cfg_scale")]
    [InlineData("""{"prompt":"p","mode":"STD"}""", "mode", "mode")]
    [InlineData("""{"prompt":"p","mode":1}""", "mode", "mode")]
    [InlineData("""{"prompt":"p","aspect_ratio":0}""", "aspect_ratio", "aspect_ratio")]
    [InlineData("""{"prompt":"p","sound":"ON"}""", "sound", "sound")]
    [InlineData("""{"prompt":"p","duration":5.0}""", "duration", "duration")]
    [InlineData("""{"prompt":"p","camera_control":{"type":"SIMPLE"}}""", "camera_control", "camera_control")]
    [InlineData("""{"prompt":"p","Watermark":true}""", "Watermark", "a-z, 0-9 and _")]
    public async Task Official_bodies_outside_the_strict_contract_get_400_1201_naming_the_property_and_nothing_is_forwarded(
        string body, string property, string named)
    {
        using var sdk = Sdk();
        var mark = fixture.Upstream.Arrived;

        using var response = await sdk.PostAsync(OfficialText2VideoPath, Json(body));

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201);
        Assert.StartsWith(property, message, StringComparison.Ordinal);
        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Equal(mark, fixture.Upstream.Arrived);
    }

    [Fact]
    public async Task Official_bodies_take_sixteen_unknown_fields_of_at_most_4096_bytes_and_refuse_more()
    {
        using var sdk = Sdk();
        var sixteen = string.Concat(Enumerable.Range(1, 15).Select(i => $",\"extra_{i}\":{i}"))
            + ",\"extra_16\":\"" + new string('v', 4094) + "\"";
        var mark = fixture.Upstream.Count;

        await SubmitOfficialAsync(sdk, "{\"prompt\":\"p\"" + sixteen + "}");

        var forwarded = Assert.Single(fixture.Upstream.Since(mark)).JsonBody;
        Assert.All(Enumerable.Range(1, 15), i => Assert.Equal(i, (int)forwarded[$"extra_{i}"]!));
        Assert.Equal(4094, ((string)forwarded["extra_16"]!).Length);
        foreach (var (refused, rule) in new[]
        {
            ("{\"prompt\":\"p\"" + sixteen + ",\"extra_17\":17}", "extra_17 is not accepted: at most 16 unknown fields"),
            ("{\"prompt\":\"p\",\"extra\":\"" + new string('v', 4095) + "\"}", "extra must be at most 4096 bytes"),
        })
        {
            var arrived = fixture.Upstream.Arrived;
            using var response = await sdk.PostAsync(OfficialText2VideoPath, Json(refused));
            Assert.StartsWith(rule, await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201), StringComparison.Ordinal);
            Assert.Equal(arrived, fixture.Upstream.Arrived);
        }
    }

    [Fact]
    public async Task A_task_is_the_same_task_on_both_surfaces_for_its_tenant_and_nobody_elses()
    {
        using var sdk = Sdk();
        using var key = fixture.Gateway.CreateClient(TestKeys.TenantA);
        using var otherTenant = Sdk(TestKeys.TenantBAccessKey, TestKeys.TenantBSecretKey);
        var onOfficial = await SubmitOfficialAsync(sdk, """{"prompt":"p"}""");
        var onAggregator = await SubmitAsync(key);

        // Each task read by each credential on each surface: the static key works on /v1 too, the token on /kling/v1.
        foreach (var (client, path) in new[]
        {
            (key, Text2VideoPath + "/" + onOfficial), (sdk, OfficialText2VideoPath + "/" + onAggregator),
            (key, OfficialText2VideoPath + "/" + onOfficial), (sdk, Text2VideoPath + "/" + onAggregator),
        })
        {
            using var query = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, query.StatusCode);
            Assert.Equal(path[(path.LastIndexOf('/') + 1)..], (string)(await query.ReadJsonAsync())["data"]!["task_id"]!);
        }

        foreach (var (client, path) in new[] { (key, Text2VideoPath), (sdk, OfficialText2VideoPath) })
        {
            var listed = (await client.GetFromJsonAsync<JsonObject>(path + "?pageSize=500"))!["data"]!.AsArray().Select(t => (string)t!["task_id"]!);
            Assert.Contains(onOfficial, listed);
            Assert.Contains(onAggregator, listed);
        }

        await AssertNotFoundUpstreamUnaskedAsync(otherTenant, OfficialText2VideoPath + "/" + onOfficial);
    }

    [Fact]
    public async Task The_official_surface_refuses_missing_and_wrong_credentials_as_Kling_does()
    {
        using var anonymous = fixture.Gateway.CreateClient(key: null);
        using var upstreamKey = fixture.Gateway.CreateClient(RecordingUpstream.ApiKey);
        using var upstreamToken = fixture.Gateway.CreateClient(TestJwt.Kling(RecordingUpstream.AccessKey, RecordingUpstream.SecretKey, DateTimeOffset.UtcNow));
        var mark = fixture.Upstream.Count;

        await (await anonymous.PostAsync(OfficialText2VideoPath, Json("""{"prompt":"p"}"""))).AssertKlingErrorAsync(HttpStatusCode.Unauthorized, 1001);
        await (await upstreamKey.PostAsync(OfficialText2VideoPath, Json("""{"prompt":"p"}"""))).AssertKlingErrorAsync(HttpStatusCode.Unauthorized, 1002);
        await (await upstreamToken.GetAsync(OfficialText2VideoPath)).AssertKlingErrorAsync(HttpStatusCode.Unauthorized, 1002);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    [Fact]
    public async Task Slots_and_rate_limits_are_shared_by_both_surfaces()
    {
        await using var gateway = new GatewayFactory(fixture.Upstream.BaseAddress, new Dictionary<string, string?>
        {
            ["Upstream:Mode"] = fixture.UpstreamMode,
            ["Tenants:0:Limits:MaxActiveTasks"] = "1",
            ["Tenants:1:Limits:SubmitsPerMinute"] = "1",
        });
        using var sdkA = gateway.CreateClient(TestJwt.Kling(TestKeys.TenantAAccessKey, TestKeys.TenantASecretKey, DateTimeOffset.UtcNow));
        using var keyA = gateway.CreateClient(TestKeys.TenantA);
        using var sdkB = gateway.CreateClient(TestJwt.Kling(TestKeys.TenantBAccessKey, TestKeys.TenantBSecretKey, DateTimeOffset.UtcNow));
        using var keyB = gateway.CreateClient(TestKeys.TenantB);

        Assert.Equal(HttpStatusCode.OK, (await sdkA.PostAsync(OfficialText2VideoPath, Json("""{"prompt":"p"}"""))).StatusCode);
        var mark = fixture.Upstream.Count;
        await (await keyA.PostAsync(Text2VideoPath, Json(ValidSubmit))).AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1303);
        Assert.Equal(mark, fixture.Upstream.Count);

        Assert.Equal(HttpStatusCode.OK, (await keyB.PostAsync(Text2VideoPath, Json(ValidSubmit))).StatusCode);
        mark = fixture.Upstream.Count;
        await (await sdkB.PostAsync(OfficialText2VideoPath, Json("""{"prompt":"p"}"""))).AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1302);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    [Fact]
    public async Task Answers_on_v1_are_the_upstreams_in_the_gateways_one_envelope()
    {
        using var sdk = Sdk();
        var mark = fixture.Upstream.Count;

        using var submitted = await sdk.PostAsync(OfficialText2VideoPath, Json("""{"prompt":"p"}"""));

        await submitted.AssertUpstreamAnswerAsync(Assert.Single(fixture.Upstream.Since(mark)).ResponseBody);
        var taskId = (string)(await submitted.ReadJsonAsync())["data"]!["task_id"]!;
        fixture.UpstreamClock.Advance(TimeSpan.FromSeconds(5));
        mark = fixture.Upstream.Count;
        using var queried = await sdk.GetAsync(OfficialText2VideoPath + "/" + taskId);
        await queried.AssertUpstreamAnswerAsync(Assert.Single(fixture.Upstream.Since(mark)).ResponseBody);
    }

    [Fact]
    public async Task The_callers_external_task_id_finds_its_task_on_both_surfaces_and_only_for_its_tenant()
    {
        using var sdk = Sdk();
        using var key = fixture.Gateway.CreateClient(TestKeys.TenantA);
        using var otherTenant = Sdk(TestKeys.TenantBAccessKey, TestKeys.TenantBSecretKey);
        var externalId = "sdk-order-" + Guid.NewGuid().ToString("N");
        var taskId = await SubmitOfficialAsync(sdk, $$"""{"prompt":"p","external_task_id":"{{externalId}}"}""");

        foreach (var (client, path) in new[] { (sdk, OfficialText2VideoPath), (key, Text2VideoPath) })
        {
            using var query = await client.GetAsync(path + "/" + externalId);
            Assert.Equal(HttpStatusCode.OK, query.StatusCode);
            var data = (await query.ReadJsonAsync())["data"]!;
            Assert.Equal(taskId, (string)data["task_id"]!);
            Assert.Equal(externalId, (string)data["task_info"]!["external_task_id"]!);
        }

        await AssertNotFoundUpstreamUnaskedAsync(otherTenant, OfficialText2VideoPath + "/" + externalId);
    }

    [Fact]
    public async Task The_list_on_v1_serves_pages_at_the_edges_of_the_official_ranges_from_the_gateways_own_records()
    {
        using var sdk = Sdk();
        var older = await SubmitOfficialAsync(sdk, """{"prompt":"p"}""");
        var newer = await SubmitOfficialAsync(sdk, """{"prompt":"p"}""");
        var mark = fixture.Upstream.Count;

        Assert.Equal([newer], await ListAsync(sdk, "?pageNum=1&pageSize=1"));
        Assert.Equal([older], await ListAsync(sdk, "?pageNum=2&pageSize=1"));
        Assert.Empty(await ListAsync(sdk, "?pageNum=1000&pageSize=500"));
        var all = await ListAsync(sdk, "?pageSize=500");
        Assert.True(all.IndexOf(newer) >= 0 && all.IndexOf(newer) < all.IndexOf(older), string.Join(",", all));
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    [Theory]
    [InlineData("?pageNum=0", "pageNum must be a whole number from 1 to 1000")]
    [InlineData("?pageNum=1001", "pageNum must be a whole number from 1 to 1000")]
    [InlineData("?pageNum=one", "pageNum must be a whole number from 1 to 1000")]
    [InlineData("?pageSize=0", "pageSize must be a whole number from 1 to 500")]
    [InlineData("?pageSize=501", "pageSize must be a whole number from 1 to 500")]
    [InlineData("?pageNum=1&pageSize=-1", "pageSize must be a whole number from 1 to 500")]
    public async Task Page_parameters_outside_the_official_ranges_get_400_1201(string query, string rule)
    {
        using var sdk = Sdk();
        var mark = fixture.Upstream.Count;

        using var response = await sdk.GetAsync(OfficialText2VideoPath + query);

        Assert.Equal(rule, await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, 1201));
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    [Theory]
    [InlineData("DELETE", "/v1/videos/text2video/123", HttpStatusCode.MethodNotAllowed, 1202)]
    [InlineData("PUT", "/v1/videos/text2video", HttpStatusCode.MethodNotAllowed, 1202)]
    [InlineData("GET", "/v1/videos/image2video", HttpStatusCode.NotFound, 1202)]
    [InlineData("POST", "/v1/images/generations", HttpStatusCode.NotFound, 1202)]
    [InlineData("GET", "/v1", HttpStatusCode.NotFound, 1202)]
    // The aggregator's contract has no 1202: its unknown paths stay 404/1203.
    [InlineData("GET", "/kling/v1/videos/image2video", HttpStatusCode.NotFound, 1203)]
    [InlineData("GET", "/v10/videos/text2video", HttpStatusCode.NotFound, 1203)]
    public async Task Methods_and_paths_the_official_surface_does_not_serve_get_Klings_1202(
        string method, string path, HttpStatusCode status, int code)
    {
        using var sdk = Sdk();
        var mark = fixture.Upstream.Count;

        using var response = await sdk.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("""{"prompt":"p"}""") });

        await response.AssertKlingErrorAsync(status, code);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    /// <summary>Another tenant's task (by any id) is 404/1203, exactly like an unknown one, and the upstream is not asked.</summary>
    private async Task AssertNotFoundUpstreamUnaskedAsync(HttpClient client, string path)
    {
        var mark = fixture.Upstream.Count;
        using var response = await client.GetAsync(path);
        await response.AssertKlingErrorAsync(HttpStatusCode.NotFound, 1203);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    private static async Task<List<string>> ListAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync(OfficialText2VideoPath + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.ReadJsonAsync();
        Assert.Equal(0, (int)json["code"]!);
        Assert.Equal("success", (string)json["message"]!);
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), (string)json["request_id"]!);
        return [.. json["data"]!.AsArray().Select(t => (string)t!["task_id"]!)];
    }

    private static async Task<string> SubmitOfficialAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync(OfficialText2VideoPath, Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (string)(await response.ReadJsonAsync())["data"]!["task_id"]!;
    }
}

public sealed class OfficialSurfaceTestsOnAggregator(GatewayFixture fixture) : OfficialSurfaceTests<GatewayFixture>(fixture);

public sealed class OfficialSurfaceTestsOnOfficialApi(OfficialGatewayFixture fixture) : OfficialSurfaceTests<OfficialGatewayFixture>(fixture);
