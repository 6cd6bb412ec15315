using System.Text.Json.Nodes;
using Kling.Gateway.Tests.Infrastructure;
using PuppeteerSharp;

namespace Kling.Gateway.Tests.OpenApi;

/// <summary>
/// Swagger UI as a new user meets it, in a real headless Chromium: Authorize, Try it out, Execute on the body offered,
/// then the query operation with the task id that came back.
/// </summary>
public sealed class SwaggerUiBrowserTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly string? Chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    [SkippableFact]
    public async Task Authorize_try_it_out_and_execute_as_offered_create_a_task_that_the_query_operation_then_finds()
    {
        Skip.If(Chromium is null, "chromium is not installed here (bash .ci/run installs it from Debian packages)");
        using var client = fixture.Gateway.CreateClient(key: null);
        var mark = fixture.Upstream.Count;
        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Root in a container has no user namespace for Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using var page = await browser.NewPageAsync();
        page.DefaultTimeout = 30_000;

        await page.GoToAsync(new Uri(client.BaseAddress!, "/swagger/index.html").ToString());
        await ClickAsync(page, "button.authorize");
        await TypeAsync(page, ".auth-container input", TestKeys.TenantA);
        await ClickAsync(page, ".auth-btn-wrapper button.authorize");
        await ClickAsync(page, ".auth-btn-wrapper button.btn-done");

        var (submitStatus, submitBody) = await ExecuteAsync(page, "#operations-Text_to_video-SubmitText2Video", fill: null);

        Assert.Equal("200", submitStatus);
        var taskId = (string)JsonNode.Parse(submitBody)!["data"]!["task_id"]!;
        var forwarded = Assert.Single(fixture.Upstream.Since(mark));
        Assert.Equal("A deer running in the forest", (string)forwarded.JsonBody["prompt"]!);

        var (queryStatus, queryBody) = await ExecuteAsync(page, "#operations-Text_to_video-QueryText2Video", fill: taskId);

        Assert.Equal("200", queryStatus);
        Assert.Equal(taskId, (string)JsonNode.Parse(queryBody)!["data"]!["task_id"]!);
    }

    /// <summary>Clicks once the element is shown (the UI renders after the page has loaded).</summary>
    private static async Task ClickAsync(IPage page, string selector) =>
        await (await page.WaitForSelectorAsync(selector, new WaitForSelectorOptions { Visible = true }))!.ClickAsync();

    private static async Task TypeAsync(IPage page, string selector, string text) =>
        await (await page.WaitForSelectorAsync(selector, new WaitForSelectorOptions { Visible = true }))!.TypeAsync(text);

    /// <summary>Opens the operation, Try it out, fills its first parameter (when given), Execute; the status and body shown.</summary>
    private static async Task<(string Status, string Body)> ExecuteAsync(IPage page, string operation, string? fill)
    {
        await ClickAsync(page, $"{operation} .opblock-summary-control");
        await ClickAsync(page, $"{operation} button.try-out__btn");
        if (fill is not null)
        {
            await TypeAsync(page, $"{operation} .parameters input[type=text]", fill);
        }

        await ClickAsync(page, $"{operation} button.execute");
        var status = await page.WaitForSelectorAsync($"{operation} .live-responses-table tr.response .response-col_status");
        var body = await page.WaitForSelectorAsync($"{operation} .live-responses-table tr.response .highlight-code pre");
        return ((await status.EvaluateFunctionAsync<string>("e => e.textContent")).Trim(),
            await body.EvaluateFunctionAsync<string>("e => e.textContent"));
    }
}
