extern alias JsonEverything;

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JsonEverything::Json.Schema;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// The OpenAPI documents a gateway serves, as a checker of its answers: an answer to one of the documented operations
/// must have a documented status and a body that validates against that status's schema (JSON Schema 2020-12, as
/// OpenAPI 3.1 defines it), checked by an independent validator.
/// </summary>
internal sealed partial class ServedContract
{
    /// <summary>The documents a gateway serves, at <c>/swagger/{name}/swagger.json</c>.</summary>
    public static readonly string[] DocumentNames = ["v1", "official"];

    private static readonly ConcurrentDictionary<string, ServedContract> Parsed = new();

    private readonly List<Operation> _operations = [];
    private readonly ConcurrentDictionary<(Operation, string), JsonSchema> _schemas = new();

    private ServedContract(IEnumerable<string> documents)
    {
        foreach (var text in documents)
        {
            var document = JsonNode.Parse(text)!.AsObject();
            // Each document its own components, as standalone schemas refer to them.
            var definitions = document["components"]?["schemas"]?.ToJsonString() ?? "{}";
            foreach (var (path, item) in document["paths"]!.AsObject())
            {
                var pattern = new Regex("^" + Placeholder().Replace(Regex.Escape(path), "[^/]+") + "$");
                foreach (var (method, operation) in item!.AsObject())
                {
                    _operations.Add(new Operation(method.ToUpperInvariant(), path, pattern, operation!.AsObject(), definitions));
                }
            }
        }
    }

    public static ServedContract From(IReadOnlyList<string> documents) =>
        Parsed.GetOrAdd(string.Join('\n', documents), _ => new ServedContract(documents));

    /// <summary>Null when the answer conforms (or is not one of a documented operation's), else what is wrong with it.</summary>
    public string? Check(string method, string path, int status, string? mediaType, string body)
    {
        var operation = _operations.FirstOrDefault(o => o.Method == method && o.Pattern.IsMatch(path));
        if (operation is null)
        {
            return null;
        }

        var answer = $"{method} {path} answered {status}";
        var statusText = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Node["responses"]?[statusText] is not { } response)
        {
            return $"{answer}, a status the document does not list for {method} {operation.Template}";
        }

        if (response["content"]?["application/json"]?["schema"] is not { } schemaNode)
        {
            return body.Length == 0 ? null : $"{answer} with a body the document does not describe";
        }

        if (mediaType != "application/json")
        {
            return $"{answer} with Content-Type {mediaType ?? "(none)"}, not application/json";
        }

        var schema = _schemas.GetOrAdd((operation, statusText), key => Standalone(key.Item1, key.Item2, schemaNode));
        using var instance = JsonDocument.Parse(body);
        var result = schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return null;
        }

        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"));
        return $"{answer} with a body its schema refuses: {string.Join("; ", errors)}\n{body}";
    }

    /// <summary>The response's schema as a schema of its own: the document's components become its <c>$defs</c>.</summary>
    private static JsonSchema Standalone(Operation operation, string status, JsonNode schema)
    {
        var root = JsonNode.Parse(schema.ToJsonString())!.AsObject();
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        root["$defs"] = JsonNode.Parse(operation.Definitions);
        var text = root.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        var id = new Uri($"https://gateway.test/{Guid.NewGuid():N}/{operation.Method}{operation.Template}/{status}");
        return JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, id);
    }

    [GeneratedRegex(@"\\\{[^}]+\}")]
    private static partial Regex Placeholder();

    private sealed record Operation(string Method, string Template, Regex Pattern, JsonObject Node, string Definitions);
}
