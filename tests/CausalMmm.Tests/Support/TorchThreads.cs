using System.Runtime.CompilerServices;
using TorchSharp;

namespace CausalMmm.Tests.Support;

/// <summary>
/// Pins libtorch's intra-op threads for the whole test run. libtorch keeps the count per OS thread, each thread taking the
/// process-wide value when it first runs a parallel operation, and a fit's numerics depend on it: on a 2-core machine two
/// tests passed alone and failed in the suite, and with the count set to 1, 2, 3 or 4 the same fit learned different
/// graphs (docs/benchmarks.md). One fixed count makes a test's outcome its own, whichever worker runs it; one thread also
/// suits the runner, which already runs test classes side by side. The tests that change the count
/// (<see cref="ProcessWideTorchSettings"/>) run alone and restore it.
/// </summary>
internal static class TorchThreads
{
    /// <summary>The intra-op thread count every test runs with.</summary>
    public const int Count = 1;

    [ModuleInitializer]
    internal static void Pin() => torch.set_num_threads(Count);
}
