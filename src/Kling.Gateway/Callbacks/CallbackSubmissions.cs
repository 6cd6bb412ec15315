using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Callbacks;

/// <summary>A submit's <c>callback_url</c>: checked against the tenant's secrets and the policy, then kept with the task.</summary>
internal sealed class CallbackSubmissions(
    TenantWebhookSecrets secrets, CallbackAddresses addresses, ICallbackOutbox outbox, IOptionsMonitor<CallbacksOptions> options)
{
    /// <summary>The path of the gateway's own callback URL given to the upstream (the token completes it).</summary>
    public const string HintPath = "/kling/callbacks";

    /// <summary>The callback to keep once the task exists, or the reason (naming callback_url) it is refused.</summary>
    public async Task<(PendingCallback? Callback, string? Refusal)> PrepareAsync(string tenantId, string url, CancellationToken cancellationToken)
    {
        if (secrets.KeysFor(tenantId).Count == 0)
        {
            return (null, "callback_url cannot be used: no webhook secret is configured for this tenant, so its callbacks could not be signed");
        }

        // The rules have checked the form already.
        if (await addresses.RefusalAsync(new Uri(url), cancellationToken) is { } refusal)
        {
            return (null, "callback_url is not allowed: " + refusal);
        }

        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var publicBase = options.CurrentValue.PublicBaseUrl;
        var hint = publicBase.Length == 0 ? null : publicBase.TrimEnd('/') + HintPath + "/" + token;
        return (new PendingCallback(url, token, hint), null);
    }

    public Task RegisterAsync(string tenantId, string taskId, PendingCallback callback) =>
        outbox.RegisterAsync(new CallbackRegistration(taskId, tenantId, callback.Url, callback.Token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A submit's accepted callback.</summary>
/// <param name="HintUrl">The gateway's own URL the upstream gets instead (null without <c>Callbacks:PublicBaseUrl</c>).</param>
internal sealed record PendingCallback(string Url, string Token, string? HintUrl);
