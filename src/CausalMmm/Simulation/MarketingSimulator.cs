using CausalMmm.Data;
using CausalMmm.Transforms;

namespace CausalMmm.Simulation;

/// <summary>How the channels of a simulated marketing panel reach page views and GMV.</summary>
public enum MarketingGraphs
{
    /// <summary>
    /// A graph of its own per shop: each channel drives page views, GMV, both or neither (in about a third of the shops one
    /// channel has no path at all), and page views drive GMV in about nine shops of ten. A channel that only drives page
    /// views in a shop where page views do not drive GMV has no path to GMV either.
    /// </summary>
    PerShop,

    /// <summary>
    /// One graph for every shop: the even channels (brand-like media) drive page views only, the odd channels (performance
    /// media) drive GMV only, and page views drive GMV, so every even channel acts only through the mediator.
    /// </summary>
    Shared,
}

/// <summary>How far apart the steps of a simulated panel are.</summary>
public enum SimulationFrequency
{
    /// <summary>One step a day; weekly seasonality applies.</summary>
    Daily,

    /// <summary>One step a week (dates seven days apart); there is no weekly seasonality, yearly seasonality has a period of 52.18 steps.</summary>
    Weekly,
}

/// <summary>Settings of <see cref="MarketingSimulator"/>.</summary>
public sealed class MarketingSimulationOptions
{
    /// <summary>Documented defaults.</summary>
    public static class Defaults
    {
        /// <summary>Number of shops.</summary>
        public const int Shops = 20;

        /// <summary>Number of steps.</summary>
        public const int Length = 120;

        /// <summary>Number of media channels.</summary>
        public const int Channels = 4;

        /// <summary>
        /// Median standard deviation of the multiplicative noise on page views and GMV. Each shop's own level is this times
        /// a factor between 0.5 and 2 (log-uniform), so every panel has quiet and noisy shops.
        /// </summary>
        public const double Noise = 0.05;

        /// <summary>Promotions on: the <c>promo</c> covariate.</summary>
        public const bool Promotions = true;

        /// <summary>A graph of its own per shop.</summary>
        public const MarketingGraphs Graphs = MarketingGraphs.PerShop;

        /// <summary>Probability that page views drive GMV in a shop (<see cref="MarketingGraphs.PerShop"/>).</summary>
        public const double MediatorToTargetProbability = 0.9;

        /// <summary>Amplitude of the weekly cycle of demand (daily steps only).</summary>
        public const double WeeklySeasonality = 0.1;
    }

    /// <summary>Number of shops.</summary>
    public int Shops { get; set; } = Defaults.Shops;

    /// <summary>Number of steps (days, or weeks with <see cref="SimulationFrequency.Weekly"/>).</summary>
    public int Length { get; set; } = Defaults.Length;

    /// <summary>Number of media channels (at least 2).</summary>
    public int Channels { get; set; } = Defaults.Channels;

    /// <summary>Median multiplicative noise level (see <see cref="Defaults.Noise"/>).</summary>
    public double Noise { get; set; } = Defaults.Noise;

    /// <summary>
    /// A <c>promo</c> covariate (0 or 1, known in advance): promotions of 3 to 7 steps that raise both every channel's spend
    /// (by half) and the base demand for page views (+25%) and GMV (+30%), so a model that ignores them overstates what
    /// media do.
    /// </summary>
    public bool Promotions { get; set; } = Defaults.Promotions;

    /// <summary>Per-shop graphs or one shared graph.</summary>
    public MarketingGraphs Graphs { get; set; } = Defaults.Graphs;

    /// <summary>With <see cref="MarketingGraphs.PerShop"/>, the share of shops whose page views drive GMV.</summary>
    public double MediatorToTargetProbability { get; set; } = Defaults.MediatorToTargetProbability;

    /// <summary>Amplitude of the weekly demand cycle (a sine of period 7 days); ignored with weekly steps.</summary>
    public double WeeklySeasonality { get; set; } = Defaults.WeeklySeasonality;

