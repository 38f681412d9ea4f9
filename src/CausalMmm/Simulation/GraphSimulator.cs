using CausalMmm.Data;

namespace CausalMmm.Simulation;

/// <summary>Settings of <see cref="GraphSimulator"/>: a panel of generic signals whose lagged causal graphs are known.</summary>
public sealed class GraphSimulationOptions
{
    /// <summary>Series per shop (at least 3).</summary>
    public int Nodes { get; set; } = 8;

    /// <summary>Root series, which have no parents: the first <see cref="Roots"/> nodes (given series in the panel).</summary>
    public int Roots { get; set; } = 5;

    /// <summary>Number of shops.</summary>
    public int Shops { get; set; } = 300;

    /// <summary>Steps per shop.</summary>
    public int Length { get; set; } = 100;

    /// <summary>Distinct graphs, each shop drawing one of them (few graphs over many shops, or one per shop).</summary>
    public int DistinctGraphs { get; set; } = 3;

    /// <summary>The shortest lag at which a cause acts.</summary>
    public int MinLag { get; set; } = 2;

    /// <summary>The longest lag at which a cause acts.</summary>
    public int MaxLag { get; set; } = 3;

    /// <summary>Roots follow bounded nonlinear autoregressions (NARMA-like); false gives linear AR(1) roots.</summary>
    public bool NonlinearRoots { get; set; } = true;

    /// <summary>Series centred at zero (values of either sign, links of either sign); false shifts every series positive and keeps links positive.</summary>
    public bool Centred { get; set; } = true;

    /// <summary>Scale of each link's weight (1 strong, 0.3 weak).</summary>
    public double LinkStrength { get; set; } = 1.0;

    /// <summary>Standard deviation of each child's own noise.</summary>
    public double Noise { get; set; } = 0.2;

    /// <summary>The funnel of marketing instead of generic signals: channels -> page views -> search channels -> target, through adstock and Hill curves.</summary>
    public bool Funnel { get; set; }

    /// <summary>Seed of every draw.</summary>
    public int Seed { get; set; } = 1;

    internal void Validate()
    {
        if (Shops < 1) throw new ArgumentException($"Shops must be at least 1, got {Shops}.", nameof(Shops));
        if (!(Noise >= 0 && double.IsFinite(Noise))) throw new ArgumentException($"Noise must be a non-negative number, got {Noise}.", nameof(Noise));
        if (Funnel)
        {
            if (Length < 10) throw new ArgumentException($"Length must be at least 10, got {Length}.", nameof(Length));
            return;
        }
        if (Nodes < 3) throw new ArgumentException($"Nodes must be at least 3, got {Nodes}.", nameof(Nodes));
        if (Roots < 1 || Roots >= Nodes) throw new ArgumentException($"Roots must be in [1, {Nodes - 1}], got {Roots}.", nameof(Roots));
        if (Shops < 1 || DistinctGraphs < 1) throw new ArgumentException($"Shops and DistinctGraphs must be at least 1, got {Shops} and {DistinctGraphs}.");
        if (MinLag < 1 || MaxLag < MinLag) throw new ArgumentException($"Lags must satisfy 1 <= MinLag <= MaxLag, got {MinLag} and {MaxLag}.");
        if (Length <= MaxLag + 10) throw new ArgumentException($"Length must exceed MaxLag + 10, got {Length}.", nameof(Length));
        if (!(LinkStrength > 0) || !(Noise >= 0)) throw new ArgumentException($"LinkStrength must be positive and Noise non-negative, got {LinkStrength} and {Noise}.");
    }
}

/// <summary>A simulated panel and the true lagged graph of each shop.</summary>
/// <param name="Panel">The panel: roots (or channels) first as given series, the last node the target.</param>
/// <param name="TrueGraphs">Per shop, [i, j] true when i drives j at some lag.</param>
public sealed record GraphSimulation(NumericPanel Panel, IReadOnlyList<bool[,]> TrueGraphs);

/// <summary>
/// Panels for graph learning with known answers, beside the paper's generator: causes that act only at lags 2-3, roots
/// with nonlinear dynamics of their own, signals centred at zero, few graphs over many shops or many over few, weak
/// links, and the marketing funnel (channels -> page views -> two search channels -> target, through adstock and Hill
/// curves, every effect a step or more later). Nodes are named x0.. (the roots, given series) then m0.. (children,
/// mediators) and y (the last child, the target); the funnel names them as a marketing panel would.
/// </summary>
public static class GraphSimulator
{
    private const int BurnIn = 50;

