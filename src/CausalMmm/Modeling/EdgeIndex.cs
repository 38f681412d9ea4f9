using CausalMmm.Torch;

namespace CausalMmm.Modeling;

/// <summary>
/// The n(n-1) directed off-diagonal edges of an n-node graph in a fixed order (row-major over [sender, receiver]),
/// with the index tensors that move values between nodes and edges.
/// </summary>
internal sealed class EdgeIndex : IDisposable
{
    public EdgeIndex(int nodes)
    {
        NodeCount = nodes;
        var senders = new List<long>();
        var receivers = new List<long>();
        for (int i = 0; i < nodes; i++)
        for (int j = 0; j < nodes; j++)
        {
            if (i == j) continue;
            senders.Add(i);
            receivers.Add(j);
        }
        Senders = senders.ToArray();
        Receivers = receivers.ToArray();
        SenderIndex = torch.tensor(Senders).DetachFromDisposeScope();
        ReceiverIndex = torch.tensor(Receivers).DetachFromDisposeScope();
        // [n, E]: row j has a 1 at every edge whose receiver is j, so a matmul sums incoming messages.
        var incidence = new float[nodes * Senders.Length];
        for (int e = 0; e < Senders.Length; e++) incidence[Receivers[e] * Senders.Length + e] = 1;
        ReceiverIncidence = torch.tensor(incidence, new long[] { nodes, Senders.Length }).DetachFromDisposeScope();
    }

    public int NodeCount { get; }
    public int EdgeCount => Senders.Length;
    public long[] Senders { get; }
    public long[] Receivers { get; }
    public Tensor SenderIndex { get; }
    public Tensor ReceiverIndex { get; }
    public Tensor ReceiverIncidence { get; }

    /// <summary>Edge position of i -> j.</summary>
    public int Of(int sender, int receiver) => sender * (NodeCount - 1) + (receiver < sender ? receiver : receiver - 1);

    /// <summary>Per-edge values [E] laid out as an n x n matrix with zeros on the diagonal.</summary>
    public double[,] ToMatrix(ReadOnlySpan<float> edgeValues)
    {
        var m = new double[NodeCount, NodeCount];
        for (int e = 0; e < EdgeCount; e++) m[Senders[e], Receivers[e]] = edgeValues[e];
        return m;
    }

    public void Dispose()
    {
        SenderIndex.Dispose();
        ReceiverIndex.Dispose();
        ReceiverIncidence.Dispose();
    }
}
