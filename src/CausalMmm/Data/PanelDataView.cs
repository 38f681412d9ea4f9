using Microsoft.Data.Analysis;
using Microsoft.ML;

namespace CausalMmm.Data;

/// <summary>
/// Turns a <see cref="MarketingPanel"/> into the long layout every component reads: one row per shop and date (shops in
/// panel order, dates ascending), with the shop id as Text, the date as DateTime, the step index
/// <see cref="PanelRoles.StepColumnName"/> as Single (for <c>FilterRowsByColumn</c>), then one Single column per context
/// and time-varying variable. The result is a <see cref="DataFrame"/>, so it is an <see cref="IDataView"/> and a table at once.
/// </summary>
public static class PanelDataView
{
    /// <summary>The default name of the shop column.</summary>
    public const string DefaultShopColumnName = "shop_id";

    /// <summary>The default name of the date column.</summary>
    public const string DefaultDateColumnName = "date";

    /// <summary>Builds the long table of <paramref name="panel"/>.</summary>
    /// <param name="panel">The panel.</param>
    /// <param name="shopColumnName">Name of the shop column.</param>
    /// <param name="dateColumnName">Name of the date column.</param>
    /// <param name="missingOutcomesFrom">
    /// When set, the target and mediators of steps from this one on are written as NaN: the dates a forecasting
    /// transformer forecasts (a media plan appended to history).
    /// </param>
    /// <exception cref="ArgumentException">A column name is taken twice.</exception>
    public static DataFrame Create(MarketingPanel panel, string shopColumnName = DefaultShopColumnName, string dateColumnName = DefaultDateColumnName,
        int? missingOutcomesFrom = null)
    {
        ArgumentNullException.ThrowIfNull(panel);
        string[] names = new[] { shopColumnName, dateColumnName, PanelRoles.StepColumnName }
            .Concat(panel.ContextVariables.Select(v => v.Name)).Concat(panel.SeriesVariables.Select(v => v.Name)).ToArray();
        string? twice = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null) throw new ArgumentException($"The column name '{twice}' would appear twice; rename the variable or the key column.");
        long rows = (long)panel.ShopCount * panel.Length;
        var shops = new StringDataFrameColumn(shopColumnName, rows);
        var dates = new PrimitiveDataFrameColumn<DateTime>(dateColumnName, rows);
        var steps = new SingleDataFrameColumn(PanelRoles.StepColumnName, rows);
        var context = panel.ContextVariables.Select(v => new SingleDataFrameColumn(v.Name, rows)).ToArray();
        var series = panel.SeriesVariables.Select(v => new SingleDataFrameColumn(v.Name, rows)).ToArray();
        bool[] outcome = panel.SeriesVariables.Select(v => v.Role is VariableRole.Target or VariableRole.Mediator).ToArray();
        ReadOnlySpan<double> values = panel.SeriesValues;
        int k = panel.SeriesVariables.Count;
        long row = 0;
        for (int s = 0; s < panel.ShopCount; s++)
        {
            string id = panel.ShopIds[s];
            float[] shopContext = panel.ContextVariables.Select(v => (float)panel.GetContext(s, v.Name)).ToArray();
            for (int t = 0; t < panel.Length; t++, row++)
            {
                shops[row] = id;
                dates[row] = panel.Dates[t].ToDateTime(TimeOnly.MinValue);
                steps[row] = t;
                for (int c = 0; c < context.Length; c++) context[c][row] = shopContext[c];
                bool missing = missingOutcomesFrom is { } from && t >= from;
                for (int j = 0; j < k; j++)
                    series[j][row] = missing && outcome[j] ? float.NaN : (float)values[(int)(((long)s * panel.Length + t) * k + j)];
            }
        }
        var columns = new List<DataFrameColumn> { shops, dates, steps };
        columns.AddRange(context);
        columns.AddRange(series);
        return new DataFrame(columns);
    }
}
