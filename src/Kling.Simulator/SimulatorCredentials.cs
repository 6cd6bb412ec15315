using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Kling.Simulator;

/// <summary>Checks a request's credential the way Kling does: a bearer key (aggregator) or an HS256 JWT from AK/SK (official).</summary>
internal static class SimulatorCredentials
{
    private static readonly JsonWebTokenHandler Tokens = new();

    /// <summary>Null when accepted, else the Kling error code and message to answer 401 with.</summary>
    public static async Task<(int Code, string Message)?> CheckAsync(string? authorization, SimulatorOptions options, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return (1001, "Authorization header is missing");
        }

        if (options.Mode == SimulatorMode.Aggregator)
        {
            return authorization == "Bearer " + options.ApiKey ? null : (1002, "Authorization key is invalid");
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return (1002, "Authorization token is invalid");
        }

        var result = await Tokens.ValidateTokenAsync(authorization["Bearer ".Length..], new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.SecretKey)),
            ValidIssuer = options.AccessKey,
            ValidateAudience = false,
            // Lifetime is checked below, on the simulator's own clock.
            ValidateLifetime = false,
            RequireExpirationTime = true,
        });
        if (!result.IsValid)
        {
            return (1002, "Authorization token is invalid");
        }

        var token = (JsonWebToken)result.SecurityToken;
        if (token.ValidFrom > now.UtcDateTime)
        {
            return (1003, "Authorization token is not yet valid");
        }

        return token.ValidTo < now.UtcDateTime ? (1004, "Authorization token has expired") : null;
    }
}
