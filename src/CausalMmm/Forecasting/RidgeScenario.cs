using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Transforms;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Forecasting;

/// <summary>
/// The classic chain's scenario forecast: each ridge feature traced back to a plan series through the channel transforms
/// of the pipeline (each recomputes its own column on the planned steps, carry-over from the history included), then
/// each shop's regression.
/// </summary>
internal sealed class RidgeScenario : ScenarioModel
{
    private readonly PlanFeature[] _features;
    private readonly PlanFeatureContext _context;
    private readonly Tensor _intercept;
    private readonly Tensor _coefficients;
    private readonly Tensor _baseline;

    public RidgeScenario(RidgeTransformer ridge, IReadOnlyList<ITransformer> upstream, IDataView input, MediaPlan plan, string component)
        : base("Ridge", plan, ReadHistory(ridge, upstream, input, plan.Steps, component, out MarketingPanel panel, out int historyLength))
    {
        RequirePlanned(plan, ShopIds, component);
        ChannelTransformerBase[] transforms = upstream.OfType<ChannelTransformerBase>().ToArray();
        List<string> series = plan.Series.ToList();
        RidgeParameters p = ridge.Parameters;
        string? missingShop = ShopIds.FirstOrDefault(id => !p.Shops.ContainsKey(id));
        if (missingShop is not null) throw new ArgumentException($"{component}: shop '{missingShop}' has no fitted regression (the classic model is per shop).");

        // The last history values of a column, per shop: where a transform's carry-over starts.
        float[] History(string column, int count)
        {
            var v = new float[ShopIds.Count * count];
            for (int s = 0; s < ShopIds.Count; s++)
            {
                double[] x = panel.GetSeries(s, column);
                for (int k = 0; k < count; k++)
                {
                    int t = historyLength - count + k;
                    v[s * count + k] = t >= 0 ? (float)x[t] : 0f;
                }
            }
            return v;
        }
        PlanFeature Trace(string column)
        {
            int k = series.IndexOf(column);
            if (k >= 0) return (planned, _) => planned.select(2, k);
            foreach (ChannelTransformerBase transform in transforms)
            {
                if (transform.PlanFeatureFor(column, _context!) is { } feature) return feature;
            }
            throw new NotSupportedException($"{component}: the ridge feature '{column}' is not a plan series or a column a channel transform of the pipeline computes from one, so a plan cannot be forecast through it. "
                + "Plan with pipelines of Adstock, Hill and Ridge only.");
        }
        _context = new PlanFeatureContext(ShopIds, Trace, History, component);
        try
        {
            _features = p.Features.Select(Trace).ToArray();
        }
        catch
        {
            _context.Dispose();
            throw;
        }
        Dates = panel.Dates.Skip(historyLength).ToArray();
        _intercept = Tensors.FromArray(ShopIds.Select(id => (float)p.Shops[id].Intercept).ToArray(), new long[] { ShopIds.Count });
        _coefficients = Tensors.FromArray(ShopIds.SelectMany(id => p.Shops[id].Coefficients.Select(c => (float)c)).ToArray(), new long[] { ShopIds.Count, p.Features.Count });
        // Each shop's baseline on the planned dates (calendar and trend terms): the same whatever the plan.
        double[][] terms = Dates.Select(p.BaselineTerms).ToArray();
        _baseline = Tensors.FromArray(ShopIds.SelectMany(id => terms.Select(t => (float)p.Shops[id].Baseline(t))).ToArray(), new long[] { ShopIds.Count, Dates.Count });
    }

    /// <inheritdoc />
    public override Tensor Forecast(Tensor plan, Tensor shops, Tensor? edges = null)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor coefficients = _coefficients.index_select(0, shops);
        Tensor result = Tensors.Plus(_intercept.index_select(0, shops).unsqueeze(1), _baseline.index_select(0, shops));
        for (int f = 0; f < _features.Length; f++) result = Tensors.Plus(result, coefficients.narrow(1, f, 1) * _features[f](plan, shops));
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _intercept.Dispose();
        _coefficients.Dispose();
        _baseline.Dispose();
        _context.Dispose();
        base.Dispose();
    }

    private static IReadOnlyList<string> ReadHistory(RidgeTransformer ridge, IReadOnlyList<ITransformer> upstream, IDataView input, int planned, string component,
        out MarketingPanel panel, out int historyLength)
    {
        PanelRoles roles = ridge.Roles;
        // Every column a feature is derived from: the features, and the inputs and outputs of the transforms behind them.
        var columns = new HashSet<string>(ridge.Parameters.Features, StringComparer.Ordinal);
        foreach ((string inputColumn, string output) in upstream.OfType<ChannelTransformerBase>().SelectMany(t => t.Columns)) columns.UnionWith(new[] { inputColumn, output });
        columns.IntersectWith(PanelRoles.Columns(input.Schema).Select(c => c.Name));
        AssembledPanel read = PanelReader.Read(input, roles, AdstockEstimator.InputVariables(roles, columns.Order(StringComparer.Ordinal)).ToArray(), component,
            allowMissingOutcomes: true, ridge.DateFormats);
        panel = read.Panel;
        historyLength = panel.Length - planned; // the input is the history with the plan appended
        return panel.ShopIds;
    }
}
