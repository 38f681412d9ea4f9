namespace CausalMmm.Data;

/// <summary>
/// Per-shop causal graphs over named nodes: <c>[i, j]</c> is the probability (or score) that node i drives node j.
/// Produced by the causal-graph transformer, or built by hand to give a forecaster a known graph.
/// </summary>
public sealed class CausalGraphSet
{
    private readonly Dictionary<string, double[,]> _graphs;

    /// <summary>Creates a set; every matrix must be square over <paramref name="nodeNames"/>.</summary>
    /// <exception cref="ArgumentException">A matrix has the wrong size or a value outside [0, 1].</exception>
    public CausalGraphSet(IReadOnlyList<string> nodeNames, IEnumerable<KeyValuePair<string, double[,]>> graphs)
    {
        ArgumentNullException.ThrowIfNull(nodeNames);
        ArgumentNullException.ThrowIfNull(graphs);
        NodeNames = nodeNames.ToArray();
        _graphs = new Dictionary<string, double[,]>(StringComparer.Ordinal);
        int n = NodeNames.Count;
        foreach ((string shop, double[,] matrix) in graphs)
        {
            if (matrix.GetLength(0) != n || matrix.GetLength(1) != n)
                throw new ArgumentException($"The graph of shop '{shop}' is {matrix.GetLength(0)}x{matrix.GetLength(1)}; it must be {n}x{n} over [{string.Join(", ", NodeNames)}].", nameof(graphs));
            foreach (double p in matrix)
            {
                if (!(p >= 0 && p <= 1)) throw new ArgumentException($"The graph of shop '{shop}' holds {p}; edge weights must lie in [0, 1].", nameof(graphs));
            }
            if (!_graphs.TryAdd(shop, (double[,])matrix.Clone())) throw new ArgumentException($"Shop '{shop}' has two graphs.", nameof(graphs));
        }
        ShopIds = _graphs.Keys.ToArray();
    }

    /// <summary>One graph used for every shop listed in <paramref name="shopIds"/>.</summary>
    public static CausalGraphSet Shared(IReadOnlyList<string> nodeNames, double[,] graph, IEnumerable<string> shopIds) =>
        new(nodeNames, shopIds.Select(id => new KeyValuePair<string, double[,]>(id, graph)));

    /// <summary>Node names in matrix order.</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>Shops that have a graph.</summary>
    public IReadOnlyList<string> ShopIds { get; }

    /// <summary>A copy of the graph of <paramref name="shopId"/>.</summary>
    /// <exception cref="KeyNotFoundException">The shop has no graph.</exception>
    public double[,] this[string shopId] => _graphs.TryGetValue(shopId, out double[,]? g) ? (double[,])g.Clone()
        : throw new KeyNotFoundException($"No graph for shop '{shopId}'. Graphs exist for {ShopIds.Count} shops, for example '{ShopIds.FirstOrDefault()}'.");

    /// <summary>True when <paramref name="shopId"/> has a graph.</summary>
    public bool Contains(string shopId) => _graphs.ContainsKey(shopId);

    /// <summary>The probability that <paramref name="from"/> drives <paramref name="to"/> in shop <paramref name="shopId"/>.</summary>
    public double Probability(string shopId, string from, string to)
    {
        int i = IndexOf(from), j = IndexOf(to);
        return (_graphs.TryGetValue(shopId, out double[,]? g) ? g : this[shopId])[i, j];
    }

    /// <summary>Edges of one shop whose probability is at least <paramref name="threshold"/>, strongest first.</summary>
    public IReadOnlyList<(string From, string To, double Probability)> Edges(string shopId, double threshold = 0.5)
    {
        double[,] g = this[shopId];
        var edges = new List<(string, string, double)>();
        for (int i = 0; i < NodeNames.Count; i++)
        for (int j = 0; j < NodeNames.Count; j++)
        {
            if (i != j && g[i, j] >= threshold) edges.Add((NodeNames[i], NodeNames[j], g[i, j]));
        }
        return edges.OrderByDescending(e => e.Item3).ToArray();
    }

    /// <summary>The graphs of <paramref name="shopIds"/> that exist, in that order.</summary>
    public CausalGraphSet Select(IEnumerable<string> shopIds) =>
        new(NodeNames, shopIds.Where(_graphs.ContainsKey).Select(id => new KeyValuePair<string, double[,]>(id, _graphs[id])));

    private int IndexOf(string node)
    {
        for (int i = 0; i < NodeNames.Count; i++) if (NodeNames[i] == node) return i;
        throw new ArgumentException($"'{node}' is not a node of these graphs: [{string.Join(", ", NodeNames)}].", nameof(node));
    }
}

/// <summary>How a forecast treats the channels.</summary>
public enum ForecastMode
{
    /// <summary>Every variable is forecast recursively, channels included.</summary>
    Autonomous,

    /// <summary>Channel and covariate values are given (the panel's actual values, or a media plan); the rest is forecast.</summary>
    Scenario,
}
