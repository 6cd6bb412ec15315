using System.Text;
using Kling.Gateway.Callbacks;
using StandardWebhooks;

namespace Kling.Gateway.Tests.Callbacks;

/// <summary>The gateway's signatures, checked by an independent implementation (the StandardWebhooks package).</summary>
public sealed class WebhookSignerTests
{
    private const string SecretA = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SecretB = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    [Fact]
    public void Every_active_secret_signs_and_each_verifies_with_the_package()
    {
        var body = """{"type":"text2video.task.updated","data":{"task_id":"t1"}}""";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = WebhookSigner.Sign("msg_1", timestamp, Encoding.UTF8.GetBytes(body), [Key(SecretA), Key(SecretB)]);

        var entries = signature.Split(' ');
        Assert.Equal(2, entries.Length);
        Assert.All(entries, s => Assert.StartsWith("v1,", s, StringComparison.Ordinal));
        // In configured order. The package (1.1.2) checks only the first entry of the header, so each entry is also checked alone.
        new StandardWebhook(SecretA).Verify(body, Headers("msg_1", timestamp, signature));
        new StandardWebhook(SecretA).Verify(body, Headers("msg_1", timestamp, entries[0]));
        new StandardWebhook(SecretB).Verify(body, Headers("msg_1", timestamp, entries[1]));
        Assert.ThrowsAny<Exception>(() => new StandardWebhook(SecretB).Verify(body, Headers("msg_1", timestamp, entries[0])));
    }

    [Fact]
    public void A_changed_body_id_or_timestamp_fails_verification()
    {
        var body = """{"a":1}""";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = WebhookSigner.Sign("msg_1", timestamp, Encoding.UTF8.GetBytes(body), [Key(SecretA)]);
        var webhook = new StandardWebhook(SecretA);

        Assert.ThrowsAny<Exception>(() => webhook.Verify("""{"a":2}""", Headers("msg_1", timestamp, signature)));
        Assert.ThrowsAny<Exception>(() => webhook.Verify(body, Headers("msg_2", timestamp, signature)));
        Assert.ThrowsAny<Exception>(() => webhook.Verify(body, Headers("msg_1", timestamp + 1, signature)));
        Assert.ThrowsAny<Exception>(() => new StandardWebhook(SecretB).Verify(body, Headers("msg_1", timestamp, signature)));
    }

    [Theory]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true)]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false)]
    [InlineData("whsec_not base64!", false)]
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", false)]
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true)]
    public void Secrets_are_whsec_and_base64_of_24_to_64_bytes(string secret, bool valid)
    {
        Assert.Equal(valid, WebhookSecret.TryDecode(secret, out _));
        var sixtyFour = "whsec_" + Convert.ToBase64String(new byte[64]);
        var sixtyFive = "whsec_" + Convert.ToBase64String(new byte[65]);
        Assert.True(WebhookSecret.TryDecode(sixtyFour, out _));
        Assert.False(WebhookSecret.TryDecode(sixtyFive, out _));
    }

    private static byte[] Key(string secret)
    {
        Assert.True(WebhookSecret.TryDecode(secret, out var key));
        return key;
    }

    private static HeaderDictionary Headers(string id, long timestamp, string signature) => new()
    {
        ["webhook-id"] = id,
        ["webhook-timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["webhook-signature"] = signature,
    };
}