    /// <summary>Amplitude of the yearly demand cycle (a sine of period 365.25 days); 0 (the default) for none.</summary>
    public double YearlySeasonality { get; set; }

    /// <summary>
    /// Standard deviation across shops of the trend: each shop's demand grows (or shrinks) by exp(g) per step, with g drawn
    /// from N(0, Trend); 0 (the default) for none.
    /// </summary>
    public double Trend { get; set; }

    /// <summary>
    /// Standard deviation per step of the random walk that the log of each shop's base demand follows (a drifting level);
    /// 0 (the default) for a steady level.
    /// </summary>
    public double LevelDrift { get; set; }

    /// <summary>Daily or weekly steps.</summary>
    public SimulationFrequency Frequency { get; set; } = SimulationFrequency.Daily;

    /// <summary>Seed of every random draw.</summary>
    public int Seed { get; set; } = 1;

    internal void Validate()
    {
        if (Shops < 1) throw new ArgumentException($"Shops must be at least 1, got {Shops}.", nameof(Shops));
        if (Length < 10) throw new ArgumentException($"Length must be at least 10, got {Length}.", nameof(Length));
        if (Channels < 2) throw new ArgumentException($"Channels must be at least 2, got {Channels}.", nameof(Channels));
        if (!(Noise >= 0 && double.IsFinite(Noise))) throw new ArgumentException($"Noise must be a non-negative number, got {Noise}.", nameof(Noise));
        if (!(MediatorToTargetProbability >= 0 && MediatorToTargetProbability <= 1))
            throw new ArgumentException($"MediatorToTargetProbability must be in [0, 1], got {MediatorToTargetProbability}.", nameof(MediatorToTargetProbability));
        if (!(WeeklySeasonality >= 0 && WeeklySeasonality < 1)) throw new ArgumentException($"WeeklySeasonality must be in [0, 1), got {WeeklySeasonality}.", nameof(WeeklySeasonality));
        if (!(YearlySeasonality >= 0 && YearlySeasonality < 1)) throw new ArgumentException($"YearlySeasonality must be in [0, 1), got {YearlySeasonality}.", nameof(YearlySeasonality));
        if (!(Trend >= 0 && Trend < 0.1)) throw new ArgumentException($"Trend must be in [0, 0.1), got {Trend}.", nameof(Trend));
        if (!(LevelDrift >= 0 && LevelDrift < 0.5)) throw new ArgumentException($"LevelDrift must be in [0, 0.5), got {LevelDrift}.", nameof(LevelDrift));
        if (!Enum.IsDefined(Graphs)) throw new ArgumentException($"Graphs must be one of {string.Join(", ", Enum.GetNames<MarketingGraphs>())}, got {Graphs}.", nameof(Graphs));
        if (!Enum.IsDefined(Frequency)) throw new ArgumentException($"Frequency must be one of {string.Join(", ", Enum.GetNames<SimulationFrequency>())}, got {Frequency}.", nameof(Frequency));
    }
}

/// <summary>
/// A marketing panel with a known causal structure, for examples, tests and the planning benchmarks: non-negative
/// spends <c>x0..</c> in bursts, a <c>promo</c> covariate known in advance that raises spend and demand alike, page
/// views <c>pv</c> (the mediator) and <c>gmv</c> (the target). Every effect acts on the same step: channel -> page views
/// through a geometric adstock and a concave curve, channel -> GMV through a geometric adstock and a Hill curve, page
/// views -> GMV linearly; which of these exist differs per shop (<see cref="MarketingGraphs"/>). Two context variables
/// describe each shop: its size (<c>context0</c>, which scales spend and demand) and its saturation (<c>context1</c>,
/// which moves every curve's half-saturation point). Demand can drift, trend and cycle weekly and yearly. Unlike
/// <see cref="SyntheticPanelGenerator"/> (the paper's benchmark), every value is a plausible business number, and
/// <see cref="MarketingWorld"/> knows the true page views and GMV under any other plan.
/// </summary>
public static class MarketingSimulator
{
    /// <summary>Steps of baseline demand drawn beyond the history, so plans after it see the same drift, trend and seasons.</summary>
    internal const int FutureSteps = 400;

