namespace Kling.Gateway.Polling;

internal static class PollingExtensions
{
    public static IHostApplicationBuilder AddPolling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PollingOptions>().BindConfiguration(PollingOptions.Section)
            .Validate(o => o.MinInterval >= TimeSpan.Zero && o.MinInterval <= TimeSpan.FromMinutes(1), "Polling:MinInterval must be between 0 and 1 minute")
            .ValidateOnStart();
        builder.Services.AddSingleton<TaskObservations>();
        builder.Services.AddHostedService<ActiveTaskRefresher>();
        return builder;
    }
}
