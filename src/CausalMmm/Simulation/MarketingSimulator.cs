using CausalMmm.Data;
using CausalMmm.Transforms;

namespace CausalMmm.Simulation;

/// <summary>Settings of <see cref="MarketingSimulator"/>.</summary>
public sealed class MarketingSimulationOptions
{
    /// <summary>Documented defaults.</summary>
    public static class Defaults
    {
        /// <summary>Number of shops.</summary>
        public const int Shops = 20;

        /// <summary>Number of days.</summary>
        public const int Length = 120;

        /// <summary>Number of media channels.</summary>
        public const int Channels = 4;

        /// <summary>Standard deviation of the multiplicative noise on page views and GMV.</summary>
        public const double Noise = 0.05;
    }

    /// <summary>Number of shops.</summary>
    public int Shops { get; set; } = Defaults.Shops;

    /// <summary>Number of days.</summary>
    public int Length { get; set; } = Defaults.Length;

    /// <summary>Number of media channels (at least 2).</summary>
    public int Channels { get; set; } = Defaults.Channels;

    /// <summary>Multiplicative noise level.</summary>
    public double Noise { get; set; } = Defaults.Noise;

    /// <summary>Seed of every random draw.</summary>
    public int Seed { get; set; } = 1;
}

/// <summary>
/// A marketing-flavoured panel with a known causal structure, for examples and tests of the classic transforms:
/// non-negative daily spends <c>x0..</c> in bursts, page views <c>pv</c> driven by the even channels (brand-like media)
/// through adstock and saturation, and <c>gmv</c> driven by the odd channels (performance media) directly and by
/// yesterday's page views. Two context variables: the shop's size (it scales everything) and its category.
/// Unlike <see cref="SyntheticPanelGenerator"/> (the paper's benchmark), every value is a plausible business number.
/// </summary>
public static class MarketingSimulator
{
    /// <summary>Simulates the panel and returns it with the true graph shared by every shop.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public static (MarketingPanel Panel, IReadOnlyDictionary<string, bool[,]> TrueGraphs) Simulate(MarketingSimulationOptions? options = null)
    {
        options ??= new MarketingSimulationOptions();
        if (options.Shops < 1) throw new ArgumentException($"Shops must be at least 1, got {options.Shops}.", nameof(options));
        if (options.Length < 10) throw new ArgumentException($"Length must be at least 10, got {options.Length}.", nameof(options));
        if (options.Channels < 2) throw new ArgumentException($"Channels must be at least 2, got {options.Channels}.", nameof(options));
        if (!(options.Noise >= 0)) throw new ArgumentException($"Noise must be non-negative, got {options.Noise}.", nameof(options));
        var random = new Random(options.Seed);
        int c = options.Channels, n = c + 2, length = options.Length;
        var variables = Enumerable.Range(0, c).Select(i => new PanelVariable($"x{i}", VariableRole.Channel))
            .Append(new PanelVariable("pv", VariableRole.Mediator)).Append(new PanelVariable("gmv", VariableRole.Target))
            .Append(new PanelVariable("context0", VariableRole.Context)).Append(new PanelVariable("context1", VariableRole.Context)).ToArray();
        var adstock = Enumerable.Range(0, c).Select(i => new AdstockChannel($"x{i}", "", AdstockKind.Geometric, 0.2 + 0.5 * i / Math.Max(c - 1, 1), 0, 13, false)).ToArray();
        var hill = Enumerable.Range(0, c).Select(i => new HillChannel($"x{i}", "", 0.8 + 0.4 * (i % 3), 1.2 + 0.6 * (i % 2), false)).ToArray();
        var series = new double[options.Shops * length * n];
        var context = new double[options.Shops * 2];
        for (int s = 0; s < options.Shops; s++)
        {
            double size = Math.Exp(random.NextDouble() * 2); // 1x to 7x
            double category = random.Next(3);
            context[s * 2] = Math.Round(size, 3);
            context[s * 2 + 1] = category;
            var spend = new double[c][];
            var response = new double[c][];
            for (int i = 0; i < c; i++)
            {
                double level = size * 100 * (1 + i);
                bool on = true;
                spend[i] = new double[length];
                for (int t = 0; t < length; t++)
                {
                    if (random.NextDouble() < 0.1) on = !on; // campaigns switch on and off
                    spend[i][t] = on ? Math.Round(level * (0.5 + random.NextDouble()), 2) : 0;
                }
                double[] carried = adstock[i].Apply(spend[i]);
                double mean = HillEstimator.ShopMean(spend[i]);
                response[i] = carried.Select(v => hill[i].Response(v, mean)).ToArray();
            }
            double pvPrevious = size * 1000;
            for (int t = 0; t < length; t++)
            {
                double weekly = 1 + 0.1 * Math.Sin(2 * Math.PI * t / 7);
                double pv = size * 1000 * weekly * (1 + Enumerable.Range(0, c).Where(i => i % 2 == 0).Sum(i => response[i][t]));
                pv *= Math.Exp(options.Noise * Gaussian(random));
                double gmv = size * (2000 + 1.5 * pvPrevious / size * (1 + 0.2 * category) + 3000 * Enumerable.Range(0, c).Where(i => i % 2 == 1).Sum(i => response[i][t]));
                gmv *= Math.Exp(options.Noise * Gaussian(random));
                int row = (s * length + t) * n;
                for (int i = 0; i < c; i++) series[row + i] = spend[i][t];
                series[row + c] = Math.Round(pv, 1);
                series[row + c + 1] = Math.Round(gmv, 2);
                pvPrevious = pv;
            }
        }
        var truth = new bool[n, n];
        for (int i = 0; i < c; i++) truth[i, i % 2 == 0 ? c : c + 1] = true;
        truth[c, c + 1] = true;
        string[] shops = Enumerable.Range(0, options.Shops).Select(s => $"shop{s:D3}").ToArray();
        DateOnly[] dates = Enumerable.Range(0, length).Select(t => new DateOnly(2024, 1, 1).AddDays(t)).ToArray();
        var panel = new MarketingPanel(shops, dates, variables, series, context);
        return (panel, shops.ToDictionary(id => id, _ => truth));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