    /// <summary>Simulates the panel and returns it with each shop's true graph.</summary>
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
        options.Validate();
        var random = new Random(options.Seed);
        int c = options.Channels, length = options.Length;
        bool weekly = options.Frequency == SimulationFrequency.Weekly;
        int covariates = options.Promotions ? 1 : 0;
        int given = c + covariates, n = given + 2;
        var variables = Enumerable.Range(0, c).Select(i => new PanelVariable($"x{i}", VariableRole.Channel))
            .Concat(options.Promotions ? new[] { new PanelVariable("promo", VariableRole.Covariate) } : Array.Empty<PanelVariable>())
            .Append(new PanelVariable("pv", VariableRole.Mediator)).Append(new PanelVariable("gmv", VariableRole.Target))
            .Append(new PanelVariable("context0", VariableRole.Context)).Append(new PanelVariable("context1", VariableRole.Context)).ToArray();
        // Channel traits shared by every shop: carry-over from short (0.2) to long (0.7), GMV curves from mildly to clearly S-shaped.
        var channels = Enumerable.Range(0, c).Select(i => new MarketingWorld.ChannelTraits(
            Decay: 0.2 + 0.5 * i / Math.Max(c - 1, 1),
            GmvHalf: 0.8 + 0.4 * (i % 3),
            GmvShape: 1.2 + 0.6 * (i % 2),
            PvHalf: 1.0 + 0.3 * (i % 2))).ToArray();
        var series = new double[options.Shops * length * n];
        var context = new double[options.Shops * 2];
        var shops = new MarketingWorld.Shop[options.Shops];
        var graphs = new Dictionary<string, bool[,]>(StringComparer.Ordinal);
        string[] shopIds = Enumerable.Range(0, options.Shops).Select(s => $"shop{s:D3}").ToArray();
        for (int s = 0; s < options.Shops; s++)
        {
            double size = Math.Round(Math.Exp(random.NextDouble() * 2), 3); // 1x to 7x
            double saturation = Math.Round(2 * random.NextDouble() - 1, 3); // -1 to 1
            context[s * 2] = size;
            context[s * 2 + 1] = saturation;
            (bool[] toPv, bool[] toGmv, bool pvToGmv) = DrawGraph(options, random, c);
            var pvGain = Enumerable.Range(0, c).Select(_ => 0.6 + 0.8 * random.NextDouble()).ToArray();
            var gmvGain = Enumerable.Range(0, c).Select(_ => 0.6 + 0.8 * random.NextDouble()).ToArray();
            double gmvPerPv = 0.8 + 0.8 * random.NextDouble();
            double noise = options.Noise * Math.Exp((2 * random.NextDouble() - 1) * Math.Log(2));
            double trend = options.Trend * SyntheticPanelGenerator.Gaussian(random);
            double phase = random.NextDouble();

            // Base demand for the history and the steps after it: seasons, trend and a drifting level.
            var demand = new double[length + FutureSteps];
            double level = 0;
            for (int t = 0; t < demand.Length; t++)
            {
                level += options.LevelDrift * SyntheticPanelGenerator.Gaussian(random);
                double days = weekly ? 7.0 * t : t;
                double week = weekly ? 1 : 1 + options.WeeklySeasonality * Math.Sin(2 * Math.PI * t / 7);
                double year = 1 + options.YearlySeasonality * Math.Sin(2 * Math.PI * (days / 365.25 + phase));
                demand[t] = week * year * Math.Exp(trend * t + level);
            }

            var spend = new double[given][];
            var promo = new double[length];
            if (options.Promotions)
            {
                for (int t = 0; t < length;)
                {
                    if (random.NextDouble() < (weekly ? 0.15 : 0.05))
                    {
                        int days = weekly ? 1 + random.Next(2) : 3 + random.Next(5);
                        for (int k = 0; k < days && t < length; k++, t++) promo[t] = 1;
                    }
                    else t++;
                }
            }
            for (int i = 0; i < c; i++)
            {
                double spendLevel = size * 100 * (1 + i);
                bool on = true;
                spend[i] = new double[length];
                for (int t = 0; t < length; t++)
                {
                    if (random.NextDouble() < 0.1) on = !on; // campaigns switch on and off
                    spend[i][t] = on ? Math.Round(spendLevel * (0.5 + random.NextDouble()) * (1 + 0.5 * promo[t]), 2) : 0;
                }
            }
            if (options.Promotions) spend[c] = promo;
            // Each curve is scaled by the shop's average spend on the channel over its history, a property of the shop.
            double[] curveScale = spend.Take(c).Select(HillEstimator.ShopMean).ToArray();
            shops[s] = new MarketingWorld.Shop(size, saturation, curveScale, toPv, toGmv, pvToGmv, pvGain, gmvGain, gmvPerPv, demand, covariates);
            double Draw() => Math.Exp(noise * SyntheticPanelGenerator.Gaussian(random));
            (double[] pv, double[] gmv) = MarketingWorld.Outcomes(shops[s], channels, spend, null, null, Draw, Draw);
            for (int t = 0; t < length; t++)
            {
                int row = (s * length + t) * n;
                for (int i = 0; i < given; i++) series[row + i] = spend[i][t];
                series[row + given] = Math.Round(pv[t], 1);
                series[row + given + 1] = Math.Round(gmv[t], 2);
            }
            var truth = new bool[n, n];
            for (int i = 0; i < c; i++)
            {
                truth[i, given] = toPv[i];
                truth[i, given + 1] = toGmv[i];
            }
            if (options.Promotions)
            {
                truth[c, given] = true;
                truth[c, given + 1] = true;
            }
            truth[given, given + 1] = pvToGmv;
            graphs[shopIds[s]] = truth;
        }
        DateOnly[] dates = Enumerable.Range(0, length).Select(t => new DateOnly(2024, 1, 1).AddDays(weekly ? 7 * t : t)).ToArray();
        var panel = new MarketingPanel(shopIds, dates, variables, series, context);
        return new MarketingWorld(panel, graphs, shopIds.Zip(shops).ToDictionary(p => p.First, p => p.Second), channels);
    }

    /// <summary>Which channels reach page views and GMV in one shop, and whether page views reach GMV.</summary>
    private static (bool[] ToPv, bool[] ToGmv, bool PvToGmv) DrawGraph(MarketingSimulationOptions options, Random random, int c)
    {
        var toPv = new bool[c];
        var toGmv = new bool[c];
        if (options.Graphs == MarketingGraphs.Shared)
        {
            for (int i = 0; i < c; i++)
            {
                toPv[i] = i % 2 == 0;
                toGmv[i] = i % 2 == 1;
            }
            return (toPv, toGmv, true);
        }
        int silent = random.NextDouble() < 1.0 / 3 ? random.Next(c) : -1;
        for (int i = 0; i < c; i++)
        {
            if (i == silent) continue;
            double u = random.NextDouble();
            toPv[i] = u < 0.65; // page views only (0.3), both (0.35), GMV only (0.35)
            toGmv[i] = u >= 0.3;
        }
        return (toPv, toGmv, random.NextDouble() < options.MediatorToTargetProbability);
    }
}

