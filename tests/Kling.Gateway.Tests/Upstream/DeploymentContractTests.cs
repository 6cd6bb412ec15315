using Kling.Gateway.Tests.Infrastructure;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Upstream;

/// <summary>The gateway as its own process in Production, configured only through the documented environment variables.</summary>
public sealed class DeploymentContractTests
{
    [Fact]
    public async Task The_gateway_starts_from_environment_variables_alone_and_forwards()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Upstream__BaseUrl"] = upstream.BaseAddress.ToString(),
            ["Upstream__ApiKey"] = RecordingUpstream.ApiKey,
            ["Upstream__Timeout"] = "00:00:30",
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
        });
        await gateway.WaitUntilReadyAsync();
        using var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.TenantA);

        using var response = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + RecordingUpstream.ApiKey, Assert.Single(upstream.Received).Header("Authorization"));
        // Production logs are compact JSON, one object per line.
        Assert.True(await gateway.WaitForOutputAsync("\"TenantId\":\"video-team\""), gateway.Output);
        Assert.DoesNotContain(TestKeys.TenantA, gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Official_mode_with_no_base_url_starts_the_simulator_as_the_official_api_with_its_own_keys()
    {
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Upstream__Mode"] = "Official",
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
        });
        await gateway.WaitUntilReadyAsync();
        using var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.TenantA);

        using var submitted = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        var taskId = (string)(await submitted.ReadJsonAsync())["data"]!["task_id"]!;
        using var queried = await client.GetAsync(Text2VideoPath + "/" + taskId);

        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, queried.StatusCode);
        var warning = Assert.Single(gateway.Output.Split('\n'), line => line.Contains("built-in Kling simulator", StringComparison.Ordinal));
        Assert.Contains("Official mode", warning, StringComparison.Ordinal);
        Assert.Contains("Upstream:AccessKey and Upstream:SecretKey", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("Upstream:ApiKey", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Development", "Upstream__Mode", "Bogus", "Upstream:Mode is not a valid UpstreamMode")]
    [InlineData("Production", "Upstream__Mode", "Bogus", "Upstream:Mode is not a valid UpstreamMode")]
    [InlineData("Development", "Limits__SubmitsPerMinute", "many", "Limits:SubmitsPerMinute is not a valid Int32")]
    [InlineData("Production", "Upstream__Timeout", "soon", "Upstream:Timeout is not a valid TimeSpan")]
    [InlineData("Development", "Upstream__BaseUrl", "http://127.0.0.1:9", "Upstream:ApiKey is required")]
    [InlineData("Production", "Tenants__0__WebhookSecrets__0", "whsec_tooshort", "Tenants:0:WebhookSecrets:0 must be whsec_ followed by the base64 of 24 to 64 random bytes")]
    [InlineData("Production", "Tenants__0__WebhookSecrets__0", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "Tenants:0:WebhookSecrets:0 must be whsec_")]
    [InlineData("Production", "Callbacks__AllowedNetworks__0", "10.20.0.0/40", "Callbacks:AllowedNetworks must hold networks in CIDR form")]
    [InlineData("Production", "Callbacks__AllowedHosts__0", "hooks example", "Callbacks:AllowedHosts must hold host names or *.suffix patterns")]
    [InlineData("Production", "Callbacks__PublicBaseUrl", "ftp://gateway.example", "Callbacks:PublicBaseUrl must be empty or an absolute http(s) URL without a query")]
    [InlineData("Production", "Limits__UnitsPerDay", "-7.5", "Limits:UnitsPerDay must be a number of units from 0 to 1000000000 with at most 3 decimals")]
    [InlineData("Production", "Tenants__0__Limits__UnitsPerMonth", "0.0001", "Tenants:0:Limits:UnitsPerMonth must be a number of units from 0 to 1000000000 with at most 3 decimals")]
    [InlineData("Production", "Pricing__Rules__0__Model", "kling-v1", "Pricing:Rules:0:Units must be a number of units from 0 to 1000000 with at most 3 decimals")]
    [InlineData("Production", "Pricing__Default", "1000000.5", "Pricing:Default must be a number of units from 0 to 1000000 with at most 3 decimals")]
    public async Task A_bad_value_stops_the_process_with_one_line_naming_the_key_in_every_environment(
        string environmentName, string key, string value, string expected)
    {
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environmentName,
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
            [key] = value,
        });

        var fatal = await gateway.RefusalLineAsync();
        Assert.Contains("Invalid configuration", fatal, StringComparison.Ordinal);
        Assert.Contains(expected, fatal, StringComparison.Ordinal);
        Assert.DoesNotContain(value, fatal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "", "Tenants must list at least one tenant")]
    [InlineData("short-key", "", "Tenants:0:ApiKeys:0 must be at least 32 characters")]
    [InlineData(TestKeys.TenantA, "http://127.0.0.1:9", "Upstream:ApiKey is required")]
    public async Task Invalid_configuration_stops_the_process_with_one_line_naming_the_key(string tenantKey, string baseUrl, string expected)
    {
        var environment = new Dictionary<string, string> { ["Upstream__BaseUrl"] = baseUrl };
        if (tenantKey.Length > 0)
        {
            environment["Tenants__0__Id"] = "video-team";
            environment["Tenants__0__ApiKeys__0"] = tenantKey;
        }

        await using var gateway = GatewayProcess.Start(environment);

        var fatal = await gateway.RefusalLineAsync();
        Assert.Contains("Invalid configuration", fatal, StringComparison.Ordinal);
        Assert.Contains(expected, fatal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Official_mode_without_a_secret_key_stops_with_one_line_naming_it()
    {
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Upstream__Mode"] = "Official",
            ["Upstream__BaseUrl"] = "https://api.example.com",
            ["Upstream__AccessKey"] = "an-access-key",
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
        });

        var fatal = await gateway.RefusalLineAsync();
        Assert.Contains("Upstream:SecretKey is required when Upstream:Mode is Official", fatal, StringComparison.Ordinal);
        Assert.DoesNotContain("Upstream:AccessKey", fatal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Aggregator", "Upstream__ApiKey", "REPLACE-with-the-upstream-api-key")]
    [InlineData("Aggregator", "Upstream__ApiKey", "sk-live-please-change-me-0000000000000000")]
    [InlineData("Aggregator", "Upstream__ApiKey", "sk-Example-0123456789abcdef0123456789abcdef")]
    [InlineData("Official", "Upstream__AccessKey", "replace-me")]
    [InlineData("Official", "Upstream__SecretKey", "example-secret-key-0123456789-0123456789")]
    public async Task A_placeholder_upstream_key_stops_a_production_start_with_one_line_naming_the_key(string mode, string key, string value)
    {
        var environment = new Dictionary<string, string>
        {
            ["Upstream__Mode"] = mode,
            ["Upstream__BaseUrl"] = "http://127.0.0.1:9",
            ["Upstream__ApiKey"] = RecordingUpstream.ApiKey,
            ["Upstream__AccessKey"] = RecordingUpstream.AccessKey,
            ["Upstream__SecretKey"] = RecordingUpstream.SecretKey,
            ["Tenants__0__Id"] = "video-team",
            ["Tenants__0__ApiKeys__0"] = TestKeys.TenantA,
            [key] = value,
        };
        await using var gateway = GatewayProcess.Start(environment);

        var fatal = await gateway.RefusalLineAsync();
        Assert.Contains("Invalid configuration", fatal, StringComparison.Ordinal);
        Assert.Contains(key.Replace("__", ":", StringComparison.Ordinal) + " is a placeholder", fatal, StringComparison.Ordinal);
        Assert.DoesNotContain(value, fatal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_kubernetes_secret_and_configmap_are_refused_until_the_upstream_key_is_replaced()
    {
        var environment = ManifestValues("configmap.yaml", "secret.yaml");
        environment.Remove("REDIS_PASSWORD");
        // The tenants' placeholder digests are refused by their own format rule: give real ones, to see the upstream key's.
        environment["Tenants__0__ApiKeys__0"] = TestKeys.TenantA;
        environment["Tenants__1__ApiKeys__0"] = TestKeys.TenantB;
        await using var shipped = GatewayProcess.Start(environment);
        environment["Upstream__BaseUrl"] = "http://127.0.0.1:9";
        environment["Upstream__ApiKey"] = RecordingUpstream.ApiKey;
        environment["Store__Provider"] = "Sqlite";
        await using var replaced = GatewayProcess.Start(environment);

        var fatal = await shipped.RefusalLineAsync();
        await replaced.WaitUntilReadyAsync();
        Assert.Contains("Upstream:ApiKey is a placeholder", fatal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_placeholder_upstream_key_is_accepted_outside_production()
    {
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Upstream__BaseUrl"] = "http://127.0.0.1:9",
            ["Upstream__ApiKey"] = "REPLACE-with-the-upstream-api-key",
        });

        await gateway.WaitUntilReadyAsync();
    }

    /// <summary>The <c>key: value</c> pairs of the data sections of manifests in deploy/kubernetes (flat maps only).</summary>
    private static Dictionary<string, string> ManifestValues(params string[] files)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var inData = false;
            foreach (var line in File.ReadAllLines(RepositoryFiles.Path("deploy", "kubernetes", file)))
            {
                if (!line.StartsWith(' '))
                {
                    inData = line.TrimEnd() is "data:" or "stringData:";
                }
                else if (inData && !line.TrimStart().StartsWith('#') && line.Split(':', 2) is [var key, var value])
                {
                    values[key.Trim()] = value.Trim().Trim('"');
                }
            }
        }

        return values;
    }
}
