using System.Collections.Frozen;
using System.Text;
using Kling.Gateway.Errors;
using Kling.Gateway.Upstream;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tenancy;

/// <summary>
/// Maps key digests and access keys to tenants and tenants to their limits. Rebuilt whenever tenants, limits or the upstream key
/// change, so keys rotate without a restart; the upstream key is never a tenant key, even if configured as one by mistake.
/// </summary>
internal sealed partial class TenantDirectory : IDisposable
{
    private readonly IOptionsMonitor<TenantsOptions> _tenants;
    private readonly IOptionsMonitor<LimitsOptions> _limits;
    private readonly IOptionsMonitor<UpstreamOptions> _upstream;
    private readonly ILogger<TenantDirectory> _logger;
    private readonly IDisposable?[] _subscriptions;
    private volatile Snapshot _current;

    public TenantDirectory(
        IOptionsMonitor<TenantsOptions> tenants, IOptionsMonitor<LimitsOptions> limits, IOptionsMonitor<UpstreamOptions> upstream, ILogger<TenantDirectory> logger)
    {
        _tenants = tenants;
        _limits = limits;
        _upstream = upstream;
        _logger = logger;
        _current = Build();
        _subscriptions = [tenants.OnChange(_ => Rebuild()), limits.OnChange(_ => Rebuild()), upstream.OnChange(_ => Rebuild())];
    }

    /// <summary>Ids of every configured tenant.</summary>
    public IEnumerable<string> TenantIds => _current.Limits.Keys;

    /// <summary>
    /// Who a presented bearer value speaks for: a tenant key, or a token signed with a tenant's access key (verified once,
    /// then known by its digest until it expires). Keys and tokens alike cost one SHA-256 and a lookup on the hot path.
    /// </summary>
    public CredentialCheck Authenticate(ReadOnlySpan<char> presented, DateTimeOffset now)
    {
        var current = _current;
        if (!KeyDigest.TryFromPresented(presented, out var digest))
        {
            return CredentialCheck.KeyNotValid;
        }

        if (current.ByDigest.TryGetValue(digest, out var tenantId))
        {
            return CredentialCheck.Tenant(tenantId);
        }

        if (!TenantToken.LooksLikeJwt(presented))
        {
            return CredentialCheck.KeyNotValid;
        }

        if (!current.Tokens.TryGet(digest, out var token))
        {
            var (verified, problem) = TenantToken.Verify(presented, current.Secrets);
            if (verified is null)
            {
                return new CredentialCheck(null, ErrorCodes.KeyInvalid, problem!);
            }

            current.Tokens.Add(digest, verified, now);
            token = verified;
        }

        return now < token.ValidFrom ? CredentialCheck.NotYetValid
            : now >= token.Expires ? CredentialCheck.Expired
            : CredentialCheck.Tenant(token.TenantId);
    }

    /// <summary>The limits in force for an authenticated tenant.</summary>
    public TenantLimits LimitsFor(string tenantId) =>
        _current.Limits.TryGetValue(tenantId, out var limits) ? limits : TenantLimits.Resolve(_limits.CurrentValue, null);

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
            _current = Build();
            LogKeysReloaded(_logger, _current.ByDigest.Count);
        }
        catch (OptionsValidationException ex)
        {
            // A bad edit keeps the last good keys rather than locking every tenant out.
            LogReloadRejected(_logger, ex.Message);
        }
    }

    private Snapshot Build()
    {
        var upstream = _upstream.CurrentValue;
        KeyDigest.TryFromConfigured(upstream.ApiKey, out var upstreamKey);
        var defaults = _limits.CurrentValue;
        var byDigest = new Dictionary<KeyDigest, string>();
        var secrets = new Dictionary<string, TenantSecret>(StringComparer.Ordinal);
        var limits = new Dictionary<string, TenantLimits>(StringComparer.Ordinal);
        foreach (var tenant in _tenants.CurrentValue.Tenants)
        {
            limits[tenant.Id] = TenantLimits.Resolve(defaults, tenant.Limits);
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

            foreach (var pair in tenant.AccessKeys)
            {
                // Tokens of the gateway's own upstream account never speak for a tenant.
                if (pair.AccessKey == upstream.AccessKey)
                {
                    LogUpstreamKeyAsTenantKey(_logger, tenant.Id);
                    continue;
                }

                secrets[pair.AccessKey] = new TenantSecret(tenant.Id, Encoding.UTF8.GetBytes(pair.SecretKey));
            }
        }

        // A new snapshot starts with no verified tokens: a removed or changed access key stops its tokens at once.
        return new Snapshot(
            byDigest.ToFrozenDictionary(), secrets.ToFrozenDictionary(StringComparer.Ordinal), new VerifiedTokenCache(VerifiedTokenCache.DefaultCapacity),
            limits.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private sealed record Snapshot(
        FrozenDictionary<KeyDigest, string> ByDigest,
        FrozenDictionary<string, TenantSecret> Secrets,
        VerifiedTokenCache Tokens,
        FrozenDictionary<string, TenantLimits> Limits);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant keys reloaded: {KeyCount} keys")]
    private static partial void LogKeysReloaded(ILogger logger, int keyCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant configuration change rejected, keeping the previous keys: {Reason}")]
    private static partial void LogReloadRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {TenantId} lists the upstream API key or access key as its own; that key is ignored")]
    private static partial void LogUpstreamKeyAsTenantKey(ILogger logger, string tenantId);
}
