using CausalMmm.Data;
using Microsoft.ML;

namespace CausalMmm.Forecasting;

/// <summary>
/// Future values of the given series (channel spends and covariates) for every shop: the input of a scenario forecast.
/// <see cref="AppendTo"/> turns it into rows after the history with the label and mediators left empty, which any fitted
/// pipeline's <c>Transform</c> then forecasts. Immutable; <see cref="Scale"/> and <see cref="ScaleChannels"/> derive alternatives.
/// </summary>
public sealed class MediaPlan
{
    private readonly Dictionary<string, double[,]> _shops;
    private string[]? _dateFormats;

    /// <summary>Creates a plan; <paramref name="shops"/>[shop id] is [step, series] over <paramref name="roles"/>' given series (channels, then covariates).</summary>
    /// <exception cref="ArgumentException">The arrays disagree in size or hold a non-finite value.</exception>
    public MediaPlan(PanelRoles roles, IReadOnlyDictionary<string, double[,]> shops)
    {
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(shops);
        if (shops.Count == 0) throw new ArgumentException("A plan needs at least one shop.", nameof(shops));
        Roles = roles;
        Series = roles.GivenSeries;
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

    /// <summary>The columns the plan was built for.</summary>
    public PanelRoles Roles { get; }

    /// <summary>The planned series: channels and covariates.</summary>
    public IReadOnlyList<string> Series { get; }

    /// <summary>Number of planned steps.</summary>
    public int Steps { get; }

    /// <summary>Shops in the plan.</summary>
    public IReadOnlyCollection<string> ShopIds => _shops.Keys;

    /// <summary>A copy of shop <paramref name="shopId"/>'s plan, [step, series].</summary>
    /// <exception cref="KeyNotFoundException">The shop is not in the plan.</exception>
    public double[,] this[string shopId] => _shops.TryGetValue(shopId, out double[,]? v) ? (double[,])v.Clone()
        : throw new KeyNotFoundException($"The plan has no shop '{shopId}'.");

    /// <summary>The plan that repeats each shop's last <paramref name="steps"/> steps of every given series.</summary>
    internal static MediaPlan RepeatLast(MarketingPanel history, int steps, PanelRoles roles, string[]? dateFormats = null)
    {
        if (steps < 1 || steps > history.Length)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Repeat between 1 and {history.Length} steps (the history's length).");
        IReadOnlyList<string> series = roles.GivenSeries;
        var shops = new Dictionary<string, double[,]>();
        for (int s = 0; s < history.ShopCount; s++)
        {
            var plan = new double[steps, series.Count];
            for (int k = 0; k < series.Count; k++)
            {
                double[] x = history.GetSeries(s, series[k]);
                for (int h = 0; h < steps; h++) plan[h, k] = x[history.Length - steps + h];
            }
            shops[history.ShopIds[s]] = plan;
        }
        return new MediaPlan(roles, shops) { _dateFormats = dateFormats };
    }

    /// <summary>A plan of the same columns and date formats with other values.</summary>
    internal MediaPlan WithShops(IReadOnlyDictionary<string, double[,]> shops) => new(Roles, shops) { _dateFormats = _dateFormats };

    /// <summary>
    /// A plan over <paramref name="roles"/>' given series that reads the history's text dates with <paramref name="dateFormats"/>
    /// in <see cref="AppendTo"/> (what a plan loaded from a file needs to behave like one made by <see cref="RepeatLast"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The arrays disagree in size or hold a non-finite value.</exception>
    internal static MediaPlan Create(PanelRoles roles, IReadOnlyDictionary<string, double[,]> shops, string[]? dateFormats) =>
        new(roles, shops) { _dateFormats = dateFormats };

    /// <summary>
    /// Saves the plan as a wide CSV (<c>&lt;shop column&gt;,step,&lt;series...&gt;</c>, one row per shop and step, numbers in
    /// round-trip format), atomically; <c>mlContext.CausalMmm().Planning.LoadPlanCsv</c> reads it back exactly.
    /// </summary>
    /// <param name="path">The file to write; it is replaced if it exists.</param>
    /// <exception cref="ArgumentException">A column of the plan is named <c>step</c>, which the file uses to number the steps.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void SaveCsv(string path) => MediaPlanCsv.Write(this, path);

    /// <summary>A copy with <paramref name="channel"/> multiplied by <paramref name="factor"/> at every step of every shop.</summary>
    /// <exception cref="ArgumentException">The series is not in the plan, or the factor is negative or not finite.</exception>
    public MediaPlan Scale(string channel, double factor)
    {
        int k = Series.ToList().IndexOf(channel);
        if (k < 0) throw new ArgumentException($"'{channel}' is not in the plan [{string.Join(", ", Series)}].", nameof(channel));
        if (!(factor >= 0) || !double.IsFinite(factor)) throw new ArgumentException($"The factor must be a non-negative number, got {factor}.", nameof(factor));
        return Map((index, v) => index == k ? v * factor : v);
    }

    /// <summary>A copy with every channel (not the covariates) multiplied by <paramref name="factor"/>.</summary>
    /// <exception cref="ArgumentException">The factor is negative or not finite.</exception>
    public MediaPlan ScaleChannels(double factor)
    {
        if (!(factor >= 0) || !double.IsFinite(factor)) throw new ArgumentException($"The factor must be a non-negative number, got {factor}.", nameof(factor));
        var channels = Roles.Channels.ToHashSet(StringComparer.Ordinal);
        return Map((index, v) => channels.Contains(Series[index]) ? v * factor : v);
    }

    /// <summary>Total planned value of <paramref name="series"/> over all shops and steps.</summary>
    /// <exception cref="ArgumentException">The series is not in the plan.</exception>
    public double Total(string series)
    {
        int k = Series.ToList().IndexOf(series);
        if (k < 0) throw new ArgumentException($"'{series}' is not in the plan [{string.Join(", ", Series)}].", nameof(series));
        return _shops.Values.Sum(p => Enumerable.Range(0, Steps).Sum(h => p[h, k]));
    }

    /// <summary>
    /// <paramref name="history"/>'s rows followed by the plan's dates, for every shop: the planned series on them, the label
    /// and mediators NaN (what a forecaster forecasts), context repeated. Only the plan's columns (and <c>t</c>) are kept:
    /// append the plan to raw data, and let the fitted pipeline recompute derived features.
    /// </summary>
    /// <exception cref="ArgumentException">A shop of the history is missing from the plan, or the history lacks a column.</exception>
    /// <exception cref="PanelDataException">The history is not a valid panel.</exception>
    public IDataView AppendTo(IDataView history)
    {
        ArgumentNullException.ThrowIfNull(history);
        MarketingPanel past = PanelReader.Read(history, Roles, Roles.Variables(), nameof(MediaPlan), allowMissingOutcomes: false, _dateFormats).Panel;
        IReadOnlyList<PanelVariable> variables = past.SeriesVariables;
        int k = variables.Count, length = past.Length + Steps;
        int[] planIndex = variables.Select(v => Series.ToList().IndexOf(v.Name)).ToArray();
        var values = new double[(long)past.ShopCount * length * k];
        for (int s = 0; s < past.ShopCount; s++)
        {
            double[,] plan = _shops.TryGetValue(past.ShopIds[s], out double[,]? p) ? p
                : throw new ArgumentException($"The plan has no shop '{past.ShopIds[s]}'; plan every shop of the history.", nameof(history));
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
        var extended = new MarketingPanel(past.ShopIds, dates, variables.Concat(past.ContextVariables).ToArray(), values, context);
        return PanelAnnotations.Annotate(PanelDataView.Create(extended, Roles.Shop, Roles.Date, missingOutcomesFrom: past.Length), Roles);
    }

    private MediaPlan Map(Func<int, double, double> f)
    {
        var shops = new Dictionary<string, double[,]>();
        foreach ((string shop, double[,] p) in _shops)
        {
            var q = new double[Steps, Series.Count];
            for (int h = 0; h < Steps; h++)
            for (int k = 0; k < Series.Count; k++) q[h, k] = f(k, p[h, k]);
            shops[shop] = q;
        }
        return new MediaPlan(Roles, shops) { _dateFormats = _dateFormats };
    }
}
