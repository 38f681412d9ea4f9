using System.Globalization;

namespace CausalMmm.Data;

/// <summary>
/// Collects rows (shop, date, one value per variable) from any source, checks them as a panel and builds a
/// <see cref="MarketingPanel"/>: one row per shop and date, a regular time index shared by every shop, finite values,
/// non-negative channels (unless unconstrained), context that does not change over time. Every error names the row's
/// origin (file and line, or data-view row), shop, date, column and value, and says how to fix it. The CSV reader and
/// the <c>IDataView</c> reader both go through here, so the same data is refused the same way whatever its source.
/// </summary>
internal sealed class PanelAssembler
{
    private readonly PanelVariable[] _variables;
    private readonly string _source;
    private readonly bool _allowMissingOutcomes;
    private readonly Dictionary<string, SortedDictionary<DateOnly, Row>> _shops = new(StringComparer.Ordinal);
    private readonly List<(string Shop, DateOnly Date)> _rows = new();

    /// <param name="variables">The variables, in the order every row's values come in.</param>
    /// <param name="source">Names the source in errors: a file path, or the component reading a data view.</param>
    /// <param name="allowMissingOutcomes">
    /// Accept NaN targets and mediators at the end of each shop's series: the dates to forecast (a media plan appended to
    /// history). <see cref="AssembledPanel.MissingFrom"/> then says where they start.
    /// </param>
    public PanelAssembler(IReadOnlyList<PanelVariable> variables, string source, bool allowMissingOutcomes = false)
    {
        _variables = variables.ToArray();
        _source = source;
        _allowMissingOutcomes = allowMissingOutcomes;
    }

    /// <summary>Where a row came from, for error messages: a file line or a data-view row (both 1-based).</summary>
    public readonly record struct RowOrigin(int? Line, long? Row);

    private sealed record Row(double[] Values, RowOrigin Origin, int Index);

    /// <summary>Rows added so far.</summary>
    public int RowCount => _rows.Count;

    /// <summary>
    /// Checks one value on its own (finite; non-negative for a constrained channel); call it for every value before
    /// <see cref="Add"/>. <paramref name="text"/> is the value as written in a file; without it, errors show the value itself.
    /// </summary>
    /// <exception cref="PanelDataException">The value is not allowed; the message names the row, shop, date, column and value.</exception>
    public void CheckValue(PanelVariable variable, double value, string? text, string shop, DateOnly date, RowOrigin origin) =>
        CheckValue(variable, value, text, shop, date, origin, _source, _allowMissingOutcomes);

    /// <summary>The check of <see cref="CheckValue(PanelVariable, double, string?, string, DateOnly, RowOrigin)"/> for readers that gather rows differently.</summary>
    public static void CheckValue(PanelVariable variable, double value, string? text, string shop, DateOnly date, RowOrigin origin, string source, bool allowMissingOutcomes)
    {
        bool outcome = variable.Role is VariableRole.Target or VariableRole.Mediator;
        if (double.IsNaN(value) && outcome && allowMissingOutcomes) return; // Build checks that they are the last dates
        // The value is formatted only for an error: this runs for every value that every component reads.
        string Written() => text ?? value.ToString("R", CultureInfo.InvariantCulture);
        PanelDataException Error(string problem) => new(problem, source, origin.Line, variable.Name, Written(), shop: shop, date: date, row: origin.Row);
        if (!double.IsFinite(value))
            throw Error($"'{variable.Name}' is {Written().Trim()}; every value must be finite. Fill or drop the missing values first"
                + (outcome ? " (to forecast dates, leave only the target and mediators of the last dates empty and use a forecasting transformer)." : "."));
        if (value < 0 && variable.Role == VariableRole.Channel && !variable.Unconstrained)
            throw Error($"Channel '{variable.Name}' is negative; spend cannot be negative. Fix the value, or declare the column unconstrained if negative values are meaningful.");
    }

    /// <summary>Adds a row; its values must be in the variables' order and have passed <see cref="CheckValue(PanelVariable, double, string?, string, DateOnly, RowOrigin)"/>.</summary>
    /// <exception cref="PanelDataException">The shop already has a row for this date.</exception>
    public void Add(string shop, DateOnly date, double[] values, RowOrigin origin)
    {
        if (!_shops.TryGetValue(shop, out var rows)) _shops[shop] = rows = new SortedDictionary<DateOnly, Row>();
        if (rows.TryGetValue(date, out Row? previous))
            throw Error($"Duplicate date: shop '{shop}' already has {Iso(date)} at {Describe(previous.Origin)}. Keep one row per shop and date (aggregate duplicates first).",
                origin, null, Iso(date), shop, date);
        rows[date] = new Row(values, origin, _rows.Count);
        _rows.Add((shop, date));
    }

