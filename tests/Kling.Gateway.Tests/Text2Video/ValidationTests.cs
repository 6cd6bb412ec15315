using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Text2Video;

/// <summary>Every rule of the contract: a clear 400 naming the field, and nothing reaches the upstream.</summary>
public abstract class ValidationTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : GatewayFixture
{
    [Theory]
    [InlineData("not json", "JSON")]
    [InlineData("", "JSON")]
    [InlineData("""{"model":"kling-v1","prompt":"p" """, "JSON")]
    [InlineData("""[{"model":"kling-v1","prompt":"p"}]""", "JSON object")]
    [InlineData("\"kling-v1\"", "JSON object")]
    [InlineData("""{"model":"kling-v1","model":"kling-v3","prompt":"p"}""", "model")]
    public async Task A_body_that_is_not_a_json_object_gets_1200(string body, string expected)
    {
        await AssertRejectedAsync(body, 1200, expected);
    }

    [Theory]
    [InlineData("""{"prompt":"p"}""", "model")]
    [InlineData("""{"model":null,"prompt":"p"}""", "model")]
    [InlineData("""{"model":"kling-v9","prompt":"p"}""", "model")]
    [InlineData("""{"model":"KLING-V1","prompt":"p"}""", "model")]
    [InlineData("""{"model":1,"prompt":"p"}""", "model")]
    [InlineData("""{"model":"kling-v1"}""", "prompt")]
    [InlineData("""{"model":"kling-v1","prompt":"   "}""", "prompt")]
    [InlineData("""{"model":"kling-v1","prompt":42}""", "prompt")]
    [InlineData("""{"model":"kling-v1","prompt":"p","negative_prompt":7}""", "negative_prompt")]
    [InlineData("""{"model":"kling-v1","prompt":"p","cfg_scale":-0.1}""", "cfg_scale")]
    [InlineData("""{"model":"kling-v1","prompt":"p","cfg_scale":100.5}""", "cfg_scale")]
    [InlineData("""{"model":"kling-v1","prompt":"p","cfg_scale":"5"}""", "cfg_scale")]
    [InlineData("""{"model":"kling-v1","prompt":"p","cfg_scale":1e999}""", "cfg_scale")]
    [InlineData("""{"model":"kling-v1","prompt":"p","mode":"fast"}""", "mode")]
    [InlineData("""{"model":"kling-v1","prompt":"p","mode":"STD"}""", "mode")]
    [InlineData("""{"model":"kling-v1","prompt":"p","aspect_ratio":"4:3"}""", "aspect_ratio")]
    [InlineData("""{"model":"kling-v1","prompt":"p","duration":"7"}""", "duration")]
    [InlineData("""{"model":"kling-v1","prompt":"p","duration":7}""", "duration")]
    [InlineData("""{"model":"kling-v1","prompt":"p","duration":5.5}""", "duration")]
    [InlineData("""{"model":"kling-v1","prompt":"p","duration":true}""", "duration")]
    [InlineData("""{"model":"kling-v1","prompt":"p","image_tail":""}""", "image_tail")]
    [InlineData("""{"model":"kling-v1","prompt":"p","image_tail":"ftp://images.example.com/a.png"}""", "image_tail")]
    [InlineData("""{"model":"kling-v1","prompt":"p","image_tail":"https://"}""", "image_tail")]
    [InlineData("""{"model":"kling-v1","prompt":"p","image_tail":"not base64 at all!"}""", "image_tail")]
    [InlineData("""{"model":"kling-v1","prompt":"p","image_tail":"R0lGODlhAQABAAAAACw="}""", "image_tail")]
    [InlineData("""{"model":"kling-v1","prompt":"p","image_tail":"data:image/gif;base64,iVBORw0KGgoAAAANSUhEUg=="}""", "image_tail")]
    [InlineData("""{"model":"kling-v1","prompt":"p","camera_control":"simple"}""", "camera_control")]
    [InlineData("""{"model":"kling-v1","prompt":"p","camera_control":{}}""", "camera_control")]
    [InlineData("""{"model":"kling-v1","prompt":"p","camera_control":{"type":"spin"}}""", "camera_control")]
    [InlineData("""{"model":"kling-v1","prompt":"p","camera_control":{"type":"simple"}}""", "camera_control.config")]
    [InlineData("""{"model":"kling-v1","prompt":"p","camera_control":{"type":"down_back","config":{"zoom":1}}}""", "camera_control")]
    [InlineData("""{"model":"kling-v1","prompt":"p","camera_control":{"type":"simple","config":{"zoom":1,"pan":2}}}""", "camera_control.config")]
    [InlineData("""{"model":"kling-v1","prompt":"p","camera_control":{"type":"simple","config":{"zoom":0}}}""", "camera_control.config")]
    [InlineData("""{"model":"kling-v1","prompt":"p","camera_control":{"type":"simple","config":{"zoom":11}}}""", "camera_control.config")]
    [InlineData("""{"model":"kling-v1","prompt":"p","camera_control":{"type":"simple","config":{"spin":1}}}""", "camera_control.config")]
    [InlineData("""{"model":"kling-v1","prompt":"p","callback_url":"not a url"}""", "callback_url")]
    [InlineData("""{"model":"kling-v1","prompt":"p","callback_url":"ftp://hooks.example.com"}""", "callback_url")]
    [InlineData("""{"model":"kling-v1","prompt":"p","external_task_id":""}""", "external_task_id")]
    [InlineData("""{"model":"kling-v1","prompt":"p","external_task_id":12}""", "external_task_id")]
    [InlineData("""{"model":"kling-v1","prompt":"p","sound":"loud"}""", "sound")]
    public async Task A_broken_rule_gets_1201_naming_the_field(string body, string field)
    {
        var message = await AssertRejectedAsync(body, 1201, field);
        Assert.StartsWith(field, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prompt", 2501)]
    [InlineData("negative_prompt", 2501)]
    [InlineData("external_task_id", 129)]
    public async Task Text_longer_than_its_limit_gets_1201(string field, int length)
    {
        var fields = new Dictionary<string, string> { ["model"] = "kling-v1", ["prompt"] = "p", [field] = new string('x', length) };
        var body = System.Text.Json.JsonSerializer.Serialize(fields);
        await AssertRejectedAsync(body, 1201, field);
    }

    [Fact]
    public async Task A_prompt_of_2500_characters_counting_an_emoji_as_one_is_accepted()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);
        var prompt = new string('x', 2499) + "\U0001F98C";

        using var response = await client.PostAsync(Text2VideoPath, Json($$"""{"model":"kling-v1","prompt":"{{prompt}}"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(prompt, (string)Assert.Single(fixture.Upstream.Since(mark)).JsonBody["prompt"]!);
    }

    [Fact]
    public async Task A_body_that_is_not_declared_as_json_gets_415_in_the_envelope()
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, new StringContent(ValidSubmit, System.Text.Encoding.UTF8, "text/plain"));

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.UnsupportedMediaType, 1200);
        Assert.Contains("application/json", message, StringComparison.Ordinal);
        Assert.Equal(mark, fixture.Upstream.Count);
    }

    private async Task<string> AssertRejectedAsync(string body, int code, string expectedInMessage)
    {
        var mark = fixture.Upstream.Count;
        using var client = fixture.Gateway.CreateClient(TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json(body));

        var message = await response.AssertKlingErrorAsync(HttpStatusCode.BadRequest, code);
        Assert.Contains(expectedInMessage, message, StringComparison.Ordinal);
        Assert.Equal(mark, fixture.Upstream.Count);
        return message;
    }
}

public sealed class ValidationTestsOnAggregator(GatewayFixture fixture) : ValidationTests<GatewayFixture>(fixture);

public sealed class ValidationTestsOnOfficialApi(OfficialGatewayFixture fixture) : ValidationTests<OfficialGatewayFixture>(fixture);
