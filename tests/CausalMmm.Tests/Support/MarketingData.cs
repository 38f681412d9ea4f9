using CausalMmm.Data;
using CausalMmm.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests;

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

    /// <summary>The long data view of <see cref="Panel"/> (a DataFrame: shop_id, date, t, context0, context1, x0, x1, x2, pv, gmv).</summary>
    public static IDataView View(int shops = 6, int length = 60, int seed = 1) => PanelDataView.Create(Panel(shops, length, seed));

    /// <summary><paramref name="data"/> without the given columns (a stock ML.NET transform).</summary>
    public static IDataView Without(IDataView data, params string[] columns) =>
        new MLContext(seed: 1).Transforms.DropColumns(columns).Fit(data).Transform(data);

    /// <summary>Every Single and Single-vector value of every row, in column then row order, for bitwise comparison.</summary>
    public static float[] Fingerprint(IDataView data)
    {
        var values = new List<float>();
        foreach (DataViewSchema.Column column in data.Schema.Where(c => !c.IsHidden))
        {
            if (column.Type == NumberDataViewType.Single) values.AddRange(data.GetColumn<float>(column));
            else if (column.Type is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Single)
                foreach (VBuffer<float> v in data.GetColumn<VBuffer<float>>(column)) values.AddRange(v.DenseValues());
        }
        return values.ToArray();
    }

    /// <summary>The Single column <paramref name="name"/> of every row.</summary>
    public static float[] Column(IDataView data, string name) => data.GetColumn<float>(name).ToArray();
}
