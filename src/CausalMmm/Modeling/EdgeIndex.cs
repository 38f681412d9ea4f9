using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// The n(n-1) directed off-diagonal lagged edges of an n-node graph, grouped by receiver (all edges into node 0,
/// then into node 1, ...), so that averaging a node's incoming messages is a reshape to [.., n, n-1, ..] and a
/// mean, with no scatter or incidence matmul. With same-day edges, also the C x (n - C) edges from each of the first C
/// (given) nodes to each other node, grouped by receiver, which follow the lagged ones in every edge tensor; and, with
/// same-day mediator edges, after those the edges from each mediator to every later mediator and to the target (node
/// order: given series, mediators in schema order, target), grouped by receiver. Every same-day edge goes from a lower
/// node index to a higher one, so the same-day graph is acyclic whatever weights it carries.
/// </summary>
internal sealed class EdgeIndex : IDisposable
{
    public EdgeIndex(int nodes, int givenCount = 0, bool sameDay = false, bool sameDayMediators = false)
    {
        NodeCount = nodes;
        var senders = new List<long>();
        var receivers = new List<long>();
        for (int j = 0; j < nodes; j++)
        for (int i = 0; i < nodes; i++)
        {
            if (i == j) continue;
            senders.Add(i);
            receivers.Add(j);
        }
        Senders = senders.ToArray();
        Receivers = receivers.ToArray();
        SenderIndex = torch.tensor(Senders).DetachFromDisposeScope();
        ReceiverIndex = torch.tensor(Receivers).DetachFromDisposeScope();
        PairIndex = torch.tensor(Senders.Select((i, e) => i * nodes + Receivers[e]).ToArray()).DetachFromDisposeScope();
        GivenCount = givenCount;
        var sameSenders = new List<long>();
        var sameReceivers = new List<long>();
        if (sameDay)
        {
            for (int j = givenCount; j < nodes; j++)
            for (int i = 0; i < givenCount; i++)
            {
                sameSenders.Add(i);
                sameReceivers.Add(j);
            }
        }
        GivenSameDayEdgeCount = sameSenders.Count;
        if (sameDay && sameDayMediators)
        {
            // Receivers after the first mediator, each from every mediator before it: all i < j with i, j past the given series.
            for (int j = givenCount + 1; j < nodes; j++)
            for (int i = givenCount; i < j; i++)
            {
                sameSenders.Add(i);
                sameReceivers.Add(j);
            }
        }
        SameDaySenders = sameSenders.ToArray();
        SameDayReceivers = sameReceivers.ToArray();
        // The encoder scores a same-day edge i -> j from the embedding of the lagged edge i -> j.
        SameDayLaggedIndex = torch.tensor(SameDaySenders.Select((i, k) => (long)Of((int)i, (int)SameDayReceivers[k])).ToArray()).DetachFromDisposeScope();
        SameDaySenderIndex = torch.tensor(SameDaySenders.Take(GivenSameDayEdgeCount).ToArray()).DetachFromDisposeScope();
        MediatorSenderIndex = torch.tensor(SameDaySenders.Skip(GivenSameDayEdgeCount).ToArray()).DetachFromDisposeScope();
        MediatorReceiverIndex = torch.tensor(SameDayReceivers.Skip(GivenSameDayEdgeCount).ToArray()).DetachFromDisposeScope();
    }

    /// <summary>The first nodes are given (channels and covariates): they send same-day messages and receive none.</summary>
    public int GivenCount { get; }

    /// <summary>Number of same-day edges (0 without them): those from given series, then those from mediators.</summary>
    public int SameDayEdgeCount => SameDaySenders.Length;

    /// <summary>Number of same-day edges from a given series to a mediator or the target (the first block of same-day edges).</summary>
    public int GivenSameDayEdgeCount { get; }

    /// <summary>Number of same-day edges from a mediator to a later mediator or the target (the second block; 0 without them).</summary>
    public int MediatorSameDayEdgeCount => SameDayEdgeCount - GivenSameDayEdgeCount;

    /// <summary>Lagged plus same-day edges: the width of every edge-weight tensor.</summary>
    public int TotalEdgeCount => EdgeCount + SameDayEdgeCount;

    public long[] SameDaySenders { get; }
    public long[] SameDayReceivers { get; }

    /// <summary>For each same-day edge, the position of the lagged edge between the same two nodes.</summary>
    public Tensor SameDayLaggedIndex { get; private set; }

    /// <summary>For each same-day edge from a given series, its sender's node index (a tensor, for gathering the senders' series).</summary>
    public Tensor SameDaySenderIndex { get; private set; }

    /// <summary>For each same-day mediator edge, its sender's node index.</summary>
    public Tensor MediatorSenderIndex { get; private set; }

    /// <summary>For each same-day mediator edge, its receiver's node index.</summary>
    public Tensor MediatorReceiverIndex { get; private set; }

    public int NodeCount { get; }
    public int EdgeCount => Senders.Length;
    public long[] Senders { get; }
    public long[] Receivers { get; }
    public Tensor SenderIndex { get; private set; }
    public Tensor ReceiverIndex { get; private set; }

    /// <summary>For each lagged edge i -> j, the flat position i n + j of a row-major n x n matrix (a tensor, for gathering).</summary>
    public Tensor PairIndex { get; private set; }

