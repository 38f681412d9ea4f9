using System.Globalization;
using CausalMmm.Data;

namespace CausalMmm.Simulation;

/// <summary>A simulated panel together with the ground truth it was generated from.</summary>
public sealed class SyntheticDataset
{
    internal SyntheticDataset(NumericPanel panel, IReadOnlyList<bool[,]> latentGraphs, int[] graphOfShop, double[] alpha, double[] gamma)
    {
        Panel = panel;
        LatentGraphs = latentGraphs;
        GraphOfShop = graphOfShop;
        SaturationShape = alpha;
        SaturationInflection = gamma;
    }

    /// <summary>The simulated series: channels x0..x(d-1), then the target y.</summary>
    public NumericPanel Panel { get; }

    /// <summary>The R latent graphs; entry [i, j] is true when node i causes node j.</summary>
    public IReadOnlyList<bool[,]> LatentGraphs { get; }

    /// <summary>Which latent graph each shop follows.</summary>
    public IReadOnlyList<int> GraphOfShop { get; }

    /// <summary>Per shop, the S-curve shape alpha (Simulation 2; NaN in Simulation 1).</summary>
    public IReadOnlyList<double> SaturationShape { get; }

    /// <summary>Per shop, the S-curve inflection point gamma (Simulation 2; NaN in Simulation 1).</summary>
    public IReadOnlyList<double> SaturationInflection { get; }

    /// <summary>The true adjacency of <paramref name="shop"/>: [i, j] is true when node i causes node j.</summary>
    public bool[,] TrueGraph(int shop) => LatentGraphs[GraphOfShop[shop]];

    /// <summary>Writes every shop's true graph as CSV rows <c>shop_id,source,target,edge</c> over all ordered node pairs.</summary>
    public void WriteGraphsCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine("shop_id,source,target,edge");
        for (int s = 0; s < Panel.ShopCount; s++)
        {
            bool[,] g = TrueGraph(s);
            for (int i = 0; i < Panel.NodeCount; i++)
            for (int j = 0; j < Panel.NodeCount; j++)
            {
                if (i == j) continue;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Panel.ShopIds[s]},{Panel.NodeNames[i]},{Panel.NodeNames[j]},{(g[i, j] ? 1 : 0)}"));
            }
        }
    }
}

/// <summary>
/// Generates the CausalMMM paper's synthetic benchmark (appendix A.2.1): R sampled acyclic graphs over d
/// channels and the target; source channels follow a NARMA recursion, every other node is a sum over its
/// parents of w * eta^T tanh(parent lags t-K..t-1) plus noise; Simulation 2 passes the target through an
/// S-curve whose shape and inflection depend on two context variables.
/// </summary>
/// <remarks>
/// The paper leaves the scale and sign of w and eta open. By default w ~ U(0.8, 1.6) and eta is a random
/// non-negative unit vector over the K lags (<see cref="SyntheticLinkWeights.PaperNormal"/> draws both from N(0, 0.1)): marketing effects push the same way (more brand spend, more
/// page views, more GMV) with a shop-specific strength and carry-over profile, and each causal link carries
/// a signal about as strong as the noise. (With random signs per shop, a decoder whose message function is
/// shared by all edges, as the paper's is, cannot tell a shop's positive links from its negative ones, and
/// nothing is learnable.) The NARMA coefficients follow the paper's N(0, 0.1) (variance 0.1).
/// </remarks>
public static class SyntheticPanelGenerator
{
    /// <summary>Simulates a panel; the same options give the same panel.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static SyntheticDataset Generate(SyntheticPanelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var random = new Random(options.Seed);
        int d = options.Channels, n = d + 1, k = options.LagOrder, total = options.BurnIn + options.Length;
        var graphs = new List<bool[,]>();
        for (int r = 0; r < options.Graphs; r++) graphs.Add(SampleGraph(options, random));

        int contextCount = options.Simulation == 2 ? 2 : 0;
        var values = new double[options.Shops * options.Length * n];
        var context = new double[options.Shops * contextCount];
        var graphOfShop = new int[options.Shops];
        var alphas = new double[options.Shops];
        var gammas = new double[options.Shops];
        double noiseStd = Math.Sqrt(options.NoiseVariance);
        double coefficientStd = Math.Sqrt(0.1);

