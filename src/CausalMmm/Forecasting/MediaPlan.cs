using CausalMmm.Data;

namespace CausalMmm.Forecasting;

/// <summary>
/// Future values of the given series (channel spends and covariates) for every shop: the input of a scenario forecast.
/// Immutable; <see cref="Scale"/> and <see cref="ScaleChannels"/> derive alternative plans.
/// </summary>
public sealed class MediaPlan
{
    private readonly Dictionary<string, double[,]> _shops;

    /// <summary>Creates a plan; <paramref name="shops"/>[shop id] is [step, series] over <paramref name="series"/>.</summary>
    /// <exception cref="ArgumentException">The arrays disagree in size or hold a non-finite value.</exception>
    public MediaPlan(IReadOnlyList<string> series, IReadOnlyDictionary<string, double[,]> shops)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(shops);
        if (shops.Count == 0) throw new ArgumentException("A plan needs at least one shop.", nameof(shops));
        Series = series.ToArray();
        Steps = shops.Values.First().GetLength(0);
        if (Steps < 1) throw new ArgumentException("A plan needs at least one step.", nameof(shops));
        _shops = new Dictionary<string, double[,]>(StringComparer.Ordinal);
        foreach ((string shop, double[,] values) in shops)
        {
            if (values.GetLength(0) != Steps || values.GetLength(1) != Series.Count)
                throw new ArgumentException($"The plan of shop '{shop}' is {values.GetLength(0)}x{values.GetLength(1)}; every shop needs {Steps} steps x {Series.Count} series [{string.Join(", ", Series)}].", nameof(shops));
            foreach (double v in values)
            {
                if (!double.IsFinite(v)) throw new ArgumentException($"The plan of shop '{shop}' holds {v}; every value must be finite.", nameof(shops));
            }
            _shops[shop] = (double[,])values.Clone();
        }
    }

    /// <summary>The planned series: channels and covariates.</summary>
    public IReadOnlyList<string> Series { get; }

    /// <summary>Number of planned steps.</summary>
    public int Steps { get; }

    /// <summary>Shops in the plan.</summary>
    public IReadOnlyCollection<string> ShopIds => _shops.Keys;

    /// <summary>A copy of shop <paramref name="shopId"/>'s plan, [step, series].</summary>
    public double[,] this[string shopId] => _shops.TryGetValue(shopId, out double[,]? v) ? (double[,])v.Clone()
        : throw new KeyNotFoundException($"The plan has no shop '{shopId}'.");

    /// <summary>
    /// The plan that repeats, for every shop, the last <paramref name="steps"/> steps of history (before the holdout)
    /// of every channel and covariate: "carry on as before", the usual baseline plan.
    /// </summary>
    public static MediaPlan RepeatLast(MarketingPanel history, int steps)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (steps < 1 || steps > history.HistoryEnd)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Repeat between 1 and {history.HistoryEnd} steps (the history's length).");
        string[] series = GivenSeries(history.Schema);
        var shops = new Dictionary<string, double[,]>();
        for (int s = 0; s < history.ShopCount; s++)
        {
            var plan = new double[steps, series.Length];
            for (int k = 0; k < series.Length; k++)
            {
                double[] x = history.GetSeries(s, series[k]);
                for (int h = 0; h < steps; h++) plan[h, k] = x[history.HistoryEnd - steps + h];
            }
            shops[history.ShopIds[s]] = plan;
        }
        return new MediaPlan(series, shops);
    }

    /// <summary>A copy with <paramref name="channel"/> multiplied by <paramref name="factor"/> at every step of every shop.</summary>
    public MediaPlan Scale(string channel, double factor)
    {
        int k = Series.ToList().IndexOf(channel);
        if (k < 0) throw new ArgumentException($"'{channel}' is not in the plan [{string.Join(", ", Series)}].", nameof(channel));
        return Map((_, index, v) => index == k ? v * factor : v);
    }

    /// <summary>A copy with every channel of <paramref name="panel"/>'s schema (not the covariates) multiplied by <paramref name="factor"/>.</summary>
    public MediaPlan ScaleChannels(PanelSchema panel, double factor)
    {
        var channels = panel.WithRole(VariableRole.Channel).Select(v => v.Name).ToHashSet();
        return Map((_, index, v) => channels.Contains(Series[index]) ? v * factor : v);
    }

    /// <summary>Total planned value of <paramref name="series"/> over all shops and steps.</summary>
    public double Total(string series)
    {
        int k = Series.ToList().IndexOf(series);
        if (k < 0) throw new ArgumentException($"'{series}' is not in the plan.", nameof(series));
        return _shops.Values.Sum(p => Enumerable.Range(0, Steps).Sum(h => p[h, k]));
    }

    /// <summary>
    /// The history (up to its holdout) extended by the plan's steps, with the holdout marked at the first planned step,
    /// so any fitted pipeline's <c>Transform</c> forecasts the plan. Mediators and the target of planned steps are
    /// placeholders (the last observed value); forecasters never read them.
    /// </summary>
    public MarketingPanel AppendTo(MarketingPanel history)
    {
        ArgumentNullException.ThrowIfNull(history);
        MarketingPanel past = history.HistoryEnd == history.Length ? history.WithHoldout(null) : history.SliceTime(0, history.HistoryEnd);
        IReadOnlyList<PanelVariable> variables = past.SeriesVariables;
        int k = variables.Count, length = past.Length + Steps;
        int[] planIndex = variables.Select(v => Series.ToList().IndexOf(v.Name)).ToArray();
        foreach (PanelVariable v in variables.Where(v => v.Role is VariableRole.Channel or VariableRole.Covariate))
        {
            if (!Series.Contains(v.Name)) throw new ArgumentException($"The plan has no series '{v.Name}'; plan every channel and covariate.", nameof(history));
        }
        if (variables.Any(v => v.Role == VariableRole.Feature))
            throw new ArgumentException("Append the plan to the raw panel (before any transform); fitted pipelines recompute derived features.", nameof(history));
        var values = new double[(long)past.ShopCount * length * k];
        for (int s = 0; s < past.ShopCount; s++)
        {
            double[,] plan = _shops.TryGetValue(past.ShopIds[s], out double[,]? p) ? p
                : throw new ArgumentException($"The plan has no shop '{past.ShopIds[s]}'.", nameof(history));
            for (int t = 0; t < length; t++)
            for (int j = 0; j < k; j++)
            {
                values[((long)s * length + t) * k + j] = t < past.Length ? past[s, t, variables[j].Name]
                    : planIndex[j] >= 0 ? plan[t - past.Length, planIndex[j]] : past[s, past.Length - 1, variables[j].Name];
            }
        }
        var context = new double[past.ShopCount * past.ContextVariables.Count];
        for (int s = 0; s < past.ShopCount; s++)
        for (int c = 0; c < past.ContextVariables.Count; c++) context[s * past.ContextVariables.Count + c] = past.GetContext(s, past.ContextVariables[c].Name);
        DateOnly[] dates = Enumerable.Range(0, length).Select(t => past.Dates[0].AddDays(t * past.StepDays)).ToArray();
        return new MarketingPanel(past.ShopIds, dates, variables.Concat(past.ContextVariables).ToArray(), values, context).WithHoldout(past.Length);
    }

    /// <summary>The plan of each of <paramref name="panel"/>'s shops in <paramref name="order"/>'s series order.</summary>
    internal IReadOnlyList<double[,]> ForShops(MarketingPanel panel, IReadOnlyList<string> order)
    {
        int[] index = order.Select(n => Series.ToList().IndexOf(n)).ToArray();
        int missing = Array.IndexOf(index, -1);
        if (missing >= 0) throw new ArgumentException($"The plan has no series '{order[missing]}'; plan every channel and covariate [{string.Join(", ", order)}].");
        return panel.ShopIds.Select(id =>
        {
            double[,] p = _shops.TryGetValue(id, out double[,]? v) ? v : throw new ArgumentException($"The plan has no shop '{id}'.");
            var ordered = new double[Steps, order.Count];
            for (int h = 0; h < Steps; h++)
            for (int c = 0; c < order.Count; c++) ordered[h, c] = p[h, index[c]];
            return ordered;
        }).ToArray();
    }

    internal static string[] GivenSeries(PanelSchema schema) => Transforms.SchemaRules.GivenSeries(schema);

    private MediaPlan Map(Func<string, int, double, double> f)
    {
        var shops = new Dictionary<string, double[,]>();
        foreach ((string shop, double[,] p) in _shops)
        {
            var q = new double[Steps, Series.Count];
            for (int h = 0; h < Steps; h++)
            for (int k = 0; k < Series.Count; k++) q[h, k] = f(shop, k, p[h, k]);
            shops[shop] = q;
        }
        return new MediaPlan(Series, shops);
    }
}
