namespace CausalMmm.Data;

/// <summary>One edge of a shop's causal graph.</summary>
/// <param name="From">The driving node.</param>
/// <param name="To">The driven node.</param>
/// <param name="Probability">The edge's probability (or score) in [0, 1].</param>
/// <param name="SameDay">True for a same-day edge (From acts on To on the same date); false for a lagged (Granger) edge.</param>
public sealed record CausalEdge(string From, string To, double Probability, bool SameDay)
{
    /// <summary>"tv -> gmv 0.93 (same day)".</summary>
    public override string ToString() => $"{From} -> {To} {Probability:F2}{(SameDay ? " (same day)" : "")}";
}

/// <summary>
/// Per-shop causal graphs over named nodes: <c>[i, j]</c> is the probability (or score) that node i drives node j from
/// the steps before (a lagged edge) and, when the graphs have them, that i drives j on the same step (a same-day edge,
/// from the given series to the others). Produced by the causal-graph transformer, or built by hand to give a
/// forecaster a known graph.
/// </summary>
public sealed class CausalGraphSet
{
    private readonly Dictionary<string, double[,]> _graphs;
    private readonly Dictionary<string, double[,]>? _sameDay;

    /// <summary>Creates a set of lagged graphs; every matrix must be square over <paramref name="nodeNames"/>.</summary>
    /// <exception cref="ArgumentException">A matrix has the wrong size or a value outside [0, 1].</exception>
    public CausalGraphSet(IReadOnlyList<string> nodeNames, IEnumerable<KeyValuePair<string, double[,]>> graphs)
        : this(nodeNames, graphs, sameDay: null)
    {
    }

    /// <summary>
    /// Creates a set of lagged graphs and, per shop, same-day graphs (null for none); every matrix must be square over
    /// <paramref name="nodeNames"/>, and every shop with a lagged graph needs a same-day one.
    /// </summary>
    /// <exception cref="ArgumentException">A matrix has the wrong size or a value outside [0, 1], or a same-day graph is missing.</exception>
    public CausalGraphSet(IReadOnlyList<string> nodeNames, IEnumerable<KeyValuePair<string, double[,]>> graphs, IEnumerable<KeyValuePair<string, double[,]>>? sameDay)
    {
        ArgumentNullException.ThrowIfNull(nodeNames);
        ArgumentNullException.ThrowIfNull(graphs);
        NodeNames = nodeNames.ToArray();
        _graphs = Check(graphs, "graph");
        ShopIds = _graphs.Keys.ToArray();
        if (sameDay is not null)
        {
            _sameDay = Check(sameDay, "same-day graph");
            string? missing = ShopIds.FirstOrDefault(id => !_sameDay.ContainsKey(id));
            if (missing is not null) throw new ArgumentException($"Shop '{missing}' has a lagged graph but no same-day graph; give both or no same-day graphs.", nameof(sameDay));
        }
    }

    private Dictionary<string, double[,]> Check(IEnumerable<KeyValuePair<string, double[,]>> graphs, string what)
    {
        var result = new Dictionary<string, double[,]>(StringComparer.Ordinal);
        int n = NodeNames.Count;
        foreach ((string shop, double[,] matrix) in graphs)
        {
            if (matrix.GetLength(0) != n || matrix.GetLength(1) != n)
                throw new ArgumentException($"The {what} of shop '{shop}' is {matrix.GetLength(0)}x{matrix.GetLength(1)}; it must be {n}x{n} over [{string.Join(", ", NodeNames)}].", nameof(graphs));
            foreach (double p in matrix)
            {
                if (!(p >= 0 && p <= 1)) throw new ArgumentException($"The {what} of shop '{shop}' holds {p}; edge weights must lie in [0, 1].", nameof(graphs));
            }
            if (!result.TryAdd(shop, (double[,])matrix.Clone())) throw new ArgumentException($"Shop '{shop}' has two {what}s.", nameof(graphs));
        }
        return result;
    }