    /// <summary>The named members the <c>graphs</c> benchmark runs: each a kind of data on which a graph learner must hold.</summary>
    public static IReadOnlyList<(string Name, GraphSimulationOptions Options)> Members(int seed) => new (string, GraphSimulationOptions)[]
    {
        ("lag2-3 nonlinear roots, 300 shops x 100, 3 graphs", new GraphSimulationOptions { Seed = seed }),
        ("lag 1 linear roots, positive", new GraphSimulationOptions { MinLag = 1, MaxLag = 1, NonlinearRoots = false, Centred = false, Seed = seed }),
        ("many graphs over few shops (40 shops, 40 graphs)", new GraphSimulationOptions { Shops = 40, DistinctGraphs = 40, Seed = seed }),
        ("long series (40 shops x 720)", new GraphSimulationOptions { Shops = 40, Length = 720, Seed = seed }),
        ("10 nodes", new GraphSimulationOptions { Nodes = 10, Roots = 5, Seed = seed }),
        ("20 nodes", new GraphSimulationOptions { Nodes = 20, Roots = 8, Shops = 100, Seed = seed }),
        ("weak links", new GraphSimulationOptions { LinkStrength = 0.3, Seed = seed }),
        ("marketing funnel (60 shops x 150)", new GraphSimulationOptions { Funnel = true, Shops = 60, Length = 150, Seed = seed }),
    };

