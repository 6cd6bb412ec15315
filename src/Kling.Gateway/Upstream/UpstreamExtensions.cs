using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Upstream;

internal static class UpstreamExtensions
{
    public static IHostApplicationBuilder AddUpstream(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<UpstreamOptions>().BindConfiguration(UpstreamOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<UpstreamTarget>();
        builder.Services.AddSingleton<UpstreamInvoker>();
        builder.Services.AddSingleton<UpstreamClient>();
        builder.Services.AddSingleton<UpstreamCredentialWatch>();
        builder.Services.AddHostedService<BuiltInSimulator>();
        builder.Services.AddHealthChecks()
            .AddCheck<UpstreamReadinessCheck>("upstream", tags: ["ready"])
            .AddCheck<UpstreamCredentialWatch>("upstream-credentials", tags: ["ready"]);
        return builder;
    }
}
