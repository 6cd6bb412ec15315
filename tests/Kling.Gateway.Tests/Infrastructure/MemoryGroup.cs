using System.Globalization;

namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// A cgroup v1 memory group of its own (as root), for running the gateway under a container's memory limit; removed on
/// dispose. Skips the test, with the reason, where the memory controller is not there or not writable.
/// </summary>
internal sealed class MemoryGroup : IDisposable
{
    private const string Root = "/sys/fs/cgroup/memory";

    private MemoryGroup(string path) => Path = path;

    public string Path { get; }

    /// <summary>Bytes the group has used at most, and how often it hit its limit.</summary>
    public (long MaxUsage, long Failures) Usage => (Read("memory.max_usage_in_bytes"), Read("memory.failcnt"));

    public static MemoryGroup Create(long limitBytes)
    {
        Skip.IfNot(File.Exists(System.IO.Path.Combine(Root, "cgroup.procs")), $"no cgroup v1 memory controller at {Root}");
        Skip.IfNot(Environment.UserName == "root", "creating a memory cgroup needs root");
        var path = System.IO.Path.Combine(Root, $"kling-gateway-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        File.WriteAllText(System.IO.Path.Combine(path, "memory.limit_in_bytes"), limitBytes.ToString(CultureInfo.InvariantCulture));
        return new MemoryGroup(path);
    }

    /// <summary>Removes the group once its processes have gone (a group with a process in it cannot be removed).</summary>
    public void Dispose()
    {
        for (var attempt = 0; attempt < 100 && Directory.Exists(Path); attempt++)
        {
            try
            {
                Directory.Delete(Path);
            }
            catch (IOException)
            {
                Thread.Sleep(50);
            }
        }
    }

    private long Read(string file) =>
        long.Parse(File.ReadAllText(System.IO.Path.Combine(Path, file)).Trim(), CultureInfo.InvariantCulture);
}
