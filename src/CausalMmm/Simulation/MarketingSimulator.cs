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
/// A marketing-flavoured panel with a known causal structure, for examples, tests and planning benchmarks:
/// non-negative daily spends <c>x0..</c> in bursts, page views <c>pv</c> driven by the even channels (brand-like media)
/// through adstock and saturation on the same day, and <c>gmv</c> driven by the odd channels (performance media)
/// directly on the same day and by yesterday's page views. Two context variables: the shop's size (it scales
/// everything) and its category. Unlike <see cref="SyntheticPanelGenerator"/> (the paper's benchmark), every value is a
/// plausible business number, and <see cref="MarketingWorld"/> knows the true GMV under any other plan.
/// </summary>
public static class MarketingSimulator
{
    /// <summary>Simulates the panel and returns it with the true graph shared by every shop.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public static (MarketingPanel Panel, IReadOnlyDictionary<string, bool[,]> TrueGraphs) Simulate(MarketingSimulationOptions? options = null)
    {
        MarketingWorld world = SimulateWorld(options);
        return (world.Panel, world.TrueGraphs);
    }

    /// <summary>Simulates the panel and keeps the structural model behind it, so the truth under other plans is known.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public static MarketingWorld SimulateWorld(MarketingSimulationOptions? options = null)
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
        var shops = new MarketingWorld.Shop[options.Shops];
        for (int s = 0; s < options.Shops; s++)
        {
            double size = Math.Exp(random.NextDouble() * 2); // 1x to 7x
            double category = random.Next(3);
            context[s * 2] = Math.Round(size, 3);
            context[s * 2 + 1] = category;
            var spend = new double[c][];
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
            }
            // The curve of each channel is scaled by the shop's average spend over its history, a property of the shop.
            shops[s] = new MarketingWorld.Shop(size, category, spend.Select(HillEstimator.ShopMean).ToArray());
            (double[] pv, double[] gmv) = MarketingWorld.Outcomes(shops[s], adstock, hill, spend, () => Math.Exp(options.Noise * SyntheticPanelGenerator.Gaussian(random)));
            for (int t = 0; t < length; t++)
            {
                int row = (s * length + t) * n;
                for (int i = 0; i < c; i++) series[row + i] = spend[i][t];
                series[row + c] = Math.Round(pv[t], 1);
                series[row + c + 1] = Math.Round(gmv[t], 2);
            }
        }
        var truth = new bool[n, n];
        for (int i = 0; i < c; i++) truth[i, i % 2 == 0 ? c : c + 1] = true;
        truth[c, c + 1] = true;
        string[] shopIds = Enumerable.Range(0, options.Shops).Select(s => $"shop{s:D3}").ToArray();
        DateOnly[] dates = Enumerable.Range(0, length).Select(t => new DateOnly(2024, 1, 1).AddDays(t)).ToArray();
        var panel = new MarketingPanel(shopIds, dates, variables, series, context);
        return new MarketingWorld(panel, shopIds.ToDictionary(id => id, _ => truth), shopIds.Zip(shops).ToDictionary(p => p.First, p => p.Second), adstock, hill);
    }
}

/// <summary>
/// A simulated marketing panel together with the structural model that produced it: the true graph, and the true
/// (noise-free) page views and GMV a shop would have under any spend plan, for checking forecasts of what-if plans.
/// </summary>
public sealed class MarketingWorld
{
    /// <summary>A shop's fixed traits.</summary>
    internal sealed record Shop(double Size, double Category, double[] CurveScale);

    private readonly IReadOnlyDictionary<string, Shop> _shops;
    private readonly AdstockChannel[] _adstock;
    private readonly HillChannel[] _hill;

    internal MarketingWorld(MarketingPanel panel, IReadOnlyDictionary<string, bool[,]> trueGraphs, IReadOnlyDictionary<string, Shop> shops, AdstockChannel[] adstock, HillChannel[] hill)
    {
        Panel = panel;
        TrueGraphs = trueGraphs;
        _shops = shops;
        _adstock = adstock;
        _hill = hill;
    }

    /// <summary>The simulated history.</summary>
    public MarketingPanel Panel { get; }

    /// <summary>Per shop id, the true graph over the panel's series (channels, pv, gmv).</summary>
    public IReadOnlyDictionary<string, bool[,]> TrueGraphs { get; }

    /// <summary>Number of channels.</summary>
    public int ChannelCount => _adstock.Length;

    /// <summary>The geometric adstock decay of channel <paramref name="channel"/> (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such channel.</exception>
    public double Decay(int channel) => _adstock[CheckChannel(channel)].Decay;

    /// <summary>The Hill shape of channel <paramref name="channel"/> (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such channel.</exception>
    public double Shape(int channel) => _hill[CheckChannel(channel)].Slope;

    private int CheckChannel(int channel) => channel >= 0 && channel < ChannelCount ? channel
        : throw new ArgumentOutOfRangeException(nameof(channel), channel, $"The world has channels 0 to {ChannelCount - 1}.");

    /// <summary>
    /// The noise-free GMV of shop <paramref name="shopId"/> for every day of <paramref name="spend"/>[channel][day], which
    /// covers the history and any days after it (the plan): carry-over runs across the boundary.
    /// </summary>
    /// <exception cref="ArgumentException">The shop is unknown, or the spend arrays do not cover every channel with the same length.</exception>
    public double[] TrueGmv(string shopId, IReadOnlyList<double[]> spend)
    {
        if (!_shops.TryGetValue(shopId, out Shop? shop)) throw new ArgumentException($"Shop '{shopId}' is not in this world.", nameof(shopId));
        if (spend.Count != ChannelCount || spend.Any(x => x.Length != spend[0].Length))
            throw new ArgumentException($"Give {ChannelCount} spend series of equal length.", nameof(spend));
        return Outcomes(shop, _adstock, _hill, spend, () => 1).Gmv;
    }

    /// <summary>Page views and GMV from spends: the simulator's structural equations, with a multiplicative noise draw per value.</summary>
    internal static (double[] Pv, double[] Gmv) Outcomes(Shop shop, AdstockChannel[] adstock, HillChannel[] hill, IReadOnlyList<double[]> spend, Func<double> noise)
    {
        int c = adstock.Length, length = spend[0].Length;
        double[][] response = Enumerable.Range(0, c)
            .Select(i => adstock[i].Apply(spend[i]).Select(v => hill[i].Response(v, shop.CurveScale[i])).ToArray()).ToArray();
        var pv = new double[length];
        var gmv = new double[length];
        double pvPrevious = shop.Size * 1000;
        for (int t = 0; t < length; t++)
        {
            double weekly = 1 + 0.1 * Math.Sin(2 * Math.PI * t / 7);
            pv[t] = shop.Size * 1000 * weekly * (1 + Enumerable.Range(0, c).Where(i => i % 2 == 0).Sum(i => response[i][t])) * noise();
            gmv[t] = shop.Size * (2000 + 1.5 * pvPrevious / shop.Size * (1 + 0.2 * shop.Category) + 3000 * Enumerable.Range(0, c).Where(i => i % 2 == 1).Sum(i => response[i][t]))
                * noise();
            pvPrevious = pv[t];
        }
        return (pv, gmv);
    }
}
