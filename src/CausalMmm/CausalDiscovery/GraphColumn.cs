using CausalMmm.Data;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.CausalDiscovery;

/// <summary>
/// Per-shop causal graphs as ML.NET data: a Single vector of n x n edge probabilities (row-major, [i, j] = i drives j)
/// whose <c>SlotNames</c> annotation names each slot <c>from->to</c>, so stock ML.NET tools and a <c>DataFrame</c> can read it.
/// </summary>
public static class GraphColumn
{
    /// <summary>The default name of the graph column.</summary>
    public const string DefaultName = "Graph";

    /// <summary>The name of the same-day graph column that goes with graph column <paramref name="graphColumnName"/>.</summary>
    public static string SameDayName(string graphColumnName) => graphColumnName + ".SameDay";

    /// <summary>
    /// The name of the any-lag graph column that goes with graph column <paramref name="graphColumnName"/> when the graphs
    /// have same-day edges: [i, j] the probability that i drives j from earlier steps or on the same one
    /// (<see cref="CausalGraphSet.AnyLag(double[,], double[,])"/>), the graph to rank edges by when a cause may act at any lag.
    /// </summary>
    public static string AnyLagName(string graphColumnName) => graphColumnName + ".AnyLag";

    /// <summary>ML.NET's annotation kind for slot names (its AddSlotNames helper is internal).</summary>
    internal const string SlotNamesKind = "SlotNames";

    /// <summary>The slot name of edge i -> j.</summary>
    public static string SlotName(string from, string to) => $"{from}->{to}";

