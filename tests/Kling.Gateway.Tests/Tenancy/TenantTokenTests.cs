using System.Collections.Frozen;
using System.Text;
using Kling.Gateway.Tenancy;
using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Tenancy;

/// <summary>The token verifier on its own, against tokens signed by hand.</summary>
public sealed class TenantTokenTests
{
    private const string AccessKey = "ak-1";
    private const string Secret = "a-secret-key-of-at-least-32-bytes-long";
    private static readonly DateTimeOffset T = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static readonly FrozenDictionary<string, TenantSecret> Secrets =
        new Dictionary<string, TenantSecret> { [AccessKey] = new("tenant-a", Encoding.UTF8.GetBytes(Secret)) }.ToFrozenDictionary();

    [Fact]
    public void A_kling_token_is_verified_with_its_times()
    {
        var (token, problem) = TenantToken.Verify(TestJwt.Kling(AccessKey, Secret, T), Secrets);

        Assert.Null(problem);
        Assert.Equal(new VerifiedToken("tenant-a", T.AddSeconds(-10), T.AddMinutes(30)), token);
    }

    [Fact]
    public void Fractional_times_are_read_and_no_nbf_means_valid_from_the_start()
    {
        var (token, _) = TenantToken.Verify(Sign($$"""{"iss":"{{AccessKey}}","exp":1800000000.5}"""), Secrets);

        Assert.Equal(DateTimeOffset.MinValue, token!.ValidFrom);
        Assert.Equal(T.AddMilliseconds(500), token.Expires);
    }

    [Theory]
    [InlineData("""{"alg":"HS256","alg":"none"}""", TenantToken.Malformed)]
    [InlineData("""{"alg":"HS256","crit":["b64"]}""", TenantToken.AlgorithmRule)]
    [InlineData("""{"alg":["HS256"]}""", TenantToken.AlgorithmRule)]
    [InlineData("""["HS256"]""", TenantToken.Malformed)]
    [InlineData("""not json""", TenantToken.Malformed)]
    public void Headers_other_than_plain_HS256_are_refused(string header, string problem) =>
        Assert.Equal(problem, TenantToken.Verify(TestJwt.Sign(header, Claims(), Secret), Secrets).Problem);

    [Theory]
    [InlineData("""{"iss":"ak-1","exp":"1800000000"}""", TenantToken.ExpirationRule)]
    [InlineData("""{"iss":"ak-1","exp":1800000000,"nbf":"soon"}""", TenantToken.Malformed)]
    [InlineData("""{"iss":1,"exp":1800000000}""", TenantToken.NotAccepted)]
    [InlineData("""{"exp":1800000000}""", TenantToken.NotAccepted)]
    [InlineData("""{"iss":"AK-1","exp":1800000000}""", TenantToken.NotAccepted)]
    public void Claims_must_name_a_known_issuer_and_carry_numeric_times(string claims, string problem) =>
        Assert.Equal(problem, TenantToken.Verify(Sign(claims), Secrets).Problem);

    [Theory]
    [InlineData("eyJ!!.eyJ.abc")]
    [InlineData("..")]
    [InlineData("a.b.c")]
    public void Garbage_is_malformed(string token) =>
        Assert.Equal(TenantToken.Malformed, TenantToken.Verify(token, Secrets).Problem);

    [Fact]
    public void A_signature_of_the_wrong_length_or_for_other_content_is_refused()
    {
        var token = TestJwt.Kling(AccessKey, Secret, T);
        var signed = token[..token.LastIndexOf('.')];

        Assert.Equal(TenantToken.NotAccepted, TenantToken.Verify(signed + "." + token[(token.LastIndexOf('.') + 1)..][..20], Secrets).Problem);
        Assert.Equal(TenantToken.NotAccepted, TenantToken.Verify(signed + "." + token[(token.LastIndexOf('.') + 1)..] + "AAAA", Secrets).Problem);
        Assert.Equal(TenantToken.NotAccepted, TenantToken.Verify(signed + ".", Secrets).Problem);
    }

    private static string Claims() => TestJwt.Claims(AccessKey, T.AddMinutes(30), T);

    private static string Sign(string claims) => TestJwt.Sign(TestJwt.KlingHeader, claims, Secret);
}
