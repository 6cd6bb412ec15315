using Kling.Gateway.Callbacks;

namespace Kling.Gateway.Tests.Callbacks;

public sealed class RetryScheduleTests
{
    private static readonly DateTimeOffset Created = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 30)]
    [InlineData(3, 120)]
    [InlineData(4, 600)]
    [InlineData(5, 1800)]
    [InlineData(6, 3600)]
    [InlineData(7, 3600)]
    [InlineData(30, 3600)]
    public void Backoff_follows_the_documented_schedule_within_its_jitter(int failures, int seconds)
    {
        var low = RetrySchedule.Decide(500, null, failures, Created, Created, jitter: 0);
        var high = RetrySchedule.Decide(500, null, failures, Created, Created, jitter: 0.999999);
        Assert.Equal(SettlementKind.Retry, low.Kind);
        Assert.Equal(Created + TimeSpan.FromSeconds(seconds * 0.8), low.RetryAt);
        Assert.InRange(high.RetryAt - Created, TimeSpan.FromSeconds(seconds * 1.19), TimeSpan.FromSeconds(seconds * 1.2));
    }

    [Theory]
    [InlineData(200, "Delivered")]
    [InlineData(204, "Delivered")]
    [InlineData(299, "Delivered")]
    [InlineData(410, "Stopped")]
    [InlineData(300, "Retry")]
    [InlineData(302, "Retry")]
    [InlineData(400, "Retry")]
    [InlineData(500, "Retry")]
    [InlineData(null, "Retry")]
    public void Outcome_by_answer(int? status, string expected) =>
        Assert.Equal(expected, RetrySchedule.Decide(status, null, 1, Created, Created, 0.5).Kind.ToString());

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void Retry_after_is_honoured_on_429_and_503_up_to_an_hour(int status)
    {
        Assert.Equal(Created + TimeSpan.FromSeconds(42), RetrySchedule.Decide(status, TimeSpan.FromSeconds(42), 1, Created, Created, 0.5).RetryAt);
        Assert.Equal(Created + TimeSpan.FromHours(1), RetrySchedule.Decide(status, TimeSpan.FromHours(5), 1, Created, Created, 0.5).RetryAt);
        Assert.Equal(Created + TimeSpan.FromSeconds(5), RetrySchedule.Decide(500, TimeSpan.FromSeconds(42), 1, Created, Created, 0.5).RetryAt);
    }

    [Fact]
    public void An_event_not_delivered_within_24_hours_fails()
    {
        var now = Created + TimeSpan.FromHours(23);
        Assert.Equal(SettlementKind.Retry, RetrySchedule.Decide(500, null, 20, Created, now, jitter: 0).Kind); // +48 min: 23 h 48 min
        Assert.Equal(SettlementKind.Failed, RetrySchedule.Decide(500, null, 20, Created, now, jitter: 0.6).Kind); // +1 h 2 min: past 24 h
    }
}
