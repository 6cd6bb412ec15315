using Kling.Gateway.Tenancy;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Callbacks;

/// <summary>The HMAC keys of a tenant's active webhook secrets, read at each use so rotations apply without a restart.</summary>
internal sealed class TenantWebhookSecrets(IOptionsMonitor<TenantsOptions> tenants)
{
    public IReadOnlyList<byte[]> KeysFor(string tenantId)
    {
        foreach (var tenant in tenants.CurrentValue.Tenants)
        {
            if (tenant.Id == tenantId)
            {
                var keys = new List<byte[]>(tenant.WebhookSecrets.Count);
                foreach (var secret in tenant.WebhookSecrets)
                {
                    if (WebhookSecret.TryDecode(secret, out var key))
                    {
                        keys.Add(key);
                    }
                }

                return keys;
            }
        }

        return [];
    }
}

/// <summary>Stops the gateway at start-up when a configured webhook secret is malformed (naming the key, never the value).</summary>
internal sealed class WebhookSecretsValidator : IValidateOptions<TenantsOptions>
{
    public ValidateOptionsResult Validate(string? name, TenantsOptions options)
    {
        var failures = new List<string>();
        for (var t = 0; t < options.Tenants.Count; t++)
        {
            for (var s = 0; s < options.Tenants[t].WebhookSecrets.Count; s++)
            {
                if (!WebhookSecret.TryDecode(options.Tenants[t].WebhookSecrets[s], out _))
                {
                    failures.Add($"Tenants:{t}:WebhookSecrets:{s} {WebhookSecret.Rule}");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