    /// <summary>
    /// The probability that i drives j at any lag, from a lagged and a same-day graph of the same shop: 1 - (1 - lagged)(1 -
    /// sameDay), the chance that at least one of the two edges is present when they are drawn independently.
    /// </summary>
    /// <exception cref="ArgumentException">The two matrices differ in size.</exception>
    public static double[,] AnyLag(double[,] lagged, double[,] sameDay)
    {
        ArgumentNullException.ThrowIfNull(lagged);
        ArgumentNullException.ThrowIfNull(sameDay);
        int n = lagged.GetLength(0);
        if (lagged.GetLength(1) != n || sameDay.GetLength(0) != n || sameDay.GetLength(1) != n)
            throw new ArgumentException($"A lagged graph of {lagged.GetLength(0)}x{lagged.GetLength(1)} and a same-day graph of {sameDay.GetLength(0)}x{sameDay.GetLength(1)}: both must be the same square size.", nameof(sameDay));
        var any = new double[n, n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) any[i, j] = 1 - (1 - lagged[i, j]) * (1 - sameDay[i, j]);
        return any;
    }

    /// <summary>One graph used for every shop listed in <paramref name="shopIds"/> (and one same-day graph, if given).</summary>
    public static CausalGraphSet Shared(IReadOnlyList<string> nodeNames, double[,] graph, IEnumerable<string> shopIds, double[,]? sameDay = null)
    {
        string[] ids = shopIds.ToArray();
        return new CausalGraphSet(nodeNames, ids.Select(id => new KeyValuePair<string, double[,]>(id, graph)),
            sameDay is null ? null : ids.Select(id => new KeyValuePair<string, double[,]>(id, sameDay)));
    }

    /// <summary>Node names in matrix order.</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>Shops that have a graph.</summary>
    public IReadOnlyList<string> ShopIds { get; }

    /// <summary>True when the set holds same-day graphs besides the lagged ones.</summary>
    public bool HasSameDay => _sameDay is not null;

    /// <summary>A copy of the lagged graph of <paramref name="shopId"/>.</summary>
    /// <exception cref="KeyNotFoundException">The shop has no graph.</exception>
    public double[,] this[string shopId] => (double[,])Get(_graphs, shopId).Clone();

    /// <summary>A copy of the same-day graph of <paramref name="shopId"/>.</summary>
    /// <exception cref="InvalidOperationException">The set has no same-day graphs.</exception>
    /// <exception cref="KeyNotFoundException">The shop has no graph.</exception>
    public double[,] SameDay(string shopId) => (double[,])Get(_sameDay ?? throw new InvalidOperationException("These graphs have no same-day edges."), shopId).Clone();

    /// <summary>
    /// The any-lag graph of <paramref name="shopId"/>: [i, j] the probability that i drives j from earlier steps or on the
    /// same step (<see cref="AnyLag(double[,], double[,])"/>); the lagged graph when the set has no same-day graphs.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The shop has no graph.</exception>
    public double[,] AnyLag(string shopId) => _sameDay is null ? this[shopId] : AnyLag(Get(_graphs, shopId), Get(_sameDay, shopId));

    /// <summary>True when <paramref name="shopId"/> has a graph.</summary>
    public bool Contains(string shopId) => _graphs.ContainsKey(shopId);

    /// <summary>The probability that <paramref name="from"/> drives <paramref name="to"/> in shop <paramref name="shopId"/> from earlier steps.</summary>
    public double Probability(string shopId, string from, string to) => Get(_graphs, shopId)[IndexOf(from), IndexOf(to)];

    /// <summary>The probability that <paramref name="from"/> drives <paramref name="to"/> on the same step (0 without same-day graphs).</summary>
    public double SameDayProbability(string shopId, string from, string to) => _sameDay is null ? 0 : Get(_sameDay, shopId)[IndexOf(from), IndexOf(to)];

