using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// The time axis of each shop's linear trend (<see cref="CausalMmmOptions.Trend"/>): steps counted from the first step of
/// the training window, centred on that window and divided by its length, so a slope of 1 moves a scaled series by its
/// whole training range over the window and the line carries no level of its own.
/// </summary>
internal static class LinearTrend
{
    /// <summary>The trend times [count] of the steps <paramref name="first"/>.. (0 is the training window's first step).</summary>
    public static Tensor Times(long first, int count, int windowSteps, Device device)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double centre = (windowSteps - 1) / 2.0;
        return ((torch.arange(count, dtype: ScalarType.Float32, device: device) + (first - centre)) / windowSteps).MoveToOuterDisposeScope();
    }

    /// <summary>The line [S, T, n] of slopes [S, n] at times [T].</summary>
    public static Tensor Line(Tensor slopes, Tensor times) => slopes.unsqueeze(1) * times.to(slopes.device).view(1, times.size(0), 1);
}