    /// <summary>Simulates a panel with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public static GraphSimulation Simulate(GraphSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Funnel ? SimulateFunnel(options) : SimulateGeneric(options);
    }

    private static GraphSimulation SimulateGeneric(GraphSimulationOptions o)
    {
        var random = new Random(o.Seed);
        int n = o.Nodes;
        var graphs = new (bool[,] Truth, int[,] Lag, double[,] Weight)[o.DistinctGraphs];
        for (int g = 0; g < o.DistinctGraphs; g++)
        {
            var truth = new bool[n, n];
            var lag = new int[n, n];
            var weight = new double[n, n];
            for (int j = o.Roots; j < n; j++)
            {
                // One to three parents among the nodes before the child: roots and earlier children, so the graph is a DAG.
                int parents = 1 + random.Next(Math.Min(3, j));
                foreach (int p in Enumerable.Range(0, j).OrderBy(_ => random.Next()).Take(parents))
                {
                    truth[p, j] = true;
                    lag[p, j] = o.MinLag + random.Next(o.MaxLag - o.MinLag + 1);
                    weight[p, j] = o.LinkStrength * (0.6 + 0.6 * random.NextDouble()) * (o.Centred && random.Next(2) == 0 ? -1 : 1);
                }
            }
            graphs[g] = (truth, lag, weight);
        }

        int total = o.Length + BurnIn;
        var values = new double[o.Shops * o.Length * n];
        var shopGraphs = new bool[o.Shops][,];
        for (int s = 0; s < o.Shops; s++)
        {
            var (truth, lag, weight) = graphs[s % o.DistinctGraphs];
            shopGraphs[s] = (bool[,])truth.Clone(); // each shop its own matrix, so editing one changes no other
            var x = new double[total, n];
            // Each root's own dynamics, different per shop.
            double[] a = Enumerable.Range(0, o.Roots).Select(_ => 0.4 + 0.4 * random.NextDouble()).ToArray();
            for (int t = 0; t < total; t++)
            {
                for (int i = 0; i < o.Roots; i++)
                {
                    double e = 0.5 * Gaussian(random);
                    x[t, i] = o.NonlinearRoots
                        ? (t >= 3 ? a[i] * Math.Tanh(2 * x[t - 1, i]) - 0.3 * x[t - 2, i] + 0.4 * Math.Sin(2 * x[t - 3, i]) * x[t - 1, i] : 0) + e
                        : (t >= 1 ? a[i] * x[t - 1, i] : 0) + e;
                }
                for (int j = o.Roots; j < n; j++)
                {
                    double v = (t >= 1 ? 0.3 * x[t - 1, j] : 0) + o.Noise * Gaussian(random);
                    for (int p = 0; p < j; p++)
                        if (truth[p, j] && t >= lag[p, j]) v += weight[p, j] * Math.Tanh(1.5 * x[t - lag[p, j], p]);
                    x[t, j] = v;
                }
            }
            double shift = o.Centred ? 0 : 5;
            for (int t = 0; t < o.Length; t++)
            for (int j = 0; j < n; j++) values[(s * o.Length + t) * n + j] = x[t + BurnIn, j] + shift;
        }
        string[] names = Enumerable.Range(0, n).Select(j => j < o.Roots ? $"x{j}" : j == n - 1 ? "y" : $"m{j - o.Roots}").ToArray();
        var panel = new NumericPanel(Enumerable.Range(0, o.Shops).Select(s => $"shop{s:000}").ToArray(), names, o.Roots, values, o.Length);
        return new GraphSimulation(panel, shopGraphs);
    }

    /// <summary>
    /// Six channels in bursts drive page views through their adstock (a day later); page views drive two search channels a
    /// day later; the search channels drive GMV through adstock and Hill curves a day later. Each shop draws which channels
    /// reach page views (at least two) and which search channel reaches GMV (at least one).
    /// </summary>
    private static GraphSimulation SimulateFunnel(GraphSimulationOptions o)
    {
        var random = new Random(o.Seed);
        const int channels = 6, n = channels + 4; // x0..x5, pv, search0, search1, gmv
        int pv = channels, s0 = channels + 1, gmv = channels + 3;
        int total = o.Length + BurnIn;
        var values = new double[o.Shops * o.Length * n];
        var graphs = new bool[o.Shops][,];
        for (int s = 0; s < o.Shops; s++)
        {
            var truth = new bool[n, n];
            bool[] reachesPv = Enumerable.Range(0, channels).Select(_ => random.NextDouble() < 0.6).ToArray();
            // At least two distinct channels reach page views.
            int first = random.Next(channels), second = (first + 1 + random.Next(channels - 1)) % channels;
            reachesPv[first] = reachesPv[second] = true;
            bool[] searchToGmv = { random.NextDouble() < 0.7, random.NextDouble() < 0.7 };
            if (!searchToGmv[0] && !searchToGmv[1]) searchToGmv[random.Next(2)] = true;
            for (int c = 0; c < channels; c++) truth[c, pv] = reachesPv[c];
            truth[pv, s0] = truth[pv, s0 + 1] = true;
            truth[s0, gmv] = searchToGmv[0];
            truth[s0 + 1, gmv] = searchToGmv[1];
            graphs[s] = truth;

            double size = 0.5 + random.NextDouble();
            var on = new bool[channels];
            var adstock = new double[channels];
            var searchAdstock = new double[2];
            var x = new double[total, n];
            for (int t = 0; t < total; t++)
            {
                for (int c = 0; c < channels; c++)
                {
                    if (random.NextDouble() < 0.12) on[c] = !on[c];
                    x[t, c] = on[c] ? size * (40 + 60 * random.NextDouble()) : 0;
                }
                double visits = size * 300;
                if (t >= 1)
                    for (int c = 0; c < channels; c++)
                        if (reachesPv[c]) visits += size * 150 * Hill(adstock[c] / (size * 60));
                x[t, pv] = visits * (1 + o.Noise * 0.25 * Gaussian(random));
                for (int k = 0; k < 2; k++)
                    x[t, s0 + k] = (t >= 1 ? 0.1 * x[t - 1, pv] : size * 30) * (0.6 + 0.8 * random.NextDouble());
                double demand = size * 500;
                if (t >= 1)
                    for (int k = 0; k < 2; k++)
                        if (searchToGmv[k]) demand += size * 800 * Hill(searchAdstock[k] / (size * 30));
                x[t, gmv] = demand * (1 + o.Noise * 0.25 * Gaussian(random));
                // Carry-over to the next step: each series' geometric adstock of what ran up to today.
                for (int c = 0; c < channels; c++) adstock[c] = x[t, c] + 0.5 * adstock[c];
                for (int k = 0; k < 2; k++) searchAdstock[k] = x[t, s0 + k] + 0.4 * searchAdstock[k];
            }
            for (int t = 0; t < o.Length; t++)
            for (int j = 0; j < n; j++) values[(s * o.Length + t) * n + j] = x[t + BurnIn, j];
        }
        string[] names = Enumerable.Range(0, channels).Select(c => $"x{c}").Concat(new[] { "pv", "search0", "search1", "gmv" }).ToArray();
        var panel = new NumericPanel(Enumerable.Range(0, o.Shops).Select(s => $"shop{s:000}").ToArray(), names, channels, values, o.Length);
        return new GraphSimulation(panel, graphs);
    }

    private static double Hill(double x) => x <= 0 ? 0 : x * x / (1 + x * x);

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
