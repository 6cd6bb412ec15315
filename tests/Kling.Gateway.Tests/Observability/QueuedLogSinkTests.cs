using System.Text;
using Kling.Gateway.Observability;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Parsing;

namespace Kling.Gateway.Tests.Observability;

public sealed class QueuedLogSinkTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_event_is_written_as_one_line_without_waiting_for_more()
    {
        var output = new GatedStream();
        using var sink = new QueuedLogSink(new RenderedCompactJsonFormatter(), output, capacity: 16);

        sink.Emit(Event("first"));

        var lines = await output.LinesAsync(1);
        Assert.Equal(["first"], lines);
    }

    [Fact]
    public async Task A_burst_is_written_in_order_with_fewer_flushes_than_events()
    {
        var output = new GatedStream();
        using var sink = await HeldSinkAsync(output, capacity: 1000);

        // Queued while the output is stuck: the next write takes them together.
        for (var i = 0; i < 100; i++)
        {
            sink.Emit(Event($"e{i}"));
        }

        output.Release();

        var lines = await output.LinesAsync(101);
        Assert.Equal(["held", .. Enumerable.Range(0, 100).Select(i => $"e{i}")], lines);
        Assert.InRange(output.Flushes, 2, 3);
    }

    [Fact]
    public async Task A_full_queue_makes_the_logging_thread_wait_and_drops_nothing()
    {
        var output = new GatedStream();
        using var sink = await HeldSinkAsync(output, capacity: 2);

        var logging = Task.Run(() =>
        {
            for (var i = 0; i < 5; i++)
            {
                sink.Emit(Event($"e{i}"));
            }
        });

        // Two fit in the queue; the third waits for room while the output is stuck.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(logging.IsCompleted);
        output.Release();
        await logging.WaitAsync(Bound);

        var lines = await output.LinesAsync(6);
        Assert.Equal(["held", "e0", "e1", "e2", "e3", "e4"], lines);
    }

    [Fact]
    public void Disposal_writes_everything_still_queued()
    {
        var output = new GatedStream();
        var sink = new QueuedLogSink(new RenderedCompactJsonFormatter(), output, capacity: 1000);
        for (var i = 0; i < 50; i++)
        {
            sink.Emit(Event($"e{i}"));
        }

        sink.Dispose();
        sink.Emit(Event("after disposal"));

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"e{i}"), output.Lines());
    }

    /// <summary>A sink whose output is stuck writing its first event, "held".</summary>
    private static async Task<QueuedLogSink> HeldSinkAsync(GatedStream output, int capacity)
    {
        var sink = new QueuedLogSink(new RenderedCompactJsonFormatter(), output, capacity);
        output.Hold();
        sink.Emit(Event("held"));
        await output.WaitForBlockedWriteAsync();
        return sink;
    }

    private static LogEvent Event(string text) =>
        new(DateTimeOffset.UnixEpoch, LogEventLevel.Information, null, new MessageTemplate([new TextToken(text)]), []);

    /// <summary>An output whose writes can be held (as a stuck pipe holds them); it records what was written and each flush.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly MemoryStream _written = new();
        private readonly ManualResetEventSlim _open = new(initialState: true);
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Flushes { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Hold() => _open.Reset();

        public void Release() => _open.Set();

        public Task WaitForBlockedWriteAsync() => _blocked.Task.WaitAsync(Bound);

        public async Task<string[]> LinesAsync(int count)
        {
            var deadline = DateTime.UtcNow + Bound;
            while (Lines().Length < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            return Lines();
        }

        public string[] Lines()
        {
            lock (_written)
            {
                return Encoding.UTF8.GetString(_written.ToArray())
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("@m").GetString()!)
                    .ToArray();
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (!_open.IsSet)
            {
                _blocked.TrySetResult();
                _open.Wait(Bound);
            }

            lock (_written)
            {
                _written.Write(buffer, offset, count);
            }
        }

        public override void Flush() => Flushes++;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _open.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
