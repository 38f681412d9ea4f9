using CausalMmm.Torch;
using CausalMmm.Torch.Modules;

namespace CausalMmm.Modeling;

/// <summary>
/// q(z | X, y): embeds each node's history window, passes node -> edge -> node -> edge messages with a
/// skip connection from the first edge embedding, and returns two logits per directed edge
/// (no-edge, edge), as in the paper's section 3.1 and the NRI-style reference encoder.
/// </summary>
internal sealed class CausalRelationalEncoder : Module<Tensor, Tensor>
{
    private readonly EdgeIndex _edges;
    private readonly Mlp _node1;
    private readonly Mlp _edge1;
    private readonly Mlp _node2;
    private readonly Mlp _edge2;
    private readonly Linear _out;

    public CausalRelationalEncoder(EdgeIndex edges, int window, int hidden)
    {
        _edges = edges;
        Window = window;
        _node1 = RegisterModule("node_embedding", new Mlp(window, hidden, hidden));
        _edge1 = RegisterModule("edge1", new Mlp(2 * hidden, hidden, hidden));
        _node2 = RegisterModule("vertex1", new Mlp(hidden, hidden, hidden));
        _edge2 = RegisterModule("edge2", new Mlp(3 * hidden, hidden, hidden));
        _out = RegisterModule("out", new Linear(hidden, 2));
    }

    /// <summary>History steps per node that the encoder reads.</summary>
    public int Window { get; }

    /// <summary>history [B, W, n] (scaled) to edge logits [B, E, 2].</summary>
    public override Tensor forward(Tensor history)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor nodes = _node1.forward(history.transpose(1, 2)); // [B, n, H]
        Tensor pairs = NodeToEdge(nodes);
        Tensor skip = _edge1.forward(pairs); // [B, E, H]
        Tensor incoming = _edges.MeanIncoming(skip, 1); // [B, n, H]
        Tensor nodes2 = _node2.forward(incoming);
        Tensor edges2 = _edge2.forward(torch.cat(new[] { NodeToEdge(nodes2), skip }, -1));
        return _out.forward(edges2).MoveToOuterDisposeScope();
    }

    private Tensor NodeToEdge(Tensor nodes) =>
        torch.cat(new[] { nodes.index_select(1, _edges.SenderIndex), nodes.index_select(1, _edges.ReceiverIndex) }, -1);
}
