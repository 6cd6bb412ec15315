using Microsoft.AspNetCore.Routing.Template;

namespace Kling.Gateway.Observability;

/// <summary>
/// The route template a request was aimed at, fixed when it arrives: the exception handler later clears the endpoint,
/// and routing's own rejections (405 wrong method, 415 wrong content type) carry no template, yet the logs and the
/// request counter should still name the route. Never the raw path, which holds task ids.
/// </summary>
internal sealed class AimedRoutes(EndpointDataSource endpoints)
{
    public const string Unmatched = "(unmatched)";

    private (string Template, TemplateMatcher Matcher)[]? _templates;

    public void Capture(HttpContext context) => context.Features.Set(new AimedRoute(Find(context)));

    private string Find(HttpContext context)
    {
        if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } matched })
        {
            return matched;
        }

        // Rare (rejections only): the first template the path fits.
        foreach (var (template, matcher) in _templates ??= Templates())
        {
            if (matcher.TryMatch(context.Request.Path, []))
            {
                return template;
            }
        }

        return Unmatched;
    }

    private (string, TemplateMatcher)[] Templates() =>
    [
        .. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Select(t => (t, new TemplateMatcher(TemplateParser.Parse(t), []))),
    ];
}

internal sealed record AimedRoute(string Template);
