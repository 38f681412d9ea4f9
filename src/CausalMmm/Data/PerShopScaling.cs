namespace CausalMmm.Data;

/// <summary>How <see cref="PerShopScaling"/> maps each shop's series.</summary>
public enum ScalingMethod
{
    /// <summary>To [0, 1] over the fitting steps: (x - min) / (max - min). The causal model's default (<c>CausalMmmOptions.Scaling</c>).</summary>
    MinMax,

    /// <summary>Divided by the mean of the absolute values: keeps zero at zero and the sign, so spend stays spend-like.</summary>
    MeanScale,
}

/// <summary>
/// Per-shop, per-series scaling measured on a panel's history (the steps before its holdout), that remembers how to
/// undo itself: <see cref="Apply"/> scales a panel, <see cref="Invert(MarketingPanel)"/> and
/// <see cref="Invert(string, string, double)"/> bring a panel or one value back to the original scale. Shops are matched by id.
/// </summary>
public sealed class PerShopScaling
{
    private readonly Dictionary<(string Shop, string Variable), (double Offset, double Scale)> _maps;

    private PerShopScaling(ScalingMethod method, IReadOnlyList<string> variables, Dictionary<(string, string), (double, double)> maps)
    {
        Method = method;
        Variables = variables;
        _maps = maps;
    }

    /// <summary>The method.</summary>
    public ScalingMethod Method { get; }

    /// <summary>The scaled series.</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>Measures every time-varying series of every shop over the steps before <paramref name="panel"/>'s holdout.</summary>
    public static PerShopScaling Fit(MarketingPanel panel, ScalingMethod method = ScalingMethod.MinMax)
    {
        ArgumentNullException.ThrowIfNull(panel);
        var maps = new Dictionary<(string, string), (double, double)>();
        int end = panel.HistoryEnd;
        for (int s = 0; s < panel.ShopCount; s++)
        {
            foreach (PanelVariable v in panel.SeriesVariables)
            {
                double[] x = panel.GetSeries(s, v.Name)[..end];
                (double offset, double scale) = method == ScalingMethod.MinMax ? (x.Min(), x.Max() - x.Min()) : (0.0, x.Average(Math.Abs));
                maps[(panel.ShopIds[s], v.Name)] = (offset, scale > 1e-12 ? scale : 1); // a constant series keeps a unit scale
            }
        }
        return new PerShopScaling(method, panel.SeriesVariables.Select(v => v.Name).ToArray(), maps);
    }

    /// <summary>The offset and scale of one shop's series: scaled = (x - Offset) / Scale.</summary>
    /// <exception cref="KeyNotFoundException">The shop or series was not in the fitting panel.</exception>
    public (double Offset, double Scale) this[string shopId, string variable] => _maps.TryGetValue((shopId, variable), out var m) ? m
        : throw new KeyNotFoundException($"No scale for shop '{shopId}', series '{variable}'; fit the scaling on a panel that contains them.");

    /// <summary>A copy of <paramref name="panel"/> with every fitted series scaled (other series and context unchanged).</summary>
    public MarketingPanel Apply(MarketingPanel panel) => Map(panel, (m, x) => (x - m.Offset) / m.Scale);

    /// <summary>A copy of a scaled panel on the original scale.</summary>
    public MarketingPanel Invert(MarketingPanel scaled) => Map(scaled, (m, x) => x * m.Scale + m.Offset);

    /// <summary>One value of shop <paramref name="shopId"/>'s series back on the original scale.</summary>
    public double Invert(string shopId, string variable, double value)
    {
        (double offset, double scale) = this[shopId, variable];
        return value * scale + offset;
    }

    private MarketingPanel Map(MarketingPanel panel, Func<(double Offset, double Scale), double, double> f)
    {
        ArgumentNullException.ThrowIfNull(panel);
        double[] values = panel.SeriesValues.ToArray();
        int k = panel.SeriesVariables.Count;
        for (int s = 0; s < panel.ShopCount; s++)
        for (int j = 0; j < k; j++)
        {
            string name = panel.SeriesVariables[j].Name;
            if (!Variables.Contains(name)) continue;
            (double, double) m = this[panel.ShopIds[s], name];
            for (int t = 0; t < panel.Length; t++)
            {
                long i = panel.Offset(s, t) + j;
                values[i] = f(m, values[i]);
            }
        }
        return panel.WithSeriesValues(values);
    }
}
