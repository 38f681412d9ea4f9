using CausalMmm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// Per-shop, per-series min-max scaling to [0, 1], measured on a history window only, so that a forecast
/// never sees data after its origin. Remembers how to undo itself for every output.
/// </summary>
internal sealed class PanelScaling
{
    private readonly double[] _min;
    private readonly double[] _range;
    private readonly int _nodes;

    private PanelScaling(double[] min, double[] range, int nodes)
    {
        _min = min;
        _range = range;
        _nodes = nodes;
    }

    /// <summary>
    /// Measures every shop's series over steps [start, end). The first <paramref name="fromZero"/> series, where never
    /// negative, are scaled from zero (divided by their maximum), so that zero stays zero: a response curve of spend then
    /// starts at no spend rather than at the window's least. With <see cref="ScalingMethod.MeanScale"/> every series is
    /// divided by the mean of its absolute values instead (zero stays zero for all of them).
    /// </summary>
    /// <remarks>
    /// A series flagged in <paramref name="reflected"/> (min-max only) is scaled from its window maximum down, (max - value)
    /// / range, stored as minimum = max and a negative range, so <see cref="Unscale"/> undoes it unchanged.
    /// </remarks>
    public static PanelScaling Measure(NumericPanel panel, int start, int end, int fromZero = 0, ScalingMethod method = ScalingMethod.MinMax, IReadOnlyList<bool>? reflected = null)
    {
        int n = panel.NodeCount;
        var min = new double[panel.ShopCount * n];
        var range = new double[panel.ShopCount * n];
        for (int s = 0; s < panel.ShopCount; s++)
        for (int j = 0; j < n; j++)
        {
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity, absolute = 0;
            for (int t = start; t < end; t++)
            {
                double v = panel[s, t, j];
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
                absolute += Math.Abs(v);
            }
            if (method == ScalingMethod.MeanScale)
            {
                double mean = absolute / (end - start);
                min[s * n + j] = 0;
                range[s * n + j] = mean > 1e-12 ? mean : 1;
                continue;
            }
            if (reflected is not null && j < reflected.Count && reflected[j])
            {
                min[s * n + j] = hi;
                range[s * n + j] = hi - lo > 1e-12 ? lo - hi : -1; // a constant series maps to 0
                continue;
            }
            if (j < fromZero && lo >= 0) lo = 0;
            min[s * n + j] = lo;
            range[s * n + j] = hi - lo > 1e-12 ? hi - lo : 1; // a constant series maps to 0
        }
        return new PanelScaling(min, range, n);
    }

    public double Scale(int shop, int node, double value) => (value - _min[shop * _nodes + node]) / _range[shop * _nodes + node];

    public double Unscale(int shop, int node, double value) => value * _range[shop * _nodes + node] + _min[shop * _nodes + node];

    /// <summary>Scaled values of steps [start, end) as a float32 tensor [shops, end - start, n].</summary>
    public Tensor ToTensor(NumericPanel panel, int start, int end)
    {
        int steps = end - start, n = panel.NodeCount;
        var data = new float[panel.ShopCount * steps * n];
        for (int s = 0; s < panel.ShopCount; s++)
        for (int t = 0; t < steps; t++)
        for (int j = 0; j < n; j++)
            data[(s * steps + t) * n + j] = (float)Scale(s, j, panel[s, start + t, j]);
        return Tensors.FromArray(data, new long[] { panel.ShopCount, steps, n });
    }
}
