using System.Text;
using Kling.Gateway.Observability;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Kling.Gateway.Upstream;

/// <summary>What the gateway puts in the upstream's <c>Authorization</c> header.</summary>
internal interface IUpstreamCredential
{
    string Authorization();
}

/// <summary>Aggregator mode: a fixed bearer key.</summary>
internal sealed class StaticKeyCredential(string apiKey) : IUpstreamCredential
{
    private readonly string _authorization = "Bearer " + apiKey;

    public string Authorization() => _authorization;
}

/// <summary>
/// Official mode: an HS256 JWT (<c>iss</c> = Access Key, <c>exp</c> = now + 30 min, <c>nbf</c> = now − 5 s) signed with the
/// Secret Key. One token serves every request until 5 minutes before it expires; then exactly one request signs the next.
/// </summary>
internal sealed class KlingJwtCredential(string accessKey, string secretKey, TimeProvider time, GatewayMetrics metrics) : IUpstreamCredential
{
    public const int MinSecretKeyBytes = 32;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);
    private static readonly JsonWebTokenHandler Tokens = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly SigningCredentials _signing = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secretKey)), SecurityAlgorithms.HmacSha256);
    private readonly Lock _renewal = new();
    private volatile Token? _current;

    public string Authorization()
    {
        var now = time.GetUtcNow();
        var token = _current;
        if (token is not null && now < token.RenewAt)
        {
            return token.Authorization;
        }

        lock (_renewal)
        {
            token = _current;
            if (token is null || now >= token.RenewAt)
            {
                token = Sign(now);
                _current = token;
            }

            return token.Authorization;
        }
    }

    private Token Sign(DateTimeOffset now)
    {
        var expires = now + Lifetime;
        var jwt = Tokens.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = accessKey,
            NotBefore = (now - TimeSpan.FromSeconds(5)).UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = _signing,
        });
        metrics.TokenSigned();
        return new Token("Bearer " + jwt, expires - RenewBefore);
    }

    private sealed record Token(string Authorization, DateTimeOffset RenewAt);
}
