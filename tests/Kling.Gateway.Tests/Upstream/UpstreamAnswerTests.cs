using System.Text;
using System.Text.Json.Nodes;
using Kling.Gateway.Upstream;

namespace Kling.Gateway.Tests.Upstream;

public sealed class UpstreamAnswerTests
{
    private const string Task = """{"code":0,"message":"success","request_id":"up","data":{"task_id":"42","task_status":"submitted"}}""";

    [Theory]
    [InlineData(200, Task, null)]
    [InlineData(201, Task, "42")]
    public void A_success_with_the_task_passes_unchanged(int status, string body, string? taskId)
    {
        var reply = new UpstreamReply(status, Encoding.UTF8.GetBytes(body));

        Assert.Same(reply, UpstreamAnswer.Check(reply, taskId).Reply);
    }

    [Theory]
    [InlineData(200, Task, "43", "the queried data.task_id")]
    [InlineData(200, "", null, "not JSON")]
    [InlineData(200, "{\"code\":0", null, "not JSON")]
    [InlineData(200, "\"text\"", null, "not a JSON object")]
    [InlineData(200, """{"code":"0"}""", null, "no integer code")]
    [InlineData(200, """{"code":2147483648}""", null, "no integer code")]
    [InlineData(200, """{"code":0,"data":{"task_id":"42"}}""", null, "without data.task_id")]
    [InlineData(200, """{"code":0,"data":{"task_id":"","task_status":"submitted"}}""", null, "without data.task_id")]
    [InlineData(200, """{"code":0,"data":[]}""", null, "without data.task_id")]
    [InlineData(200, """{"code":1,"data":{"task_id":"42","task_status":"submitted"}}""", null, "non-zero code")]
    [InlineData(400, """{"code":0,"message":"fine"}""", null, "HTTP 400 with code 0")]
    [InlineData(304, """{"code":0}""", null, "HTTP 304")]
    public void Anything_else_is_not_an_envelope(int status, string body, string? taskId, string problem)
    {
        var outcome = UpstreamAnswer.Check(new UpstreamReply(status, Encoding.UTF8.GetBytes(body)), taskId);

        Assert.Null(outcome.Reply);
        Assert.Equal(UpstreamFailure.NotAnEnvelope, outcome.Failure);
        Assert.Contains(problem, outcome.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_4xx_keeps_code_and_message_up_to_500_characters_never_splitting_a_character()
    {
        var message = new string('m', 499) + "\U0001F98C" + "tail";
        var body = new JsonObject { ["code"] = 1201, ["message"] = message, ["request_id"] = "up-4", ["data"] = new JsonObject() }.ToJsonString();

        var reply = UpstreamAnswer.Check(new UpstreamReply(400, Encoding.UTF8.GetBytes(body), "3"), null).Reply!;

        var answer = JsonNode.Parse(reply.Body)!.AsObject();
        Assert.Equal(400, reply.StatusCode);
        Assert.Equal("3", reply.RetryAfter);
        Assert.Equal(["code", "message", "request_id"], answer.Select(p => p.Key));
        Assert.Equal(1201, (int)answer["code"]!);
        Assert.Equal(new string('m', 499), (string)answer["message"]!);
        Assert.Equal("up-4", (string)answer["request_id"]!);
    }

    [Fact]
    public void A_5xx_keeps_status_and_code_under_the_gateways_message()
    {
        var reply = UpstreamAnswer.Check(new UpstreamReply(502, """{"code":5001,"message":"backend 10.1.2.3 down"}"""u8.ToArray()), null).Reply!;

        var answer = JsonNode.Parse(reply.Body)!.AsObject();
        Assert.Equal(502, reply.StatusCode);
        Assert.Equal(5001, (int)answer["code"]!);
        Assert.Equal("the upstream failed to process the request (HTTP 502, code 5001); try again later", (string)answer["message"]!);
        Assert.Null(answer["request_id"]);
    }
}
