namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>The store a test runs the gateway on; the shared store/limiter suites run once per kind.</summary>
public enum StoreKind
{
    Sqlite,
    Redis,
}

internal static class TestStore
{
    /// <summary>
    /// Settings for a fresh, isolated store of this kind (its own SQLite file, or its own key prefix on the shared
    /// redis-server) plus <paramref name="extra"/>. Gateways given the same settings share the store.
    /// </summary>
    public static async Task<Dictionary<string, string?>> SettingsAsync(StoreKind kind, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Store:Provider"] = kind.ToString(),
            ["Store:Sqlite:Path"] = Path.Combine(Path.GetTempPath(), "kling-gateway-tests", Guid.NewGuid().ToString("N") + ".db"),
        };
        if (kind == StoreKind.Redis)
        {
            settings["Store:Redis:Configuration"] = (await RedisServer.SharedAsync()).Configuration;
            settings["Store:Redis:KeyPrefix"] = "test-" + Guid.NewGuid().ToString("N") + ":";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}