        for (int s = 0; s < options.Shops; s++)
        {
            int g = random.Next(options.Graphs);
            graphOfShop[s] = g;
            bool[,] graph = graphs[g];
            var weight = new double[n, n];
            var eta = new double[n][];
            for (int j = 0; j < n; j++)
            {
                if (options.LinkWeights is SyntheticLinkWeights.PaperNormal or SyntheticLinkWeights.PaperNormalMagnitude)
                {
                    // The same draws either way, so the two settings differ only in the sign.
                    Func<double, double> sign = options.LinkWeights == SyntheticLinkWeights.PaperNormal ? v => v : Math.Abs;
                    eta[j] = Enumerable.Range(0, k).Select(_ => sign(Gaussian(random) * coefficientStd)).ToArray();
                    for (int i = 0; i < n; i++) weight[i, j] = sign(Gaussian(random) * coefficientStd);
                }
                else
                {
                    eta[j] = UnitVector(random, k);
                    for (int i = 0; i < n; i++) weight[i, j] = 0.8 + 0.8 * random.NextDouble();
                }
            }
            var narma = new (double A, double B, double C)[n];
            for (int i = 0; i < n; i++)
                narma[i] = (Gaussian(random) * coefficientStd, Gaussian(random) * coefficientStd, Gaussian(random) * coefficientStd);

            var x = new double[total, n];
            var noise = new double[total, n];
            for (int t = 0; t < total; t++)
            for (int j = 0; j < n; j++) noise[t, j] = Gaussian(random) * noiseStd;

            for (int t = 0; t < total; t++)
            {
                for (int j = 0; j < n; j++)
                {
                    bool hasParent = false;
                    double sum = 0;
                    for (int i = 0; i < n; i++)
                    {
                        if (!graph[i, j]) continue;
                        hasParent = true;
                        double lagged = 0;
                        for (int lag = 1; lag <= k; lag++)
                            lagged += eta[j][lag - 1] * Math.Tanh(t - lag >= 0 ? x[t - lag, i] : 0);
                        sum += weight[i, j] * lagged;
                    }
                    if (hasParent || j == d)
                    {
                        x[t, j] = sum + noise[t, j];
                    }
                    else
                    {
                        // NARMA: x_t = a x_{t-1} + b x_{t-1} sum_{k=1..K} x_{t-k} + c e_{t-K} e_{t-1} + e_t
                        double previous = t >= 1 ? x[t - 1, j] : 0, window = 0;
                        for (int lag = 1; lag <= k; lag++) window += t - lag >= 0 ? x[t - lag, j] : 0;
                        double cross = t - k >= 0 && t >= 1 ? noise[t - k, j] * noise[t - 1, j] : 0;
                        (double a, double b, double c) = narma[j];
                        // The clamp keeps an unlucky draw of (a, b) from diverging; it never binds for typical draws.
                        x[t, j] = Math.Clamp(a * previous + b * previous * window + c * cross + noise[t, j], -10, 10);
                    }
                }
            }

            double alpha = double.NaN, gamma = double.NaN;
            if (options.Simulation == 2)
            {
                double c0 = Gaussian(random), c1 = Gaussian(random);
                context[s * 2] = c0;
                context[s * 2 + 1] = c1;
                alpha = 1 + 2 / (1 + Math.Exp(-c0));
                gamma = Math.Exp(0.3 * c1);
            }
            alphas[s] = alpha;
            gammas[s] = gamma;
            for (int t = 0; t < options.Length; t++)
            {
                for (int j = 0; j < n; j++)
                {
                    double v = x[options.BurnIn + t, j];
                    if (j == d && options.Simulation == 2)
                    {
                        // y = S(u) on a positive scale of u: u+^alpha / (u+^alpha + gamma^alpha), u+ = exp(u).
                        double p = Math.Pow(Math.Exp(v), alpha);
                        v = p / (p + Math.Pow(gamma, alpha));
                    }
                    values[((long)s * options.Length + t) * n + j] = v;
                }
            }
        }

        var nodeNames = Enumerable.Range(0, d).Select(i => "x" + i.ToString(CultureInfo.InvariantCulture)).Append("y").ToArray();
        var shopIds = Enumerable.Range(0, options.Shops).Select(i => "shop" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        string[] contextNames = contextCount == 2 ? new[] { "context0", "context1" } : Array.Empty<string>();
        var panel = new NumericPanel(shopIds, nodeNames, d, values, options.Length, contextNames, context);
        return new SyntheticDataset(panel, graphs, graphOfShop, alphas, gammas);
    }

    /// <summary>
    /// One acyclic graph over d channels and the target (node d): a random order of the channels, the
    /// first <see cref="SyntheticPanelOptions.EffectiveSourceCount"/> of which are sources; every other
    /// channel gets a parent earlier in the order, then random forward edges are added until
    /// round(density * d(d-1)/2) channel edges exist. Each channel drives the target with the given
    /// probability, and at least one does.
    /// </summary>
    internal static bool[,] SampleGraph(SyntheticPanelOptions options, Random random)
    {
        int d = options.Channels, sources = options.EffectiveSourceCount;
        var graph = new bool[d + 1, d + 1];
        int[] order = Enumerable.Range(0, d).OrderBy(_ => random.Next()).ToArray();
        int wanted = Math.Max(d - sources, (int)Math.Round(options.EdgeDensity * d * (d - 1) / 2.0));
        int edges = 0;
        for (int position = sources; position < d; position++)
        {
            graph[order[random.Next(position)], order[position]] = true;
            edges++;
        }
        var candidates = new List<(int From, int To)>();
        for (int a = 0; a < d; a++)
        for (int b = Math.Max(a + 1, sources); b < d; b++)
            if (!graph[order[a], order[b]]) candidates.Add((order[a], order[b]));
        foreach ((int from, int to) in candidates.OrderBy(_ => random.Next()))
        {
            if (edges >= wanted) break;
            graph[from, to] = true;
            edges++;
        }
        bool any = false;
        for (int i = 0; i < d; i++)
        {
            if (random.NextDouble() < options.TargetParentProbability)
            {
                graph[i, d] = true;
                any = true;
            }
        }
        if (!any) graph[random.Next(d), d] = true;
        return graph;
    }

    private static double[] UnitVector(Random random, int length)
    {
        var v = new double[length];
        double norm = 0;
        for (int i = 0; i < length; i++)
        {
            v[i] = Math.Abs(Gaussian(random));
            norm += v[i] * v[i];
        }
        norm = Math.Sqrt(norm);
        for (int i = 0; i < length; i++) v[i] /= norm;
        return v;
    }

    internal static double Gaussian(Random random)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
