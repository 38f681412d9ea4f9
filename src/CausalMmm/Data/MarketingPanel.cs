using System.Globalization;

namespace CausalMmm.Data;

/// <summary>
/// A marketing panel: shops observed on one regular time index, with variables that each have a
/// <see cref="VariableRole"/>. Time-varying values are stored as [shop, time, variable] over
/// <see cref="SeriesVariables"/>; context as [shop, variable] over <see cref="ContextVariables"/>. Immutable. Every value
/// is finite and channels are non-negative unless declared unconstrained. This is the typed form the components read an
/// <c>IDataView</c> into (one pass, checked); <c>mlContext.CausalMmm().Data</c> converts between the two.
/// </summary>
public sealed class MarketingPanel
{
    private readonly double[] _series;
    private readonly double[] _context;
    private readonly Dictionary<string, int> _seriesIndex;
    private readonly Dictionary<string, int> _contextIndex;
    private readonly Dictionary<string, int> _shopIndex;

    /// <summary>Creates a panel, checking sizes, names, dates and values.</summary>
    /// <param name="shopIds">Shop identifiers, unique.</param>
    /// <param name="dates">The time index, strictly increasing with a constant step in days.</param>
    /// <param name="variables">Every variable; the time-varying ones in <paramref name="series"/> order, context ones in <paramref name="context"/> order.</param>
    /// <param name="series">Time-varying values, row-major [shop, time, time-varying variable].</param>
    /// <param name="context">Context values, row-major [shop, context variable]; may be null when there is no context.</param>
    /// <exception cref="ArgumentException">A size, name, date or value is invalid; the message says which.</exception>
    public MarketingPanel(IReadOnlyList<string> shopIds, IReadOnlyList<DateOnly> dates, IReadOnlyList<PanelVariable> variables,
        double[] series, double[]? context = null)
        : this(shopIds, dates, variables, series, context ?? Array.Empty<double>(), null, validate: true)
    {
    }

