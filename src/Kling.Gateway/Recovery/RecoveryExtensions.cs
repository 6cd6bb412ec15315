namespace Kling.Gateway.Recovery;

internal static class RecoveryExtensions
{
    /// <summary>Slots of submits that died with their process are healed, and their upstream tasks adopted where they can be found.</summary>
    public static IHostApplicationBuilder AddRecovery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<AbandonedReservations>();
        return builder;
    }
}