    /// <summary>
    /// Checks the rows as a whole and builds the panel, shops in ordinal order of their ids: the panel (and so every
    /// model trained on it, whose batches are drawn by shop index) is the same whatever order the rows came in.
    /// </summary>
    /// <exception cref="PanelDataException">A date is missing, shops cover different dates, context changes over time, or a label is missing other than at the end.</exception>
    public AssembledPanel Build()
    {
        if (_shops.Count == 0) throw new PanelDataException("There are no data rows; the input needs at least one row per shop.", _source);
        string[] shops = _shops.Keys.Order(StringComparer.Ordinal).ToArray();
        int step = InferStep();
        DateOnly[] dates = _shops[shops[0]].Keys.ToArray();
        foreach (string shop in shops)
        {
            var rows = _shops[shop];
            DateOnly[] own = rows.Keys.ToArray();
            for (int t = 1; t < own.Length; t++)
            {
                if (own[t].DayNumber - own[t - 1].DayNumber != step)
                    throw Error($"Missing date: shop '{shop}' jumps from {Iso(own[t - 1])} to {Iso(own[t])}, but the data steps by {step} day(s); {Iso(own[t - 1].AddDays(step))} is missing. Add the missing rows (with zero spend if nothing ran).",
                        rows[own[t]].Origin, null, Iso(own[t]), shop, own[t]);
            }
            if (own[0] != dates[0] || own[^1] != dates[^1])
                throw Error($"Shop '{shop}' covers {Iso(own[0])}..{Iso(own[^1])} but shop '{shops[0]}' covers {Iso(dates[0])}..{Iso(dates[^1])}. Every shop must cover the same dates; trim or pad them.",
                    rows[own[0]].Origin, null, null, shop, own[0]);
        }

        PanelVariable[] series = _variables.Where(v => v.IsTimeVarying).ToArray();
        PanelVariable[] context = _variables.Where(v => !v.IsTimeVarying).ToArray();
        int[] seriesIndex = series.Select(v => Array.IndexOf(_variables, v)).ToArray();
        int[] contextIndex = context.Select(v => Array.IndexOf(_variables, v)).ToArray();
        int missingFrom = MissingFrom(shops, dates, series, seriesIndex);
        var values = new double[(long)shops.Length * dates.Length * series.Length];
        var contextValues = new double[shops.Length * context.Length];
        var rowShop = new int[_rows.Count];
        var rowStep = new int[_rows.Count];
        for (int s = 0; s < shops.Length; s++)
        {
            var rows = _shops[shops[s]];
            for (int t = 0; t < dates.Length; t++)
            {
                Row row = rows[dates[t]];
                rowShop[row.Index] = s;
                rowStep[row.Index] = t;
                for (int k = 0; k < series.Length; k++)
                {
                    double v = row.Values[seriesIndex[k]];
                    // Outcomes to forecast are placeholders (the last observed value); no component reads them.
                    if (double.IsNaN(v)) v = values[((long)s * dates.Length + t - 1) * series.Length + k];
                    values[((long)s * dates.Length + t) * series.Length + k] = v;
                }
                for (int c = 0; c < context.Length; c++)
                {
                    double v = row.Values[contextIndex[c]];
                    if (t == 0) contextValues[s * context.Length + c] = v;
                    else if (v != contextValues[s * context.Length + c])
                        throw Error($"Context '{context[c].Name}' of shop '{shops[s]}' changes over time (it is {contextValues[s * context.Length + c].ToString(CultureInfo.InvariantCulture)} on {Iso(dates[0])}); context must be static per shop. Declare it a Covariate if it varies.",
                            row.Origin, context[c].Name, v.ToString(CultureInfo.InvariantCulture), shops[s], dates[t]);
                }
            }
        }
        try
        {
            var panel = new MarketingPanel(shops, dates, series.Concat(context).ToArray(), values, contextValues);
            return new AssembledPanel(missingFrom < dates.Length ? panel.WithHoldout(missingFrom) : panel, rowShop, rowStep,
                missingFrom < dates.Length ? missingFrom : null);
        }
        catch (ArgumentException ex)
        {
            throw new PanelDataException(ex.Message, _source, inner: ex);
        }
    }