    private MarketingPanel(IReadOnlyList<string> shopIds, IReadOnlyList<DateOnly> dates, IReadOnlyList<PanelVariable> variables,
        double[] series, double[] context, int? holdoutStart, bool validate)
    {
        ArgumentNullException.ThrowIfNull(shopIds);
        ArgumentNullException.ThrowIfNull(dates);
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(series);
        ShopIds = shopIds.ToArray();
        Dates = dates.ToArray();
        SeriesVariables = variables.Where(v => v.IsTimeVarying).ToArray();
        ContextVariables = variables.Where(v => !v.IsTimeVarying).ToArray();
        Schema = new PanelSchema(SeriesVariables.Concat(ContextVariables));
        _series = series;
        _context = context;
        _seriesIndex = SeriesVariables.Select((v, i) => (v.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _contextIndex = ContextVariables.Select((v, i) => (v.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _shopIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int s = 0; s < ShopIds.Count; s++)
        {
            if (!_shopIndex.TryAdd(ShopIds[s], s)) throw new ArgumentException($"Shop '{ShopIds[s]}' appears twice; shop ids must be unique.", nameof(shopIds));
        }
        if (holdoutStart is { } h && (h < 1 || h >= Dates.Count))
            throw new ArgumentOutOfRangeException(nameof(holdoutStart), h, $"The holdout must start within the panel after at least one step of history: [1, {Dates.Count - 1}].");
        HoldoutStart = holdoutStart;
        if (validate) Validate();
    }

    /// <summary>The schema: variables with roles, and which results are attached.</summary>
    public PanelSchema Schema { get; }

    /// <summary>Shop identifiers.</summary>
    public IReadOnlyList<string> ShopIds { get; }

    /// <summary>The time index shared by every shop.</summary>
    public IReadOnlyList<DateOnly> Dates { get; }

    /// <summary>The time-varying variables (channels, mediators, the target, covariates, features), in storage order.</summary>
    public IReadOnlyList<PanelVariable> SeriesVariables { get; }

    /// <summary>The static per-shop variables.</summary>
    public IReadOnlyList<PanelVariable> ContextVariables { get; }

    /// <summary>
    /// The first step of the holdout, or null when the whole panel is history. Steps from here on are what forecasters
    /// forecast and evaluation scores; the causal graph and the scaling read only the steps before it.
    /// </summary>
    public int? HoldoutStart { get; }

    /// <summary>The end of the history: <see cref="HoldoutStart"/>, or <see cref="Length"/> when there is no holdout.</summary>
    public int HistoryEnd => HoldoutStart ?? Length;

    /// <summary>Number of shops.</summary>
    public int ShopCount => ShopIds.Count;

    /// <summary>Number of time steps.</summary>
    public int Length => Dates.Count;

    /// <summary>Days between consecutive steps (1 for daily data, 7 for weekly).</summary>
    public int StepDays => Dates.Count > 1 ? Dates[1].DayNumber - Dates[0].DayNumber : 1;

    /// <summary>The target variable.</summary>
    /// <exception cref="InvalidOperationException">The panel has no target (it was read for a transform that needs none).</exception>
    public PanelVariable Target => Schema.Target;

    /// <summary>Variables with <paramref name="role"/>, in panel order.</summary>
    public IReadOnlyList<PanelVariable> VariablesWithRole(VariableRole role) => Schema.WithRole(role);

    /// <summary>Index of <paramref name="shopId"/>, or -1.</summary>
    public int IndexOfShop(string shopId) => _shopIndex.TryGetValue(shopId, out int s) ? s : -1;

    /// <summary>True when the panel has a time-varying variable called <paramref name="name"/>.</summary>
    public bool HasSeries(string name) => _seriesIndex.ContainsKey(name);

    /// <summary>The value of time-varying <paramref name="variable"/> for shop index <paramref name="shop"/> at step <paramref name="time"/>.</summary>
    public double this[int shop, int time, string variable] => _series[Offset(shop, time) + SeriesIndex(variable)];

    /// <summary>A copy of one shop's series of <paramref name="variable"/>.</summary>
    /// <exception cref="ArgumentException">No time-varying variable has that name.</exception>
    public double[] GetSeries(int shop, string variable)
    {
        int k = SeriesIndex(variable);
        var result = new double[Length];
        for (int t = 0; t < Length; t++) result[t] = _series[Offset(shop, t) + k];
        return result;
    }

    /// <summary>Context <paramref name="variable"/> of shop index <paramref name="shop"/>.</summary>
    /// <exception cref="ArgumentException">No context variable has that name.</exception>
    public double GetContext(int shop, string variable)
    {
        if (!_contextIndex.TryGetValue(variable, out int c))
            throw new ArgumentException($"The panel has no context variable '{variable}'. Context variables: [{string.Join(", ", ContextVariables.Select(v => v.Name))}].", nameof(variable));
        return _context[shop * ContextVariables.Count + c];
    }

    /// <summary>Steps [start, start + count) of every shop, without a holdout.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside the panel or is empty.</exception>
    public MarketingPanel SliceTime(int start, int count)
    {
        if (start < 0 || count < 1 || start + count > Length)
            throw new ArgumentOutOfRangeException(nameof(count), $"Time range [{start}, {start + count}) must be non-empty and lie within the panel's [0, {Length}).");
        int k = SeriesVariables.Count;
        var series = new double[ShopCount * count * k];
        for (int s = 0; s < ShopCount; s++)
            Array.Copy(_series, Offset(s, start), series, (long)s * count * k, count * k);
        return new MarketingPanel(ShopIds, Dates.Skip(start).Take(count).ToArray(), Schema.Variables, series, _context, null, validate: false);
    }

    /// <summary>The shops with ids <paramref name="shopIds"/>, in that order.</summary>
    /// <exception cref="ArgumentException">An id is not in the panel.</exception>
    public MarketingPanel SelectShops(IEnumerable<string> shopIds)
    {
        ArgumentNullException.ThrowIfNull(shopIds);
        string[] ids = shopIds.ToArray();
        int k = SeriesVariables.Count, c = ContextVariables.Count;
        var series = new double[ids.Length * Length * k];
        var context = new double[ids.Length * c];
        for (int i = 0; i < ids.Length; i++)
        {
            int s = IndexOfShop(ids[i]);
            if (s < 0) throw new ArgumentException($"Shop '{ids[i]}' is not in the panel.", nameof(shopIds));
            Array.Copy(_series, Offset(s, 0), series, (long)i * Length * k, Length * k);
            Array.Copy(_context, s * c, context, i * c, c);
        }
        return new MarketingPanel(ids, Dates, Schema.Variables, series, context, HoldoutStart, validate: false);
    }

    /// <summary>
    /// Splits by time for forecasting: the train set holds the first <c>Length - holdoutSteps</c> steps; the test set
    /// holds every step, because a forecaster needs the history before the holdout, with <see cref="HoldoutStart"/>
    /// marking the last <paramref name="holdoutSteps"/> steps: forecasters forecast them from the history before.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The holdout leaves fewer than 2 training steps.</exception>
    public (MarketingPanel Train, MarketingPanel Test) SplitByTime(int holdoutSteps)
    {
        if (holdoutSteps < 1 || holdoutSteps > Length - 2)
            throw new ArgumentOutOfRangeException(nameof(holdoutSteps), holdoutSteps, $"The holdout must be between 1 and {Length - 2} steps so that at least 2 training steps remain (the panel has {Length}).");
        return (SliceTime(0, Length - holdoutSteps), WithHoldout(Length - holdoutSteps));
    }

    /// <summary>A copy whose steps from <paramref name="start"/> on are the holdout (null: no holdout).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The start leaves no history or no holdout.</exception>
    public MarketingPanel WithHoldout(int? start) => new(ShopIds, Dates, Schema.Variables, _series, _context, start, validate: false);

    /// <summary>Splits the shops at random (seeded) into two panels, <paramref name="testFraction"/> of them in the second.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction would leave either side empty.</exception>
    public (MarketingPanel Train, MarketingPanel Test) SplitByShop(double testFraction, int seed = 1)
    {
        int testCount = (int)Math.Round(ShopCount * testFraction);
        if (!(testFraction > 0 && testFraction < 1) || testCount < 1 || testCount >= ShopCount)
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, $"The fraction must leave at least one of the {ShopCount} shops on each side.");
        var random = new Random(seed);
        string[] shuffled = ShopIds.OrderBy(_ => random.Next()).ToArray();
        var test = new HashSet<string>(shuffled.Take(testCount));
        return (SelectShops(ShopIds.Where(id => !test.Contains(id))), SelectShops(ShopIds.Where(test.Contains)));
    }

    /// <summary>
    /// The numeric view the causal model consumes: nodes are the channels and covariates (both given in a scenario),
    /// then the mediators, then the target; features are left out.
    /// </summary>
    public NumericPanel ToNumeric()
    {
        PanelVariable[] given = SeriesVariables.Where(v => v.Role == VariableRole.Channel).Concat(SeriesVariables.Where(v => v.Role == VariableRole.Covariate)).ToArray();
        if (!SeriesVariables.Any(v => v.Role == VariableRole.Channel)) throw new ArgumentException("The panel has no Channel variable; the causal model needs at least one.");
        PanelVariable[] nodes = given.Concat(SeriesVariables.Where(v => v.Role == VariableRole.Mediator)).Append(Target).ToArray();
        int[] index = nodes.Select(v => _seriesIndex[v.Name]).ToArray();
        var values = new double[(long)ShopCount * Length * nodes.Length];
        for (int s = 0; s < ShopCount; s++)
        for (int t = 0; t < Length; t++)
        {
            long from = Offset(s, t), to = ((long)s * Length + t) * nodes.Length;
            for (int j = 0; j < nodes.Length; j++) values[to + j] = _series[from + index[j]];
        }
        return new NumericPanel(ShopIds, nodes.Select(v => v.Name).ToArray(), given.Length, values, Length,
            ContextVariables.Select(v => v.Name).ToArray(), (double[])_context.Clone(), Length > 1 ? Dates : null)
        {
            CovariateCount = given.Count(v => v.Role == VariableRole.Covariate),
        };
    }

    /// <summary>
    /// Wraps a <see cref="NumericPanel"/> (for example a simulated one): its first <see cref="NumericPanel.ChannelCount"/>
    /// nodes become channels (the last <see cref="NumericPanel.CovariateCount"/> of them covariates), the last the target,
    /// the rest mediators; dates run daily from <paramref name="start"/>.
    /// </summary>
    /// <param name="panel">The numeric panel.</param>
    /// <param name="start">Date of the first step.</param>
    /// <param name="unconstrained">Allow negative channel values (the synthetic benchmark's series go below zero).</param>
    public static MarketingPanel FromNumeric(NumericPanel panel, DateOnly start, bool unconstrained = false)
    {
        ArgumentNullException.ThrowIfNull(panel);
        var variables = new List<PanelVariable>();
        for (int j = 0; j < panel.NodeCount; j++)
        {
            VariableRole role = j < panel.ChannelCount - panel.CovariateCount ? VariableRole.Channel
                : j < panel.ChannelCount ? VariableRole.Covariate
                : j == panel.TargetIndex ? VariableRole.Target : VariableRole.Mediator;
            variables.Add(new PanelVariable(panel.NodeNames[j], role, unconstrained && role == VariableRole.Channel));
        }
        variables.AddRange(panel.ContextNames.Select(n => new PanelVariable(n, VariableRole.Context)));
        DateOnly[] dates = Enumerable.Range(0, panel.Length).Select(start.AddDays).ToArray();
        return new MarketingPanel(panel.ShopIds, dates, variables, panel.Values.ToArray(), panel.ContextValues.ToArray());
    }

    /// <summary>A copy with derived series appended; <paramref name="values"/> is [shop, time, added variable].</summary>
    internal MarketingPanel WithAddedSeries(IReadOnlyList<PanelVariable> added, double[] values)
    {
        int k = SeriesVariables.Count, a = added.Count, total = k + a;
        var series = new double[(long)ShopCount * Length * total];
        for (int s = 0; s < ShopCount; s++)
        for (int t = 0; t < Length; t++)
        {
            long row = (long)s * Length + t;
            Array.Copy(_series, row * k, series, row * total, k);
            Array.Copy(values, row * a, series, row * total + k, a);
        }
        var variables = SeriesVariables.Concat(added).Concat(ContextVariables).ToArray();
        return new MarketingPanel(ShopIds, Dates, variables, series, _context, HoldoutStart, validate: true);
    }

    /// <summary>A copy with the same structure and new time-varying values (used by scaling).</summary>
    internal MarketingPanel WithSeriesValues(double[] series) =>
        new(ShopIds, Dates, Schema.Variables, series, _context, HoldoutStart, validate: false);

    /// <summary>The raw time-varying values, row-major [shop, time, <see cref="SeriesVariables"/>].</summary>
    public ReadOnlySpan<double> SeriesValues => _series;

    /// <summary>Index of time-varying <paramref name="variable"/> within <see cref="SeriesVariables"/>.</summary>
    /// <exception cref="ArgumentException">No time-varying variable has that name.</exception>
    public int SeriesIndex(string variable) => _seriesIndex.TryGetValue(variable, out int k) ? k
        : throw new ArgumentException($"The panel has no time-varying variable '{variable}'. It has: [{string.Join(", ", SeriesVariables.Select(v => v.Name))}].", nameof(variable));

    internal long Offset(int shop, int time) => ((long)shop * Length + time) * SeriesVariables.Count;

    private void Validate()
    {
        if (ShopCount == 0) throw new ArgumentException("A panel needs at least one shop.");
        if (Length == 0) throw new ArgumentException("A panel needs at least one date.");
        if (Schema.Variables.Count(v => v.Role == VariableRole.Target) > 1)
            throw new ArgumentException($"A panel has at most one Target variable; it has {Schema.Variables.Count(v => v.Role == VariableRole.Target)} ({Schema}).");
        foreach (PanelVariable v in Schema.Variables)
        {
            if (string.IsNullOrWhiteSpace(v.Name)) throw new ArgumentException("Every variable needs a non-empty name.");
            if (v.Role == VariableRole.Feature && v.Source is null) throw new ArgumentException($"Feature '{v.Name}' must name its Source variable.");
        }
        int step = StepDays;
        if (step < 1) throw new ArgumentException($"Dates must increase; {Dates[0]:yyyy-MM-dd} is followed by {Dates[1]:yyyy-MM-dd}.");
        for (int t = 1; t < Length; t++)
        {
            if (Dates[t].DayNumber - Dates[t - 1].DayNumber != step)
                throw new ArgumentException($"Dates must be regular with a step of {step} day(s); {Dates[t - 1]:yyyy-MM-dd} is followed by {Dates[t]:yyyy-MM-dd} (step {t}).");
        }
        if (_series.Length != (long)ShopCount * Length * SeriesVariables.Count)
            throw new ArgumentException($"series holds {_series.Length} numbers but {ShopCount} shops x {Length} dates x {SeriesVariables.Count} time-varying variables need {(long)ShopCount * Length * SeriesVariables.Count}.");
        if (_context.Length != ShopCount * ContextVariables.Count)
            throw new ArgumentException($"context holds {_context.Length} numbers but {ShopCount} shops x {ContextVariables.Count} context variables need {ShopCount * ContextVariables.Count}.");
        for (int s = 0; s < ShopCount; s++)
        for (int t = 0; t < Length; t++)
        for (int k = 0; k < SeriesVariables.Count; k++)
        {
            double v = _series[Offset(s, t) + k];
            PanelVariable variable = SeriesVariables[k];
            if (!double.IsFinite(v))
                throw new ArgumentException($"'{variable.Name}' of shop '{ShopIds[s]}' on {Dates[t]:yyyy-MM-dd} is {v.ToString(CultureInfo.InvariantCulture)}; every value must be finite.");
            if (v < 0 && variable.Role == VariableRole.Channel && !variable.Unconstrained)
                throw new ArgumentException($"Channel '{variable.Name}' of shop '{ShopIds[s]}' on {Dates[t]:yyyy-MM-dd} is {v.ToString(CultureInfo.InvariantCulture)}; spend cannot be negative (declare the variable unconstrained if negative values are meaningful).");
        }
        for (int i = 0; i < _context.Length; i++)
        {
            if (!double.IsFinite(_context[i]))
                throw new ArgumentException($"Context '{ContextVariables[i % ContextVariables.Count].Name}' of shop '{ShopIds[i / ContextVariables.Count]}' is {_context[i]}; every value must be finite.");
        }
    }
}
