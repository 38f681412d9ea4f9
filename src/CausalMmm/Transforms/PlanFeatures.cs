using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Transforms;

/// <summary>
/// A column recomputed on a plan's steps: plans [R, H, given series] in original units and each row's shop index [R] to
/// the column's values on those steps [R, H], differentiable in the plan. The classic chain's scenario forecast
/// (<c>Forecasting.RidgeScenario</c>) is built from these.
/// </summary>
internal delegate Tensor PlanFeature(Tensor plan, Tensor shops);

/// <summary>
/// What a channel transform needs to recompute one of its columns on a plan's steps: the plan features of its inputs,
/// and the history the plan continues (its carry-over starts there). Owns the tensors it hands out; dispose it with the
/// features built from it.
/// </summary>
internal sealed class PlanFeatureContext : IDisposable
{
    private readonly Func<string, PlanFeature> _trace;
    private readonly Func<string, int, float[]> _history;
    private readonly List<Tensor> _owned = new();
    private readonly List<Scalar> _scalars = new();

    /// <param name="shopIds">The shops, in the order of the shop indexes a feature is called with.</param>
    /// <param name="trace">The plan feature of a column: a plan series, or another transform's output.</param>
    /// <param name="history">The last <c>count</c> values of a column before the plan, per shop [S * count], zero before the history's start.</param>
    /// <param name="component">Names the caller in errors.</param>
    public PlanFeatureContext(IReadOnlyList<string> shopIds, Func<string, PlanFeature> trace, Func<string, int, float[]> history, string component)
    {
        ShopIds = shopIds;
        _trace = trace;
        _history = history;
        Component = component;
    }

    /// <summary>The shops, in shop-index order.</summary>
    public IReadOnlyList<string> ShopIds { get; }

    /// <summary>Names the caller in errors.</summary>
    public string Component { get; }

    /// <summary>The plan feature of <paramref name="column"/> (an input of the transform asking).</summary>
    /// <exception cref="NotSupportedException">The column cannot be traced to the plan.</exception>
    public PlanFeature Trace(string column) => _trace(column);

    /// <summary>The last <paramref name="count"/> values of <paramref name="column"/> before the plan, per shop [S, count].</summary>
    public Tensor History(string column, int count) => Own(_history(column, count), new long[] { ShopIds.Count, count });

    /// <summary>A per-shop constant [S] (for instance each shop's curve scale), owned by this context.</summary>
    public Tensor PerShop(float[] values) => Own(values, new long[] { values.Length });

    /// <summary>
    /// A number as a Scalar owned by this context, for a feature to capture: a number passed straight to a TorchSharp call
    /// becomes a temporary Scalar the GC may free while the native call still reads it.
    /// </summary>
    public Scalar Constant(double value)
    {
        Scalar scalar = value;
        _scalars.Add(scalar);
        return scalar;
    }

    private Tensor Own(float[] values, long[] shape)
    {
        Tensor tensor = Tensors.FromArray(values, shape).DetachFromDisposeScope();
        _owned.Add(tensor);
        return tensor;
    }

    /// <summary>Releases the tensors handed out.</summary>
    public void Dispose()
    {
        foreach (Tensor t in _owned) t.Dispose();
        _owned.Clear();
        foreach (Scalar s in _scalars) s.Dispose();
        _scalars.Clear();
    }
}
