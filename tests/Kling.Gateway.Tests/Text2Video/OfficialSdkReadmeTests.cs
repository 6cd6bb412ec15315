using System.Diagnostics;
using Kling.Gateway.Tests.Infrastructure;

namespace Kling.Gateway.Tests.Text2Video;

/// <summary>
/// README's "Use your existing Kling SDK" script, run by Python as written (only its base URL is pointed at the test's
/// port) against the gateway as <c>dotnet run</c> starts it: Development, the demo tenant's access key pair, the
/// built-in simulator. The script signs its own JWT, so this is the gateway against a token it did not make.
/// </summary>
public sealed class OfficialSdkReadmeTests
{
    private const string ReadmeBaseUrl = "BASE_URL = \"http://localhost:8080\"";

    [Fact]
    public async Task The_readme_sdk_script_submits_with_a_real_jwt_and_polls_to_succeed()
    {
        var script = ReadmeScript();
        var database = Path.Combine(Path.GetTempPath(), "kling-gateway-tests", "readme-sdk-" + Environment.ProcessId + ".db");
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Store__Sqlite__Path"] = database,
            // The simulator's tasks finish sooner than its default 10 s; the script polls every 2 s as written.
            ["Simulator__ProcessingAfter"] = "00:00:01",
            ["Simulator__FinishAfter"] = "00:00:02",
        });
        await gateway.WaitUntilReadyAsync();
        Assert.Contains(ReadmeBaseUrl, script, StringComparison.Ordinal);

        var (exitCode, output) = await RunPythonAsync(
            script.Replace(ReadmeBaseUrl, $"BASE_URL = \"{gateway.Address.ToString().TrimEnd('/')}\"", StringComparison.Ordinal));

        Assert.True(exitCode == 0, output + "\n--- gateway ---\n" + gateway.Output);
        var printed = output.Trim().Split(' ');
        Assert.Equal("succeed", printed[0]);
        Assert.StartsWith("https://", printed[1], StringComparison.Ordinal);
        Assert.Contains("demo-team", gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("DEMO-ONLY-kling-gateway-dev-secret-key-not-for-production", gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>The first Python block of the README section "Use your existing Kling SDK".</summary>
    private static string ReadmeScript()
    {
        var readme = File.ReadAllText(RepositoryFiles.Path("README.md"));
        var section = readme[readme.IndexOf("\n## Use your existing Kling SDK\n", StringComparison.Ordinal)..];
        var start = section.IndexOf("```python\n", StringComparison.Ordinal) + "```python\n".Length;
        return section[start..section.IndexOf("\n```", start, StringComparison.Ordinal)];
    }

    private static async Task<(int ExitCode, string Output)> RunPythonAsync(string script)
    {
        using var python = Process.Start(new ProcessStartInfo("python3", "-")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        await python.StandardInput.WriteAsync(script);
        python.StandardInput.Close();
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await python.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            python.Kill();
            throw new TimeoutException("the README script did not finish within 120 s: " + await stderr);
        }

        return (python.ExitCode, await stdout + await stderr);
    }
}
