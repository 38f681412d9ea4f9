using TorchSharp;

namespace CausalMmm.Modeling;

/// <summary>
/// TorchSharp modules draw their initial weights from libtorch's process-wide generator. Every construction that must
/// repeat under a seed goes through here: seed and build under one lock, so concurrent fits (or a CausalMMM and a Wide
/// fit side by side) never interleave their draws. Anything else that draws from the global generator must take the
/// same lock, or pass a <see cref="torch.Generator"/> of its own.
/// </summary>
internal static class SeededInitialisation
{
    /// <summary>The lock around every use of libtorch's global generator.</summary>
    public static readonly object Gate = new();

    /// <summary>Seeds libtorch's global generator with <paramref name="seed"/> and runs <paramref name="create"/>, under <see cref="Gate"/>.</summary>
    public static T Create<T>(long seed, Func<T> create)
    {
        lock (Gate)
        {
            torch.manual_seed(seed);
            return create();
        }
    }
}
