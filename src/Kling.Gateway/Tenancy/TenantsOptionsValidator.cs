using System.Text;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tenancy;

/// <summary>Stops the gateway at start-up, with the offending key named, when tenants are misconfigured.</summary>
internal sealed class TenantsOptionsValidator(IHostEnvironment environment) : IValidateOptions<TenantsOptions>
{
    public const int MinProductionKeyLength = 32;

    public ValidateOptionsResult Validate(string? name, TenantsOptions options)
    {
        var production = environment.IsProduction();
        if (production && options.Tenants.Count == 0)
        {
            return ValidateOptionsResult.Fail("Tenants must list at least one tenant in Production (Tenants__0__Id, Tenants__0__ApiKeys__0)");
        }

        var failures = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var digests = new HashSet<KeyDigest>();
        var accessKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var t = 0; t < options.Tenants.Count; t++)
        {
            var tenant = options.Tenants[t];
            if (string.IsNullOrWhiteSpace(tenant.Id))
            {
                failures.Add($"Tenants:{t}:Id is required");
            }
            else if (!ids.Add(tenant.Id))
            {
                failures.Add($"Tenants:{t}:Id '{tenant.Id}' is used by another tenant");
            }

            foreach (var (limit, value) in new[]
                     {
                         ("SubmitsPerMinute", tenant.Limits?.SubmitsPerMinute),
                         ("QueriesPerMinute", tenant.Limits?.QueriesPerMinute),
                         ("MaxActiveTasks", tenant.Limits?.MaxActiveTasks),
                     })
            {
                if (value < 1)
                {
                    failures.Add($"Tenants:{t}:Limits:{limit} must be at least 1");
                }
            }

            foreach (var (budget, value) in new[] { ("UnitsPerDay", tenant.Limits?.UnitsPerDay), ("UnitsPerMonth", tenant.Limits?.UnitsPerMonth) })
            {
                if (!LimitsOptions.IsValidBudget(value))
                {
                    failures.Add($"Tenants:{t}:Limits:{budget} {LimitsOptions.BudgetRule}");
                }
            }

            if (tenant.ApiKeys.Count == 0 && tenant.AccessKeys.Count == 0)
            {
                failures.Add($"Tenants:{t}:ApiKeys must hold at least one key (or Tenants:{t}:AccessKeys one access key)");
            }

            for (var k = 0; k < tenant.ApiKeys.Count; k++)
            {
                var key = tenant.ApiKeys[k];
                var path = $"Tenants:{t}:ApiKeys:{k}";
                if (!KeyDigest.TryFromConfigured(key, out var digest))
                {
                    failures.Add($"{path} must be a non-empty key or sha256:<64 hex digits>");
                }
                else if (!digests.Add(digest))
                {
                    failures.Add($"{path} is configured more than once");
                }
                else if (production && !KeyDigest.IsDigestForm(key) && key.Length < MinProductionKeyLength)
                {
                    failures.Add($"{path} must be at least {MinProductionKeyLength} characters in Production (or a sha256:<hex> digest)");
                }
            }

            ValidateAccessKeys(t, tenant, accessKeys, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateAccessKeys(int t, TenantOptions tenant, HashSet<string> accessKeys, List<string> failures)
    {
        for (var k = 0; k < tenant.AccessKeys.Count; k++)
        {
            var pair = tenant.AccessKeys[k];
            var path = $"Tenants:{t}:AccessKeys:{k}";
            if (string.IsNullOrWhiteSpace(pair.AccessKey) || pair.AccessKey.Length > TenantToken.MaxAccessKeyLength)
            {
                failures.Add($"{path}:AccessKey is required (at most {TenantToken.MaxAccessKeyLength} characters)");
            }
            else if (!accessKeys.Add(pair.AccessKey))
            {
                failures.Add($"{path}:AccessKey is configured more than once");
            }

            // HS256 needs a key at least as long as its hash; a shorter one is guessable.
            if (Encoding.UTF8.GetByteCount(pair.SecretKey) < TenantToken.MinSecretKeyBytes)
            {
                failures.Add($"{path}:SecretKey must be at least {TenantToken.MinSecretKeyBytes} bytes (HS256 signing key)");
            }
        }
    }
}