    /// <summary>The vector type and slot-name annotation of a graph over <paramref name="nodes"/>.</summary>
    internal static AppendedColumn Column(string name, IReadOnlyList<string> nodes)
    {
        int n = nodes.Count;
        var slotNames = nodes.SelectMany(from => nodes.Select(to => SlotName(from, to).AsMemory())).ToArray();
        var builder = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> value) =>
        {
            // Into the caller's buffer: handing out our array would let a caller that reuses buffers overwrite the names.
            VBufferEditor<ReadOnlyMemory<char>> editor = VBufferEditor.Create(ref value, slotNames.Length);
            slotNames.CopyTo(editor.Values);
            value = editor.Commit();
        };
        builder.Add(SlotNamesKind, new VectorDataViewType(TextDataViewType.Instance, n * n), getter);
        return new AppendedColumn(name, new VectorDataViewType(NumberDataViewType.Single, n * n), builder.ToAnnotations());
    }

    /// <summary>A graph matrix as the flat vector of <see cref="Column"/>.</summary>
    internal static float[] Flatten(double[,] graph)
    {
        int n = graph.GetLength(0);
        var flat = new float[n * n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) flat[i * n + j] = (float)graph[i, j];
        return flat;
    }

    /// <summary>The graph column, and the same-day and any-lag graph columns when the graphs have same-day edges.</summary>
    internal static AppendedColumn[] Columns(string graphColumnName, IReadOnlyList<string> nodes, bool sameDay) => sameDay
        ? new[] { Column(graphColumnName, nodes), Column(SameDayName(graphColumnName), nodes), Column(AnyLagName(graphColumnName), nodes) }
        : new[] { Column(graphColumnName, nodes) };

    /// <summary>The values of <see cref="Columns"/> for rows whose shop is <paramref name="rowShop"/>[row], over shops <paramref name="shopIds"/>.</summary>
    internal static AppendedValues[] Values(CausalGraphSet graphs, IReadOnlyList<string> shopIds, int[] rowShop)
    {
        var values = new List<AppendedValues> { new AppendedValues.Vectors(rowShop, shopIds.Select(id => Flatten(graphs[id])).ToArray()) };
        if (graphs.HasSameDay)
        {
            values.Add(new AppendedValues.Vectors(rowShop, shopIds.Select(id => Flatten(graphs.SameDay(id))).ToArray()));
            values.Add(new AppendedValues.Vectors(rowShop, shopIds.Select(id => Flatten(graphs.AnyLag(id))).ToArray()));
        }
        return values.ToArray();
    }

    /// <summary>One row per shop: the shop id, its graph vector and (with same-day edges) its same-day and any-lag graph vectors.</summary>
    internal static IDataView View(string shopColumnName, string graphColumnName, CausalGraphSet graphs)
    {
        var frame = new DataFrame(new StringDataFrameColumn(shopColumnName, graphs.ShopIds));
        return new AppendColumnsDataView(frame, Columns(graphColumnName, graphs.NodeNames, graphs.HasSameDay),
            () => Values(graphs, graphs.ShopIds, Enumerable.Range(0, graphs.ShopIds.Count).ToArray()));
    }

    /// <summary>
    /// Reads the graph column of <paramref name="data"/> (and its same-day column when there is one): one graph per shop
    /// (the first row of each shop), checked against the node order <paramref name="nodes"/> through the slot names.
    /// </summary>
    /// <exception cref="ArgumentException">The column is missing, of the wrong size, or its slots name other nodes.</exception>
    internal static CausalGraphSet Read(IDataView data, string shopColumnName, string graphColumnName, IReadOnlyList<string> nodes, string component)
    {
        Dictionary<string, double[,]> lagged = ReadOne(data, shopColumnName, graphColumnName, nodes, component);
        Dictionary<string, double[,]>? sameDay = data.Schema.GetColumnOrNull(SameDayName(graphColumnName)) is null ? null
            : ReadOne(data, shopColumnName, SameDayName(graphColumnName), nodes, component);
        return new CausalGraphSet(nodes, lagged, sameDay);
    }

    private static Dictionary<string, double[,]> ReadOne(IDataView data, string shopColumnName, string graphColumnName, IReadOnlyList<string> nodes, string component)
    {
        DataViewSchema.Column column = data.Schema.GetColumnOrNull(graphColumnName)
            ?? throw new ArgumentException($"{component}: the input has no graph column '{graphColumnName}'. Put a CausalGraph estimator before it, or give a graph in the options.");
        int n = nodes.Count;
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType, Size: var size } vector || vector.ItemType != NumberDataViewType.Single || size != n * n)
            throw new ArgumentException($"{component}: the graph column '{graphColumnName}' is {column.Type}; it must be a Single vector of {n * n} slots (the graph over [{string.Join(", ", nodes)}]).");
        if (column.Annotations.Schema.GetColumnOrNull(SlotNamesKind) is not null)
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            column.Annotations.GetValue(SlotNamesKind, ref names);
            string[] expected = nodes.SelectMany(from => nodes.Select(to => SlotName(from, to))).ToArray();
            string[] actual = names.DenseValues().Select(m => m.ToString()).ToArray();
            if (!actual.SequenceEqual(expected))
                throw new ArgumentException($"{component}: the graph column '{graphColumnName}' is over other nodes (its first slots: {string.Join(", ", actual.Take(4))}); this model's nodes are [{string.Join(", ", nodes)}].");
        }
        DataViewSchema.Column shop = data.Schema.GetColumnOrNull(shopColumnName) ?? throw new ArgumentException($"{component}: the input has no shop column '{shopColumnName}'.");
        var graphs = new Dictionary<string, double[,]>(StringComparer.Ordinal);
        using DataViewRowCursor cursor = data.GetRowCursor(new[] { shop, column });
        ValueGetter<VBuffer<float>> graphOf = cursor.GetGetter<VBuffer<float>>(column);
        Func<string> shopOf = PanelReader.ShopGetter(cursor, shop, component); // the same ids as the panel the graphs are matched to
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            string id = shopOf();
            if (graphs.ContainsKey(id)) continue;
            graphOf(ref buffer);
            float[] flat = buffer.DenseValues().ToArray();
            var g = new double[n, n];
            for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) g[i, j] = i == j ? 0 : Math.Clamp(flat[i * n + j], 0f, 1f);
            graphs[id] = g;
        }
        return graphs;
    }
}
