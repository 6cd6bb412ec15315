namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// A client handler that checks every answer the gateway gives to a documented operation against the OpenAPI document
/// the same gateway serves (<see cref="ServedContract"/>), so every test that talks to the gateway also proves that the
/// document tells the truth. An answer that does not conform fails the request that received it.
/// </summary>
internal sealed class ConformingAnswers : DelegatingHandler
{
    private readonly Func<CancellationToken, Task<IReadOnlyList<string>>> _documents;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private ServedContract? _contract;

    /// <param name="documents">Reads the gateway's documents (the texts it serves).</param>
    /// <param name="inner">The handler that reaches the gateway, unless the factory supplies it.</param>
    public ConformingAnswers(Func<CancellationToken, Task<IReadOnlyList<string>>> documents, HttpMessageHandler? inner = null)
    {
        _documents = documents;
        if (inner is not null)
        {
            InnerHandler = inner;
        }
    }

    /// <summary>Reads the documents a gateway at <paramref name="address"/> serves, over HTTP.</summary>
    public static Func<CancellationToken, Task<IReadOnlyList<string>>> Served(Uri address) => async cancellationToken =>
    {
        using var client = new HttpClient { BaseAddress = address };
        var documents = new List<string>();
        foreach (var name in ServedContract.DocumentNames)
        {
            documents.Add(await client.GetStringAsync($"/swagger/{name}/swagger.json", cancellationToken));
        }

        return documents;
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var contract = await ContractAsync(cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var violation = contract.Check(request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType, body);
        if (violation is not null)
        {
            response.Dispose();
            throw new InvalidOperationException("The answer does not conform to the served OpenAPI document: " + violation);
        }

        return response;
    }

    /// <summary>The documents this gateway serves, read once.</summary>
    private async Task<ServedContract> ContractAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            return _contract ??= ServedContract.From(await _documents(cancellationToken));
        }
        finally
        {
            _loading.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _loading.Dispose();
        }

        base.Dispose(disposing);
    }
}
