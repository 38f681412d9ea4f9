using System.Globalization;
using System.Text;

namespace CausalMmm.Data;

/// <summary>
/// The numeric view of a marketing panel that the models consume: for each of <see cref="ShopCount"/>
/// shops, <see cref="Length"/> regular time steps of <see cref="NodeCount"/> series (channels first,
/// then mediators, the target last) and <see cref="ContextCount"/> static context variables.
/// Immutable; values are stored row-major as [shop, time, node].
/// </summary>
public sealed class NumericPanel
{
    private readonly double[] _values;
    private readonly double[] _context;

    /// <summary>Creates a panel, checking that every array matches the declared sizes and holds finite numbers.</summary>
    /// <param name="shopIds">One identifier per shop.</param>
    /// <param name="nodeNames">The series: channels first, then mediators, the target last.</param>
    /// <param name="channelCount">How many of the first series are given (channels and covariates known in advance).</param>
    /// <param name="values">[shop, time, node] row-major.</param>
    /// <param name="length">Time steps per shop.</param>
    /// <param name="contextNames">Static context variables, if any.</param>
    /// <param name="context">[shop, variable] row-major.</param>
    /// <param name="dates">
    /// The date of every step, evenly spaced and increasing, or null for a panel without a calendar (a simulated graph
    /// panel): a model with a seasonal baseline reads its calendar terms from them.
    /// </param>
    /// <exception cref="ArgumentException">A size is inconsistent, a value is NaN or infinite, or the dates are not evenly spaced.</exception>
    public NumericPanel(IReadOnlyList<string> shopIds, IReadOnlyList<string> nodeNames, int channelCount,
        double[] values, int length, IReadOnlyList<string>? contextNames = null, double[]? context = null, IReadOnlyList<DateOnly>? dates = null)
    {
        ArgumentNullException.ThrowIfNull(shopIds);
        ArgumentNullException.ThrowIfNull(nodeNames);
        ArgumentNullException.ThrowIfNull(values);
        if (nodeNames.Count < 2) throw new ArgumentException("A panel needs at least one channel and a target.", nameof(nodeNames));
        if (channelCount < 1 || channelCount > nodeNames.Count - 1)
            throw new ArgumentException($"channelCount must be in [1, {nodeNames.Count - 1}] (the last node is the target), got {channelCount}.", nameof(channelCount));
        if (length < 2) throw new ArgumentException($"A panel needs at least 2 time steps, got {length}.", nameof(length));
        if (values.Length != (long)shopIds.Count * length * nodeNames.Count)
            throw new ArgumentException($"values holds {values.Length} numbers but {shopIds.Count} shops x {length} steps x {nodeNames.Count} nodes need {(long)shopIds.Count * length * nodeNames.Count}.", nameof(values));
        contextNames ??= Array.Empty<string>();
        context ??= Array.Empty<double>();
        if (context.Length != shopIds.Count * contextNames.Count)
            throw new ArgumentException($"context holds {context.Length} numbers but {shopIds.Count} shops x {contextNames.Count} variables need {shopIds.Count * contextNames.Count}.", nameof(context));
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                int node = i % nodeNames.Count, t = i / nodeNames.Count % length, shop = i / nodeNames.Count / length;
                throw new ArgumentException($"Value of '{nodeNames[node]}' for shop '{shopIds[shop]}' at step {t} is {values[i]}; every value must be finite.", nameof(values));
            }
        }
        if (dates is not null)
        {
            if (dates.Count != length) throw new ArgumentException($"dates holds {dates.Count} dates but the panel has {length} steps.", nameof(dates));
            int step = dates[1].DayNumber - dates[0].DayNumber;
            for (int t = 1; t < length; t++)
            {
                if (step < 1 || dates[t].DayNumber - dates[t - 1].DayNumber != step)
                    throw new ArgumentException($"dates must be evenly spaced and increasing; {dates[t - 1]:yyyy-MM-dd} is followed by {dates[t]:yyyy-MM-dd} (step {t}) where steps are {step} days apart.", nameof(dates));
            }
            Dates = dates.ToArray();
        }
        ShopIds = shopIds.ToArray();
        NodeNames = nodeNames.ToArray();
        ContextNames = contextNames.ToArray();
        ChannelCount = channelCount;
        Length = length;
        _values = values;
        _context = context;
    }

    /// <summary>The date of every step, or null for a panel without a calendar.</summary>
    public IReadOnlyList<DateOnly>? Dates { get; }

    /// <summary>Days between steps (1 for daily, 7 for weekly data), or null without dates.</summary>
    public int? StepDays => Dates is null ? null : Dates[1].DayNumber - Dates[0].DayNumber;

    /// <summary>
    /// The date of step <paramref name="step"/>, which may lie after the panel's last (a forecast date), or null without dates.
    /// </summary>
    public DateOnly? DateOf(int step) => Dates is null ? null : Dates[0].AddDays(step * StepDays!.Value);

    /// <summary>Shop identifiers, one per shop.</summary>
    public IReadOnlyList<string> ShopIds { get; }

    /// <summary>Series names: channels, then mediators, then the target.</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>Names of the static context variables.</summary>
    public IReadOnlyList<string> ContextNames { get; }

    /// <summary>Number of shops.</summary>
    public int ShopCount => ShopIds.Count;

    /// <summary>Number of series per shop (channels + mediators + target).</summary>
    public int NodeCount => NodeNames.Count;

    /// <summary>Number of channel series (spend); they come first.</summary>
    public int ChannelCount { get; }

    /// <summary>
    /// How many of the first <see cref="ChannelCount"/> given series are covariates known in advance (promotions, holidays)
    /// rather than media: the last ones of them. 0 when there are none or the panel does not say (a simulated graph panel).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0, or to <see cref="ChannelCount"/> or more (a panel needs a channel).</exception>
    public int CovariateCount
    {
        get => _covariateCount;
        init => _covariateCount = value >= 0 && value < ChannelCount
            ? value
            : throw new ArgumentOutOfRangeException(nameof(CovariateCount), value, $"CovariateCount must be in [0, {ChannelCount - 1}]: at least one given series is a channel.");
    }

    private readonly int _covariateCount;

    /// <summary>Index of the target series (always the last node).</summary>
    public int TargetIndex => NodeCount - 1;

    /// <summary>Number of context variables per shop.</summary>
    public int ContextCount => ContextNames.Count;

    /// <summary>Number of time steps.</summary>
    public int Length { get; }

    /// <summary>The value of <paramref name="node"/> for <paramref name="shop"/> at step <paramref name="time"/>.</summary>
    public double this[int shop, int time, int node] => _values[((long)shop * Length + time) * NodeCount + node];

    /// <summary>Context variable <paramref name="variable"/> of <paramref name="shop"/>.</summary>
    public double Context(int shop, int variable) => _context[shop * ContextCount + variable];

    /// <summary>All values, row-major [shop, time, node] (a read-only view).</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>All context values, row-major [shop, variable] (a read-only view).</summary>
    public ReadOnlySpan<double> ContextValues => _context;

    /// <summary>Steps [start, start + count) of every shop.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the panel or shorter than 2 steps.</exception>
    public NumericPanel SliceTime(int start, int count)
    {
        if (start < 0 || count < 2 || start + count > Length)
            throw new ArgumentOutOfRangeException(nameof(count), $"Time range [{start}, {start + count}) must lie within [0, {Length}) and hold at least 2 steps.");
        var values = new double[ShopCount * count * NodeCount];
        for (int s = 0; s < ShopCount; s++)
        {
            Array.Copy(_values, ((long)s * Length + start) * NodeCount, values, (long)s * count * NodeCount, count * NodeCount);
        }
        return new NumericPanel(ShopIds, NodeNames, ChannelCount, values, count, ContextNames, _context, Dates?.Skip(start).Take(count).ToArray()) { CovariateCount = CovariateCount };
    }

    /// <summary>The shops at <paramref name="shopIndexes"/>, in that order.</summary>
    public NumericPanel SelectShops(IReadOnlyList<int> shopIndexes)
    {
        ArgumentNullException.ThrowIfNull(shopIndexes);
        var values = new double[shopIndexes.Count * Length * NodeCount];
        var context = new double[shopIndexes.Count * ContextCount];
        var ids = new string[shopIndexes.Count];
        for (int k = 0; k < shopIndexes.Count; k++)
        {
            int s = shopIndexes[k];
            if (s < 0 || s >= ShopCount) throw new ArgumentOutOfRangeException(nameof(shopIndexes), s, $"Shop index must be in [0, {ShopCount}).");
            ids[k] = ShopIds[s];
            Array.Copy(_values, (long)s * Length * NodeCount, values, (long)k * Length * NodeCount, Length * NodeCount);
            Array.Copy(_context, s * ContextCount, context, k * ContextCount, ContextCount);
        }
        return new NumericPanel(ids, NodeNames, ChannelCount, values, Length, ContextNames, context, Dates) { CovariateCount = CovariateCount };
    }

    /// <summary>A copy in which <paramref name="update"/> has rewritten the values (used for what-if inputs and tests).</summary>
    public NumericPanel WithValues(Action<double[]> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        double[] copy = (double[])_values.Clone();
        update(copy);
        return new NumericPanel(ShopIds, NodeNames, ChannelCount, copy, Length, ContextNames, _context, Dates) { CovariateCount = CovariateCount };
    }

    /// <summary>Flat index of a value in <see cref="Values"/>.</summary>
    public long IndexOf(int shop, int time, int node) => ((long)shop * Length + time) * NodeCount + node;

    /// <summary>
    /// Writes the wide CSV layout: <c>shop_id,ds,context...,node...</c>, one row per shop and step, with
    /// <c>ds</c> as yyyyMMdd counted daily from <paramref name="start"/>.
    /// </summary>
    public void WriteWideCsv(TextWriter writer, DateOnly start)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var header = new List<string> { "shop_id", "ds" };
        header.AddRange(ContextNames);
        header.AddRange(NodeNames);
        writer.WriteLine(string.Join(',', header));
        var line = new StringBuilder();
        for (int s = 0; s < ShopCount; s++)
        {
            for (int t = 0; t < Length; t++)
            {
                line.Clear();
                line.Append(ShopIds[s]).Append(',').Append(start.AddDays(t).ToString("yyyyMMdd", CultureInfo.InvariantCulture));
                for (int c = 0; c < ContextCount; c++) line.Append(',').Append(Context(s, c).ToString("R", CultureInfo.InvariantCulture));
                for (int n = 0; n < NodeCount; n++) line.Append(',').Append(this[s, t, n].ToString("R", CultureInfo.InvariantCulture));
                writer.WriteLine(line);
            }
        }
    }
}
