using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// q(z | X, y): embeds each node's history window, passes node -> edge -> node -> edge messages with a
/// skip connection from the first edge embedding, and returns two logits per directed edge
/// (no-edge, edge), as in the paper's section 3.1 and the NRI-style reference encoder.
/// </summary>
internal sealed class CausalRelationalEncoder : nn.Module<Tensor, Tensor>
{
    private readonly EdgeIndex _edges;
    private readonly Mlp _node1;
    private readonly Mlp _edge1;
    private readonly Mlp _node2;
    private readonly Mlp _edge2;
    private readonly Linear _out;
    private readonly Linear? _outSameDay;

    public CausalRelationalEncoder(EdgeIndex edges, int window, int hidden) : base(nameof(CausalRelationalEncoder))
    {
        _edges = edges;
        Window = window;
        _node1 = new Mlp(window, hidden, hidden);
        _edge1 = new Mlp(2 * hidden, hidden, hidden);
        _node2 = new Mlp(hidden, hidden, hidden);
        _edge2 = new Mlp(3 * hidden, hidden, hidden);
        _out = nn.Linear(hidden, 2);
        register_module("node_embedding", _node1);
        register_module("edge1", _edge1);
        register_module("vertex1", _node2);
        register_module("edge2", _edge2);
        register_module("out", _out);
        if (edges.SameDayEdgeCount > 0)
        {
            _outSameDay = nn.Linear(hidden, 2);
            register_module("out_same_day", _outSameDay);
        }
    }

    /// <summary>History steps per node that the encoder reads.</summary>
    public int Window { get; }

    /// <summary>history [B, W, n] (scaled) to edge logits [B, E (+ Ec same-day), 2].</summary>
    public override Tensor forward(Tensor history)
    {
        using var scope = torch.NewDisposeScope();
        Tensor nodes = _node1.forward(history.transpose(1, 2)); // [B, n, H]
        Tensor skip = _edge1.forward(NodeToEdge(nodes)); // [B, E, H]
        Tensor nodes2 = _node2.forward(_edges.MeanIncoming(skip, 1)); // [B, n, H]
        Tensor edges2 = _edge2.forward(torch.cat(new[] { NodeToEdge(nodes2), skip }, -1));
        Tensor logits = _out.forward(edges2);
        // A same-day edge gets its own head on the embedding of the pair: a separate probability for "acts on the day".
        if (_outSameDay is not null) logits = torch.cat(new[] { logits, _outSameDay.forward(edges2.index_select(1, _edges.SameDayLaggedIndex)) }, 1);
        return logits.MoveToOuterDisposeScope();
    }

    private Tensor NodeToEdge(Tensor nodes) =>
        torch.cat(new[] { nodes.index_select(1, _edges.SenderIndex), nodes.index_select(1, _edges.ReceiverIndex) }, -1);
}