/// <summary>
/// A simulated marketing panel together with the structural model that produced it: each shop's true graph, and the
/// true (noise-free) page views and GMV a shop would have under any plan, with each channel's direct and mediated parts,
/// for checking forecasts, contributions and budget decisions against the truth.
/// </summary>
public sealed class MarketingWorld
{
    /// <summary>A channel's traits, shared by every shop.</summary>
    internal sealed record ChannelTraits(double Decay, double GmvHalf, double GmvShape, double PvHalf);

    /// <summary>A shop's fixed traits and its base demand over the history and <see cref="MarketingSimulator.FutureSteps"/> steps after it.</summary>
    internal sealed record Shop(double Size, double Saturation, double[] CurveScale, bool[] ToPv, bool[] ToGmv, bool PvToGmv, double[] PvGain, double[] GmvGain,
        double GmvPerPv, double[] Demand, int Covariates);

    private readonly IReadOnlyDictionary<string, Shop> _shops;
    private readonly ChannelTraits[] _channels;

    internal MarketingWorld(MarketingPanel panel, IReadOnlyDictionary<string, bool[,]> trueGraphs, IReadOnlyDictionary<string, Shop> shops, ChannelTraits[] channels)
    {
        Panel = panel;
        TrueGraphs = trueGraphs;
        _shops = shops;
        _channels = channels;
    }