    /// <summary>Edges of one shop, lagged and same-day, whose probability is at least <paramref name="threshold"/>, strongest first.</summary>
    public IReadOnlyList<CausalEdge> Edges(string shopId, double threshold = 0.5)
    {
        var edges = new List<CausalEdge>();
        void Add(double[,] g, bool sameDay)
        {
            for (int i = 0; i < NodeNames.Count; i++)
            for (int j = 0; j < NodeNames.Count; j++)
            {
                if (i != j && g[i, j] >= threshold && (!sameDay || g[i, j] > 0)) edges.Add(new CausalEdge(NodeNames[i], NodeNames[j], g[i, j], sameDay));
            }
        }
        Add(Get(_graphs, shopId), sameDay: false);
        if (_sameDay is not null) Add(Get(_sameDay, shopId), sameDay: true);
        return edges.OrderByDescending(e => e.Probability).ToArray();
    }

    /// <summary>The graphs of <paramref name="shopIds"/> that exist, in that order.</summary>
    public CausalGraphSet Select(IEnumerable<string> shopIds)
    {
        string[] ids = shopIds.Where(_graphs.ContainsKey).ToArray();
        return new CausalGraphSet(NodeNames, ids.Select(id => new KeyValuePair<string, double[,]>(id, _graphs[id])),
            _sameDay is null ? null : ids.Select(id => new KeyValuePair<string, double[,]>(id, _sameDay[id])));
    }

    private double[,] Get(Dictionary<string, double[,]> graphs, string shopId) => graphs.TryGetValue(shopId, out double[,]? g) ? g
        : throw new KeyNotFoundException($"No graph for shop '{shopId}'. Graphs exist for {ShopIds.Count} shops, for example '{ShopIds.FirstOrDefault()}'.");

    private int IndexOf(string node)
    {
        for (int i = 0; i < NodeNames.Count; i++) if (NodeNames[i] == node) return i;
        throw new ArgumentException($"'{node}' is not a node of these graphs: [{string.Join(", ", NodeNames)}].", nameof(node));
    }

    /// <summary>The set as plain arrays, for a component's JSON state.</summary>
    internal StoredGraphSet ToStored() => new(NodeNames.ToArray(), ShopIds.ToDictionary(id => id, id => ToJagged(_graphs[id])),
        _sameDay?.ToDictionary(kv => kv.Key, kv => ToJagged(kv.Value)));

    /// <summary>The set <see cref="ToStored"/> wrote.</summary>
    /// <exception cref="InvalidDataException">A stored matrix is not square.</exception>
    internal static CausalGraphSet FromStored(StoredGraphSet stored)
    {
        if (stored.Nodes is null || stored.Lagged is null || stored.Lagged.Values.Any(v => v is null) || stored.SameDay?.Values.Any(v => v is null) == true)
            throw new InvalidDataException("a stored graph set misses its nodes or matrices");
        try
        {
            return new CausalGraphSet(stored.Nodes, stored.Lagged.Select(kv => new KeyValuePair<string, double[,]>(kv.Key, FromJagged(kv.Value))),
                stored.SameDay?.Select(kv => new KeyValuePair<string, double[,]>(kv.Key, FromJagged(kv.Value))));
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"a stored graph set is not valid: {ex.Message}", ex);
        }
    }

    internal static double[][] ToJagged(double[,] m) =>
        Enumerable.Range(0, m.GetLength(0)).Select(i => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray()).ToArray();

    internal static double[,] FromJagged(double[][] rows)
    {
        var m = new double[rows.Length, rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != rows.Length) throw new InvalidDataException("a stored graph is not square");
            for (int j = 0; j < rows.Length; j++) m[i, j] = rows[i][j];
        }
        return m;
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

/// <summary>A <see cref="CausalGraphSet"/> as plain arrays: node names, and per shop its lagged (and same-day) matrix as rows.</summary>
internal sealed record StoredGraphSet(string[] Nodes, Dictionary<string, double[][]> Lagged, Dictionary<string, double[][]>? SameDay);
