namespace CausalMmm.Tests;

/// <summary>
/// Tests that change a process-wide libtorch setting (the intra-op thread count) run alone, after the parallel ones:
/// a fit beside them would reduce its sums over another number of threads and differ in the last digits, and the tests
/// that compare two fits bit for bit (shuffled rows, reloaded models) would fail now and then.
/// </summary>
[CollectionDefinition(nameof(ProcessWideTorchSettings), DisableParallelization = true)]
public sealed class ProcessWideTorchSettings
{
}
