namespace CausalMmm.Tests;

/// <summary>
/// Tests that count live tensors, set libtorch's process-wide thread count, or time training join this collection,
/// which xunit runs alone: a parallel test would change the counts they read.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTraining
{
    public const string Name = "Serial (process-wide libtorch state)";
}