    /// <summary>
    /// The first step at which any shop's target is missing (the panel's length when none is). Before it every outcome
    /// must be present; from it on, targets and mediators are what a forecaster forecasts.
    /// </summary>
    private int MissingFrom(string[] shops, DateOnly[] dates, PanelVariable[] series, int[] seriesIndex)
    {
        if (!_allowMissingOutcomes) return dates.Length;
        int target = Array.FindIndex(series, v => v.Role == VariableRole.Target);
        int first = dates.Length;
        string? firstShop = null;
        if (target >= 0)
        {
            foreach (string shop in shops)
            {
                var rows = _shops[shop];
                int own = Array.FindIndex(dates, d => double.IsNaN(rows[d].Values[seriesIndex[target]]));
                if (own < 0) own = dates.Length;
                // Missing labels are the dates to forecast: one block at the end, the same dates in every shop.
                for (int t = own + 1; t < dates.Length; t++)
                {
                    double v = rows[dates[t]].Values[seriesIndex[target]];
                    if (!double.IsNaN(v))
                        throw Error($"'{series[target].Name}' is missing on {Iso(dates[own])} but present again on {Iso(dates[t])}. Only the last dates, the ones to forecast, may leave the label empty; fill the gap or drop those rows.",
                            rows[dates[own]].Origin, series[target].Name, "NaN", shop, dates[own]);
                }
                if (firstShop is not null && own != first)
                {
                    (string early, int at) = own < first ? (shop, own) : (firstShop, first);
                    throw Error($"The dates to forecast (an empty '{series[target].Name}') start on {Iso(dates[Math.Min(own, first)])} for shop '{early}' but on {Iso(dates[Math.Max(own, first)] )} for another shop. Start every shop's forecast on the same date.",
                        _shops[early][dates[Math.Min(at, dates.Length - 1)]].Origin, series[target].Name, null, early, dates[Math.Min(at, dates.Length - 1)]);
                }
                first = own;
                firstShop = shop;
            }
        }
        foreach (string shop in shops)
        {
            var rows = _shops[shop];
            for (int t = 0; t < first; t++)
            for (int k = 0; k < series.Length; k++)
            {
                double v = rows[dates[t]].Values[seriesIndex[k]];
                if (double.IsNaN(v))
                    throw Error($"'{series[k].Name}' is missing before the dates to forecast (which start {Iso(dates[Math.Min(first, dates.Length - 1)])}, the first date with a missing target). Only the target and mediators of the last dates may be empty.",
                        rows[dates[t]].Origin, series[k].Name, "NaN", shop, dates[t]);
            }
        }
        if (first == 0)
            throw Error($"The target '{series[target].Name}' is missing on the first date, so there is no history to learn or forecast from. Give observed history before the dates to forecast.",
                _shops[shops[0]][dates[0]].Origin, series[target].Name, "NaN", shops[0], dates[0]);
        return first;
    }

    private int InferStep()
    {
        int step = int.MaxValue;
        foreach (var rows in _shops.Values)
        {
            DateOnly? previous = null;
            foreach (DateOnly d in rows.Keys)
            {
                if (previous is { } p) step = Math.Min(step, d.DayNumber - p.DayNumber);
                previous = d;
            }
        }
        return step == int.MaxValue ? 1 : step;
    }

    private PanelDataException Error(string problem, RowOrigin origin, string? column, string? value, string? shop, DateOnly? date) =>
        new(problem, _source, origin.Line, column, value, shop: shop, date: date, row: origin.Row);

    private static string Describe(RowOrigin origin) => origin.Line is { } line ? $"line {line}" : $"row {origin.Row}";

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A checked panel and where each input row landed in it.</summary>
/// <param name="Panel">The panel; when outcomes are missing at the end its holdout starts at <paramref name="MissingFrom"/>.</param>
/// <param name="RowShop">Input row (in the order added) to shop index.</param>
/// <param name="RowStep">Input row to time step.</param>
/// <param name="MissingFrom">The first step whose target is missing in some shop, or null when every outcome is present.</param>
internal sealed record AssembledPanel(MarketingPanel Panel, int[] RowShop, int[] RowStep, int? MissingFrom);
