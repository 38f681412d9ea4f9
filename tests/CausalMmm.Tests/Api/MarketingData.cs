using CausalMmm.Data;
using CausalMmm.Transforms;

namespace CausalMmm.Tests.Api;

/// <summary>Small marketing panels generated from known adstock and saturation, for the API tests.</summary>
internal static class MarketingData
{
    public static readonly string[] Channels = { "x0", "x1", "x2" };

    /// <summary>
    /// Shops with three non-negative channels (bursty spend), a mediator pv driven by x0, a target gmv driven by
    /// every channel through adstock and saturation and by pv, and two context variables (one scales the shop).
    /// </summary>
    public static MarketingPanel Panel(int shops = 6, int length = 60, int seed = 1)
    {
        var random = new Random(seed);
        var variables = new List<PanelVariable>
        {
            new("x0", VariableRole.Channel), new("x1", VariableRole.Channel), new("x2", VariableRole.Channel),
            new("pv", VariableRole.Mediator), new("gmv", VariableRole.Target),
            new("context0", VariableRole.Context), new("context1", VariableRole.Context),
        };
        var series = new double[shops * length * 5];
        var context = new double[shops * 2];
        var adstock = new[] { new AdstockChannel("x0", "", AdstockKind.Geometric, 0.3, 0, 13, false), new AdstockChannel("x1", "", AdstockKind.Geometric, 0.6, 0, 13, false) };
        for (int s = 0; s < shops; s++)
        {
            double size = 1 + random.NextDouble() * 2;
            context[s * 2] = size;
            context[s * 2 + 1] = random.NextDouble();
            var x = new double[3][];
            for (int c = 0; c < 3; c++) x[c] = Enumerable.Range(0, length).Select(_ => random.NextDouble() < 0.3 ? 0 : size * (1 + 4 * random.NextDouble())).ToArray();
            double[] a0 = adstock[0].Apply(x[0]), a1 = adstock[1].Apply(x[1]);
            double pvPrevious = 0;
            for (int t = 0; t < length; t++)
            {
                double pv = 0.6 * a0[t] + 0.2 * pvPrevious + 0.1 * random.NextDouble();
                double gmv = size * (2 + 3 * a1[t] / (a1[t] + size * 2)) + 0.5 * pv + 0.4 * Math.Sqrt(x[2][t]) + 0.1 * random.NextDouble();
                int row = (s * length + t) * 5;
                series[row] = x[0][t];
                series[row + 1] = x[1][t];
                series[row + 2] = x[2][t];
                series[row + 3] = pv;
                series[row + 4] = gmv;
                pvPrevious = pv;
            }
        }
        DateOnly[] dates = Enumerable.Range(0, length).Select(t => new DateOnly(2024, 1, 1).AddDays(t)).ToArray();
        return new MarketingPanel(Enumerable.Range(0, shops).Select(i => $"s{i}").ToArray(), dates, variables, series, context);
    }

    /// <summary>A copy of <paramref name="panel"/> with no channels (the channels become covariates): invalid for every estimator.</summary>
    public static MarketingPanel WithoutChannels(MarketingPanel panel)
    {
        var variables = panel.Schema.Variables.Select(v => v.Role == VariableRole.Channel ? v with { Role = VariableRole.Covariate } : v).ToArray();
        var context = new double[panel.ShopCount * panel.ContextVariables.Count];
        for (int s = 0; s < panel.ShopCount; s++)
        for (int c = 0; c < panel.ContextVariables.Count; c++) context[s * panel.ContextVariables.Count + c] = panel.GetContext(s, panel.ContextVariables[c].Name);
        return new MarketingPanel(panel.ShopIds, panel.Dates, variables.Where(v => v.IsTimeVarying).Concat(variables.Where(v => !v.IsTimeVarying)).ToArray(),
            panel.SeriesValues.ToArray(), context);
    }

    /// <summary>A copy of <paramref name="panel"/> without the series <paramref name="name"/>.</summary>
    public static MarketingPanel WithoutSeries(MarketingPanel panel, string name)
    {
        PanelVariable[] kept = panel.SeriesVariables.Where(v => v.Name != name).ToArray();
        var values = new List<double>();
        for (int s = 0; s < panel.ShopCount; s++)
        for (int t = 0; t < panel.Length; t++)
            values.AddRange(kept.Select(v => panel[s, t, v.Name]));
        var context = new List<double>();
        for (int s = 0; s < panel.ShopCount; s++) context.AddRange(panel.ContextVariables.Select(v => panel.GetContext(s, v.Name)));
        return new MarketingPanel(panel.ShopIds, panel.Dates, kept.Concat(panel.ContextVariables).ToArray(), values.ToArray(), context.ToArray());
    }

    /// <summary>Every number a transformer's output carries: series, graphs and forecast, for exact comparison.</summary>
    public static double[] Fingerprint(MarketingPanel panel)
    {
        var values = new List<double>(panel.SeriesValues.ToArray());
        if (panel.Graphs is { } graphs)
        {
            foreach (string shop in graphs.ShopIds) values.AddRange(graphs[shop].Cast<double>());
        }
        if (panel.Forecast is { } forecast)
        {
            for (int s = 0; s < panel.ShopCount; s++) values.AddRange(forecast[s].Cast<double>());
        }
        return values.ToArray();
    }
}