    /// <summary>The simulated history.</summary>
    public MarketingPanel Panel { get; }

    /// <summary>
    /// Per shop id, the true graph over the panel's series (channels, <c>promo</c> when there is one, pv, gmv): [i, j] is
    /// true when i drives j. Every effect in this world acts on the same step (with carry-over through adstocks).
    /// </summary>
    public IReadOnlyDictionary<string, bool[,]> TrueGraphs { get; }

    /// <summary>Number of channels.</summary>
    public int ChannelCount => _channels.Length;

    /// <summary>Number of given series: the channels, then the covariates (<c>promo</c>).</summary>
    public int GivenCount => ChannelCount + _shops.Values.First().Covariates;

    /// <summary>The geometric adstock decay of channel <paramref name="channel"/> (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such channel.</exception>
    public double Decay(int channel) => _channels[CheckChannel(channel)].Decay;

    /// <summary>The Hill shape of channel <paramref name="channel"/>'s effect on GMV (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such channel.</exception>
    public double Shape(int channel) => _channels[CheckChannel(channel)].GmvShape;

    /// <summary>True when channel <paramref name="channel"/> drives page views in shop <paramref name="shopId"/>.</summary>
    /// <exception cref="ArgumentException">The shop is unknown.</exception>
    public bool DrivesMediator(string shopId, int channel) => ShopOf(shopId).ToPv[CheckChannel(channel)];

    /// <summary>True when channel <paramref name="channel"/> drives GMV directly in shop <paramref name="shopId"/>.</summary>
    /// <exception cref="ArgumentException">The shop is unknown.</exception>
    public bool DrivesTarget(string shopId, int channel) => ShopOf(shopId).ToGmv[CheckChannel(channel)];

    /// <summary>True when page views drive GMV in shop <paramref name="shopId"/>.</summary>
    /// <exception cref="ArgumentException">The shop is unknown.</exception>
    public bool MediatorDrivesTarget(string shopId) => ShopOf(shopId).PvToGmv;

    private int CheckChannel(int channel) => channel >= 0 && channel < ChannelCount ? channel
        : throw new ArgumentOutOfRangeException(nameof(channel), channel, $"The world has channels 0 to {ChannelCount - 1}.");

    private Shop ShopOf(string shopId) => _shops.TryGetValue(shopId, out Shop? shop) ? shop : throw new ArgumentException($"Shop '{shopId}' is not in this world.", nameof(shopId));

    /// <summary>
    /// The noise-free GMV of shop <paramref name="shopId"/> for every step of <paramref name="given"/>[series][step]: the
    /// channels then the covariates (<see cref="GivenCount"/> series) over the history and any steps after it (a plan), so
    /// carry-over runs across the boundary.
    /// </summary>
    /// <exception cref="ArgumentException">The shop is unknown, or the series do not cover every given series with the same length, or run too far past the history.</exception>
    public double[] TrueGmv(string shopId, IReadOnlyList<double[]> given) => TrueGmv(shopId, given, -1, null);