    /// <summary>Moves the index tensors to <paramref name="device"/> (they are not module state, so Module.to misses them).</summary>
    public void MoveTo(Device device)
    {
        if (SenderIndex.device.type == device.type && SenderIndex.device.index == device.index) return;
        Tensor senders = SenderIndex.to(device).DetachFromDisposeScope(), receivers = ReceiverIndex.to(device).DetachFromDisposeScope();
        Tensor sameDay = SameDayLaggedIndex.to(device).DetachFromDisposeScope(), sameDaySenders = SameDaySenderIndex.to(device).DetachFromDisposeScope();
        Tensor pairs = PairIndex.to(device).DetachFromDisposeScope();
        Tensor mediatorSenders = MediatorSenderIndex.to(device).DetachFromDisposeScope(), mediatorReceivers = MediatorReceiverIndex.to(device).DetachFromDisposeScope();
        MediatorSenderIndex.Dispose();
        MediatorReceiverIndex.Dispose();
        MediatorSenderIndex = mediatorSenders;
        MediatorReceiverIndex = mediatorReceivers;
        SenderIndex.Dispose();
        ReceiverIndex.Dispose();
        PairIndex.Dispose();
        PairIndex = pairs;
        SameDayLaggedIndex.Dispose();
        SameDaySenderIndex.Dispose();
        SenderIndex = senders;
        ReceiverIndex = receivers;
        SameDayLaggedIndex = sameDay;
        SameDaySenderIndex = sameDaySenders;
    }

    /// <summary>Edge position of i -> j.</summary>
    public int Of(int sender, int receiver) => receiver * (NodeCount - 1) + (sender < receiver ? sender : sender - 1);

    /// <summary>
    /// True when same-day edge <paramref name="sameDayEdge"/> (its position among the same-day edges) goes out of one of
    /// the last <paramref name="covariates"/> given series, the covariates known in advance.
    /// </summary>
    public bool IsFromCovariate(int sameDayEdge, int covariates) =>
        covariates > 0 && sameDayEdge >= 0 && sameDayEdge < GivenSameDayEdgeCount && SameDaySenders[sameDayEdge] >= GivenCount - covariates;

    /// <summary>
    /// Positions among all edges (lagged first) of the same-day edges out of the last <paramref name="covariates"/> given
    /// series (<see cref="IsFromCovariate"/>).
    /// </summary>
    public long[] CovariateSameDayPositions(int covariates) =>
        Enumerable.Range(0, GivenSameDayEdgeCount).Where(e => IsFromCovariate(e, covariates)).Select(e => (long)(EdgeCount + e)).ToArray();

    /// <summary>Position of the same-day edge from given series <paramref name="sender"/> to <paramref name="receiver"/> within the same-day edges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such same-day edge.</exception>
    public int SameDayOf(int sender, int receiver) => GivenSameDayEdgeCount > 0 && sender >= 0 && sender < GivenCount && receiver >= GivenCount && receiver < NodeCount
        ? (receiver - GivenCount) * GivenCount + sender
        : throw new ArgumentOutOfRangeException(nameof(sender), $"There is no same-day edge {sender} -> {receiver}.");

    /// <summary>
    /// For rows whose given series <paramref name="senders"/>[r] is marked, 1 on that series' own edges into
    /// <paramref name="receiver"/> and 0 elsewhere: the lagged edges [R * E] and the given series' same-day edges
    /// [R * Ec given] (null without same-day edges). What a path-specific (direct) effect replaces.
    /// </summary>
    public (float[] Lagged, float[]? SameDay) DirectEdgeMasks(IReadOnlyList<int> senders, int receiver)
    {
        var lagged = new float[senders.Count * EdgeCount];
        float[]? sameDay = GivenSameDayEdgeCount > 0 ? new float[senders.Count * GivenSameDayEdgeCount] : null;
        for (int r = 0; r < senders.Count; r++)
        {
            lagged[r * EdgeCount + Of(senders[r], receiver)] = 1;
            if (sameDay is not null) sameDay[r * GivenSameDayEdgeCount + SameDayOf(senders[r], receiver)] = 1;
        }
        return (lagged, sameDay);
    }

    /// <summary>The mean of the incoming edge features per node: [..., E, H] along <paramref name="edgeDim"/> to [..., n, H].</summary>
    public Tensor MeanIncoming(Tensor edgeFeatures, int edgeDim)
    {
        long[] shape = edgeFeatures.shape;
        int dim = edgeDim < 0 ? edgeDim + shape.Length : edgeDim;
        var grouped = new List<long>(shape[..dim]) { NodeCount, NodeCount - 1 };
        grouped.AddRange(shape[(dim + 1)..]);
        using Tensor view = edgeFeatures.reshape(grouped.ToArray());
        return view.mean(new long[] { dim + 1 });
    }

    /// <summary>Per-edge values [E] laid out as an n x n matrix with zeros on the diagonal.</summary>
    public double[,] ToMatrix(ReadOnlySpan<float> edgeValues)
    {
        var m = new double[NodeCount, NodeCount];
        for (int e = 0; e < EdgeCount; e++) m[Senders[e], Receivers[e]] = edgeValues[e];
        return m;
    }

    /// <summary>Per-same-day-edge values [Ec] laid out as an n x n matrix (zero where there is no same-day edge).</summary>
    public double[,] SameDayToMatrix(ReadOnlySpan<float> edgeValues)
    {
        var m = new double[NodeCount, NodeCount];
        for (int e = 0; e < SameDayEdgeCount; e++) m[SameDaySenders[e], SameDayReceivers[e]] = edgeValues[e];
        return m;
    }

    public void Dispose()
    {
        SenderIndex.Dispose();
        ReceiverIndex.Dispose();
        PairIndex.Dispose();
        SameDayLaggedIndex.Dispose();
        SameDaySenderIndex.Dispose();
        MediatorSenderIndex.Dispose();
        MediatorReceiverIndex.Dispose();
    }
}
