using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.BodyLimits;

internal static class BodyLimitsExtensions
{
    /// <summary>The body budget, the body deadline and Kestrel's connection limit, from the <c>Limits</c> section.</summary>
    public static IHostApplicationBuilder AddBodyLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BodyLimitsOptions>().BindConfiguration("Limits")
            .Validate(o => o.MaxBufferedBodyBytes is null or >= 1024 * 1024, "Limits:MaxBufferedBodyBytes must be at least 1048576")
            .Validate(o => o.BodyReadTimeout > TimeSpan.Zero, "Limits:BodyReadTimeout must be positive")
            .Validate(o => o.MaxConcurrentConnections >= 1, "Limits:MaxConcurrentConnections must be at least 1")
            .ValidateOnStart();
        builder.Services.AddSingleton<BodyBudget>();
        // Read when Kestrel starts, after configuration is complete (tests override it).
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<BodyLimitsOptions>>(
            (kestrel, limits) => kestrel.Limits.MaxConcurrentConnections = limits.Value.MaxConcurrentConnections);
        return builder;
    }
}