    /// <summary>
    /// The noise-free GMV of shop <paramref name="shopId"/> under <paramref name="given"/> when channel
    /// <paramref name="channel"/>'s own effect on GMV (its direct edge) reads <paramref name="directSpend"/> instead, while
    /// page views follow <paramref name="given"/>. <c>TrueGmv(given) - TrueGmv(given, c, zero)</c> is the channel's direct
    /// contribution; its total contribution less that is the part mediated by page views.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="TrueGmv(string, IReadOnlyList{double[]})"/>, or <paramref name="directSpend"/> has another length.</exception>
    public double[] TrueGmv(string shopId, IReadOnlyList<double[]> given, int channel, double[]? directSpend)
    {
        Shop shop = ShopOf(shopId);
        if (given.Count != GivenCount || given.Any(x => x.Length != given[0].Length))
            throw new ArgumentException($"Give {GivenCount} series of equal length: the {ChannelCount} channels, then the covariates.", nameof(given));
        if (given[0].Length > shop.Demand.Length)
            throw new ArgumentException($"The world knows demand for {shop.Demand.Length} steps; got {given[0].Length}.", nameof(given));
        if (directSpend is not null && (channel < 0 || channel >= ChannelCount || directSpend.Length != given[0].Length))
            throw new ArgumentException($"The direct counterfactual needs a channel in 0..{ChannelCount - 1} and {given[0].Length} steps.", nameof(directSpend));
        return Outcomes(shop, _channels, given, directSpend is null ? null : channel, directSpend, () => 1, () => 1).Gmv;
    }

    /// <summary>
    /// Page views and GMV from the given series (channels, then covariates): the simulator's structural equations, with a
    /// multiplicative noise draw per value. With <paramref name="directChannel"/>, that channel's GMV curve reads
    /// <paramref name="directSpend"/> instead of its spend.
    /// </summary>
    internal static (double[] Pv, double[] Gmv) Outcomes(Shop shop, ChannelTraits[] channels, IReadOnlyList<double[]> given, int? directChannel, double[]? directSpend,
        Func<double> pvNoise, Func<double> gmvNoise)
    {
        int c = channels.Length, length = given[0].Length;
        double[] promo = shop.Covariates > 0 ? given[c] : new double[length];
        double halfShift = Math.Exp(0.4 * shop.Saturation);
        double[] Response(IReadOnlyList<double> spend, int i, bool toGmv)
        {
            double[] adstock = Adstock(spend, channels[i].Decay);
            return adstock.Select(a =>
            {
                double r = Math.Max(a, 0) / shop.CurveScale[i];
                return toGmv ? Hill(r, channels[i].GmvHalf * halfShift, channels[i].GmvShape) : 1 - Math.Exp(-r / (channels[i].PvHalf * halfShift));
            }).ToArray();
        }
        var toPv = Enumerable.Range(0, c).Select(i => shop.ToPv[i] ? Response(given[i], i, toGmv: false) : null).ToArray();
        var toGmv = Enumerable.Range(0, c).Select(i => shop.ToGmv[i] ? Response(i == directChannel ? directSpend! : given[i], i, toGmv: true) : null).ToArray();
        var pv = new double[length];
        var gmv = new double[length];
        for (int t = 0; t < length; t++)
        {
            double pvMedia = 0, gmvMedia = 0;
            for (int i = 0; i < c; i++)
            {
                if (toPv[i] is { } p) pvMedia += shop.PvGain[i] * p[t];
                if (toGmv[i] is { } g) gmvMedia += shop.GmvGain[i] * g[t];
            }
            pv[t] = shop.Size * 1000 * (shop.Demand[t] * (1 + 0.25 * promo[t]) + pvMedia) * pvNoise();
            double mediated = shop.PvToGmv ? shop.GmvPerPv * pv[t] / shop.Size : 0;
            gmv[t] = shop.Size * (2000 * shop.Demand[t] * (1 + 0.3 * promo[t]) + mediated + 2500 * gmvMedia) * gmvNoise();
        }
        return (pv, gmv);
    }

    private static double[] Adstock(IReadOnlyList<double> spend, double decay)
    {
        var result = new double[spend.Count];
        double carry = 0;
        for (int t = 0; t < spend.Count; t++) result[t] = carry = (1 - decay) * spend[t] + decay * carry;
        return result;
    }

    private static double Hill(double r, double half, double shape) => r <= 0 ? 0 : 1 / (1 + Math.Pow(half / r, shape));
}
