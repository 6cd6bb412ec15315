using System.Text;
using Kling.Gateway.Tasks;

namespace Kling.Gateway.Tests.Tasks;

public sealed class ExternalTaskIdsTests
{
    [Fact]
    public void Upstream_ids_are_per_tenant_stable_for_a_retry_and_within_kling_limits()
    {
        var forA = ExternalTaskIds.ForUpstream("tenant-a", "order-1", null, "hash");
        var forB = ExternalTaskIds.ForUpstream("tenant-b", "order-1", null, "hash");
        var keyed = ExternalTaskIds.ForUpstream("tenant-a", null, "pay-777", "hash");

        Assert.Equal(forA, ExternalTaskIds.ForUpstream("tenant-a", "order-1", "any-key", "another-hash"));
        Assert.NotEqual(forA, forB);
        Assert.Equal(keyed, ExternalTaskIds.ForUpstream("tenant-a", null, "pay-777", "hash"));
        Assert.NotEqual(keyed, ExternalTaskIds.ForUpstream("tenant-a", null, "pay-777", "other-body"));
        Assert.NotEqual(ExternalTaskIds.ForUpstream("tenant-a", null, null, "hash"), ExternalTaskIds.ForUpstream("tenant-a", null, null, "hash"));
        // A tenant id containing the separator cannot spell another tenant's identity.
        Assert.NotEqual(ExternalTaskIds.ForUpstream("a", "x\nexternal\ny", null, "h"), ExternalTaskIds.ForUpstream("a\nexternal\nx", "y", null, "h"));
        Assert.All(new[] { forA, forB, keyed }, id => Assert.Matches("^kg-[0-9a-f]{32}$", id));
    }

    [Theory]
    [InlineData("""{"model":"m","external_task_id":"mine","prompt":"p"}""", """{"model":"m","external_task_id":"kg-1","prompt":"p"}""")]
    [InlineData("""{"model":"m","prompt":"p"}""", """{"model":"m","prompt":"p","external_task_id":"kg-1"}""")]
    [InlineData("""{"nested":{"external_task_id":"x"},"prompt":"p"}""", """{"nested":{"external_task_id":"x"},"prompt":"p","external_task_id":"kg-1"}""")]
    public void The_forwarded_body_carries_only_the_upstream_id(string body, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(ExternalTaskIds.InBody(Encoding.UTF8.GetBytes(body), "kg-1")));

    [Theory]
    [InlineData("mine", """{"code":0,"data":{"task_id":"1","task_info":{"external_task_id":"mine"},"x":[1]},"request_id":"r"}""")]
    [InlineData(null, """{"code":0,"data":{"task_id":"1","task_info":{"external_task_id":null},"x":[1]},"request_id":"r"}""")]
    [InlineData("quote\"d", """{"code":0,"data":{"task_id":"1","task_info":{"external_task_id":"quote\u0022d"},"x":[1]},"request_id":"r"}""")]
    public void Answers_show_the_id_the_client_sent(string? client, string expected)
    {
        var upstream = """{"code":0,"data":{"task_id":"1","task_info":{"external_task_id":"kg-1"},"x":[1]},"request_id":"r"}""";

        Assert.Equal(expected, Encoding.UTF8.GetString(ExternalTaskIds.AsClientSent(Encoding.UTF8.GetBytes(upstream), client)));
    }

    [Theory]
    [InlineData("""{"code":1303,"message":"busy"}""")]
    [InlineData("""{"task_info":{"external_task_id":"kg-1"},"data":{"task_id":"1"}}""")]
    [InlineData("not json")]
    public void Answers_without_the_field_are_left_alone(string answer) =>
        Assert.Equal(answer, Encoding.UTF8.GetString(ExternalTaskIds.AsClientSent(Encoding.UTF8.GetBytes(answer), "mine")));
}
