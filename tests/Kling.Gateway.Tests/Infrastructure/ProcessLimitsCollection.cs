namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>
/// Tests that load the gateway as its own process to its memory, connection or time limits: they run one at a time,
/// after the rest of the suite, so no other test competes for the machine while the bounds they state are measured.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessLimitsCollection
{
    public const string Name = "Process limits";
}
