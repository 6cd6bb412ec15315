using System.Net;
using Kling.Gateway.Callbacks.Redis;
using Kling.Gateway.Callbacks.Sqlite;
using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Kling.Gateway.Polling;
using Kling.Gateway.Storage;
using Kling.Gateway.Tasks;
using Kling.Gateway.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Callbacks;

internal static class CallbacksExtensions
{
    /// <summary>
    /// Tenants' callbacks: validated and kept at submit, one signed event per observed status change, delivered from an
    /// outbox in the task store (SQLite or Redis, as <c>Store:Provider</c> says) under the SSRF policy.
    /// </summary>
    public static IHostApplicationBuilder AddCallbacks(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CallbacksOptions>().BindConfiguration(CallbacksOptions.Section)
            .Validate(o => o.AllowedNetworks.TrueForAll(n => IPNetwork.TryParse(n, out _)),
                "Callbacks:AllowedNetworks must hold networks in CIDR form (10.20.0.0/16, fd00::/8)")
            .Validate(o => o.AllowedHosts.TrueForAll(IsHostPattern),
                "Callbacks:AllowedHosts must hold host names or *.suffix patterns")
            .Validate(o => o.PublicBaseUrl.Length == 0
                           || (Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0),
                "Callbacks:PublicBaseUrl must be empty or an absolute http(s) URL without a query")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TenantsOptions>, WebhookSecretsValidator>();
        services.TryAddSingleton<HostResolver>((host, cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken));
        services.AddSingleton<CallbackPolicy>();
        services.AddSingleton<CallbackAddresses>();
        services.AddSingleton<CallbackHttp>();
        services.AddSingleton<CallbackSender>();
        services.AddSingleton<TenantWebhookSecrets>();
        services.AddSingleton<CallbackMetrics>();
        services.AddSingleton<CallbackSubmissions>();
        services.AddSingleton<SqliteCallbackOutbox>();
        services.AddSingleton<RedisCallbackOutbox>();
        services.AddSingleton<ICallbackOutbox>(sp =>
            StoreOptions.UsesRedisIn(sp) ? sp.GetRequiredService<RedisCallbackOutbox>() : sp.GetRequiredService<SqliteCallbackOutbox>());
        services.AddSingleton<CallbackDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<CallbackDispatcher>());
        services.AddSingleton<ITaskStatusListener, CallbackEvents>();
        services.ConfigureSwaggerGen(swagger => swagger.OperationFilter<CallbackContractFilter>());
        return builder;
    }

    /// <summary>The upstream's hint endpoint, and the outbox's depth per tenant in the metrics.</summary>
    public static IEndpointRouteBuilder MapCallbacks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(CallbackSubmissions.HintPath + "/{token}", ReceiveHintAsync)
            .AllowAnonymous()
            .WithTags("Callbacks")
            .WithName("UpstreamCallbackHint")
            .WithSummary("Upstream callback (a hint only)")
            .WithDescription("The URL the upstream is given instead of a tenant's callback_url when Callbacks:PublicBaseUrl is set. "
                + "Its body is never read or trusted: a call makes the gateway query the task upstream through its normal path, "
                + "and any status change found is delivered to the tenant's callback as usual. Unknown tokens get 404.")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<KlingError>(StatusCodes.Status404NotFound);

        var services = endpoints.ServiceProvider;
        var outbox = services.GetRequiredService<ICallbackOutbox>();
        var tenants = services.GetRequiredService<TenantDirectory>();
        var metrics = services.GetRequiredService<CallbackMetrics>();
        var time = services.GetRequiredService<TimeProvider>();
        services.GetRequiredService<StoreGauges>().Add(async _ =>
        {
            var now = time.GetUtcNow();
            foreach (var (tenantId, pending) in await outbox.PendingAsync([.. tenants.TenantIds]))
            {
                metrics.QueueDepth.WithLabels(tenantId).Set(pending.Count);
                metrics.OldestPendingAge.WithLabels(tenantId).Set(pending.OldestCreatedAt is { } oldest ? (now - oldest).TotalSeconds : 0);
            }
        });
        return endpoints;
    }

    private static async Task<IResult> ReceiveHintAsync(
        [FromRoute] string token, HttpContext context, ICallbackOutbox outbox, CachedTaskStore tasks, TaskObservations observations)
    {
        var registration = token.Length <= 64 ? await outbox.FindByTokenAsync(token) : null;
        if (registration is null)
        {
            return new KlingErrorResult(404, ErrorCodes.NotFound, "callback not found");
        }

        var record = await tasks.FindLatestAsync(registration.TenantId, registration.TaskId);
        if (record is { Status.IsFinished: false })
        {
            await observations.FetchAsync(record, context.GetRequestId()).WaitAsync(context.RequestAborted);
        }

        return TypedResults.NoContent();
    }

    private static bool IsHostPattern(string pattern)
    {
        var host = pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern[2..] : pattern;
        return Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6;
    }
}
