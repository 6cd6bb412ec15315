using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Kling.Gateway.Tests.Infrastructure;

internal static class KlingJson
{
    public const string Text2VideoPath = "/kling/v1/videos/text2video";

    /// <summary>The same operations in the official Kling API's contract, as its SDKs call them.</summary>
    public const string OfficialText2VideoPath = "/v1/videos/text2video";

    public const string ValidSubmit = """{"model":"kling-v1","prompt":"A deer running in the forest"}""";

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>Submits (a valid body by default) and returns the new task's id.</summary>
    public static async Task<string> SubmitAsync(HttpClient client, string body = ValidSubmit)
    {
        using var response = await client.PostAsync(Text2VideoPath, Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (string)(await response.ReadJsonAsync())["data"]!["task_id"]!;
    }

    /// <summary>Asserts a Kling error envelope with this status and code, and returns its message.</summary>
    public static async Task<string> AssertKlingErrorAsync(this HttpResponseMessage response, HttpStatusCode status, int code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(code, (int)json["code"]!);
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), (string)json["request_id"]!);
        var message = (string)json["message"]!;
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message;
    }

    /// <summary>
    /// Asserts the gateway's envelope around an upstream answer: the upstream's body with this request's
    /// <c>request_id</c>, <c>"success"</c> for code 0, the upstream's own id in <c>X-Upstream-Request-Id</c>.
    /// </summary>
    /// <remarks>
    /// The upstream knows the task by the gateway's namespaced external id; the client sees its own
    /// (<paramref name="clientExternalTaskId"/>, null when it sent none).
    /// </remarks>
    public static async Task AssertUpstreamAnswerAsync(this HttpResponseMessage response, byte[] upstreamBody, string? clientExternalTaskId = null)
    {
        var expected = JsonNode.Parse(upstreamBody)!.AsObject();
        var upstreamRequestId = (string)expected["request_id"]!;
        expected["request_id"] = response.Headers.GetValues("X-Request-Id").Single();
        if ((int)expected["code"]! == 0)
        {
            expected["message"] = "success";
        }

        if (expected["data"]?["task_info"] is JsonObject taskInfo)
        {
            taskInfo["external_task_id"] = clientExternalTaskId;
        }

        Assert.Equal(expected.ToJsonString(), (await response.ReadJsonAsync()).ToJsonString());
        Assert.Equal(upstreamRequestId, response.Headers.GetValues("X-Upstream-Request-Id").Single());
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>The body without its request_id, which is each request's own.</summary>
    public static async Task<string> WithoutRequestIdAsync(this HttpResponseMessage response)
    {
        var body = await response.ReadJsonAsync();
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), (string)body["request_id"]!);
        body.Remove("request_id");
        return body.ToJsonString();
    }

    /// <summary>A submit whose image_tail is a PNG of exactly <paramref name="bytes"/> bytes, as Base64.</summary>
    public static string SubmitWithPng(int bytes)
    {
        var png = new byte[bytes];
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(png);
        return $$"""{"model":"kling-v1","prompt":"p","image_tail":"{{Convert.ToBase64String(png)}}"}""";
    }
}
