namespace Kling.Gateway.Observability;

/// <summary>
/// Gauges read from the store (active tasks, units) are refreshed at most once per <see cref="RefreshInterval"/>, however
/// often and however many scrapers ask: a scrape must not become a way to load the store. A failed read keeps the last
/// values and is logged as one warning with its reason; the scrape still answers.
/// </summary>
internal sealed partial class StoreGauges : IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly List<Func<CancellationToken, Task>> _readers = [];
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly TimeProvider _time;
    private readonly ILogger<StoreGauges> _logger;
    private DateTimeOffset? _refreshedAt;

    public StoreGauges(GatewayMetrics metrics, TimeProvider time, ILogger<StoreGauges> logger)
    {
        _time = time;
        _logger = logger;
        metrics.Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    /// <summary>Adds a reader that sets gauges from the store; it runs on the next due refresh.</summary>
    public void Add(Func<CancellationToken, Task> reader)
    {
        lock (_readers)
        {
            _readers.Add(reader);
        }
    }

    public void Dispose() => _refreshing.Dispose();

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (now - _refreshedAt < RefreshInterval)
            {
                return;
            }

            // Due again after the interval whether or not the store answered: an outage is not retried per scrape.
            _refreshedAt = now;
            Func<CancellationToken, Task>[] readers;
            lock (_readers)
            {
                readers = [.. _readers];
            }

            foreach (var read in readers)
            {
                await read(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogReadFailed(_logger, ex.Message);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the store for the metrics failed: {Reason}; the gauges keep their last values")]
    private static partial void LogReadFailed(ILogger logger, string reason);
}
