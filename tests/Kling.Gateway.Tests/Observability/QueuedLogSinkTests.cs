using System.Text;
using Kling.Gateway.Observability;
using Kling.Gateway.Tests.Infrastructure;
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
        // The bytes are written just before the stream is flushed: wait for that flush, then for no more than one other.
        Assert.InRange(await output.FlushesAsync(atLeast: 2), 2, 3);
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
    public async Task An_event_that_cannot_be_formatted_is_left_out_whole_and_the_next_ones_are_written()
    {
        var output = new GatedStream();
        using var sink = new QueuedLogSink(new FailingOn("bad"), output, capacity: 16);

        sink.Emit(Event("a"));
        sink.Emit(Event("bad"));
        sink.Emit(Event("c"));

        var lines = await output.LinesAsync(2);
        Assert.Equal(["a", "c"], lines);
    }

    [Fact]
    public async Task A_broken_output_never_makes_logging_threads_wait_for_good()
    {
        var output = new GatedStream();
        output.Break();
        using var sink = new QueuedLogSink(new RenderedCompactJsonFormatter(), output, capacity: 2);

        var logging = Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                sink.Emit(Event($"e{i}"));
            }
        });

        await logging.WaitAsync(Bound);
        output.Repair();
        sink.Emit(Event("after"));
        // Events whose writes failed are gone; every line written is whole, and the writer is still writing.
        var lines = await output.LinesAsync(written => written.Contains("after"));
        Assert.Equal("after", lines[^1]);
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

    /// <summary>Writes half an event, then fails, for events with this text.</summary>
    private sealed class FailingOn(string text) : Serilog.Formatting.ITextFormatter
    {
        private readonly RenderedCompactJsonFormatter _inner = new();

        public void Format(LogEvent logEvent, TextWriter output)
        {
            if (logEvent.MessageTemplate.Text == text)
            {
                output.Write("{\"@m\":\"half");
                throw new FormatException("cannot format this one");
            }

            _inner.Format(logEvent, output);
        }
    }

    private static LogEvent Event(string text) =>
        new(DateTimeOffset.UnixEpoch, LogEventLevel.Information, null, new MessageTemplate([new TextToken(text)]), []);

    /// <summary>An output whose writes can be held (as a stuck pipe holds them); it records what was written and each flush.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly MemoryStream _written = new();
        private readonly ManualResetEventSlim _open = new(initialState: true);
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private int _flushes;
        private volatile bool _broken;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Hold() => _open.Reset();

        public void Release() => _open.Set();

        public Task WaitForBlockedWriteAsync() => _blocked.Task.WaitAsync(Bound);

        /// <summary>Writes fail (as on a closed pipe) until repaired.</summary>
        public void Break() => _broken = true;

        public void Repair() => _broken = false;

        public async Task<int> FlushesAsync(int atLeast)
        {
            await Eventually.TrueAsync(() => Volatile.Read(ref _flushes) >= atLeast);
            return Volatile.Read(ref _flushes);
        }

        public Task<string[]> LinesAsync(int count) => LinesAsync(lines => lines.Length >= count);

        public async Task<string[]> LinesAsync(Func<string[], bool> enough)
        {
            await Eventually.TrueAsync(() => enough(Lines()));
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
            if (_broken)
            {
                throw new IOException("Broken pipe");
            }

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

        public override void Flush() => Interlocked.Increment(ref _flushes);

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
