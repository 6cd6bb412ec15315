using System.Collections.Frozen;
using Kling.Gateway.Upstream;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tenancy;

/// <summary>
/// Maps key digests to tenant ids. Rebuilt whenever tenants or the upstream key change, so keys rotate
/// without a restart; the upstream key is never a tenant key, even if configured as one by mistake.
/// </summary>
internal sealed partial class TenantDirectory : IDisposable
{
    private readonly IOptionsMonitor<TenantsOptions> _tenants;
    private readonly IOptionsMonitor<UpstreamOptions> _upstream;
    private readonly ILogger<TenantDirectory> _logger;
    private readonly IDisposable?[] _subscriptions;
    private volatile FrozenDictionary<KeyDigest, string> _byDigest;

    public TenantDirectory(IOptionsMonitor<TenantsOptions> tenants, IOptionsMonitor<UpstreamOptions> upstream, ILogger<TenantDirectory> logger)
    {
        _tenants = tenants;
        _upstream = upstream;
        _logger = logger;
        _byDigest = Build();
        _subscriptions = [tenants.OnChange(_ => Rebuild()), upstream.OnChange(_ => Rebuild())];
    }

    public bool TryFindTenant(ReadOnlySpan<char> presentedKey, out string tenantId)
    {
        tenantId = "";
        return KeyDigest.TryFromPresented(presentedKey, out var digest) && _byDigest.TryGetValue(digest, out tenantId!);
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription?.Dispose();
        }
    }

    private void Rebuild()
    {
        try
        {
            _byDigest = Build();
            LogKeysReloaded(_logger, _byDigest.Count);
        }
        catch (OptionsValidationException ex)
        {
            // A bad edit keeps the last good keys rather than locking every tenant out.
            LogReloadRejected(_logger, ex.Message);
        }
    }

    private FrozenDictionary<KeyDigest, string> Build()
    {
        KeyDigest.TryFromConfigured(_upstream.CurrentValue.ApiKey, out var upstreamKey);
        var byDigest = new Dictionary<KeyDigest, string>();
        foreach (var tenant in _tenants.CurrentValue.Tenants)
        {
            foreach (var key in tenant.ApiKeys)
            {
                if (!KeyDigest.TryFromConfigured(key, out var digest))
                {
                    continue;
                }

                if (digest.Equals(upstreamKey))
                {
                    LogUpstreamKeyAsTenantKey(_logger, tenant.Id);
                    continue;
                }

                byDigest[digest] = tenant.Id;
            }
        }

        return byDigest.ToFrozenDictionary();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant keys reloaded: {KeyCount} keys")]
    private static partial void LogKeysReloaded(ILogger logger, int keyCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant configuration change rejected, keeping the previous keys: {Reason}")]
    private static partial void LogReloadRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {TenantId} lists the upstream API key as a tenant key; that key is ignored")]
    private static partial void LogUpstreamKeyAsTenantKey(ILogger logger, string tenantId);
}
