using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// q(z | X, y): embeds each directed edge from the history window, passes edge -> node -> edge messages with a
/// skip connection from the first edge embedding, and returns two logits per directed edge (no-edge, edge), as in the
/// paper's section 3.1 and NRI's encoders. The first edge embedding comes either from the two nodes' whole windows, each
/// embedded alone by an MLP (the reference's encoder), or from a convolution over the pair's two series averaged over
/// time (a simplified NRI convolutional encoder: one kernel-5 and one pointwise convolution, mean-pooled; no batch
/// norm, max-pooling or attention): see <see cref="EdgeEncoder"/>.
/// </summary>
internal sealed class CausalRelationalEncoder : nn.Module<Tensor, Tensor>
{
    private readonly EdgeIndex _edges;
    private readonly Mlp? _node1;
    private readonly Linear? _pairConvolution;
    private readonly Linear? _pairMixing;
    private readonly ReLU? _relu;
    private readonly Mlp _edge1;
    private readonly Mlp _node2;
    private readonly Mlp _edge2;
    private readonly Linear _out;
    private readonly Linear? _outSameDay;

    public CausalRelationalEncoder(EdgeIndex edges, int window, int hidden, EdgeEncoder kind = EdgeEncoder.WindowMlp) : base(nameof(CausalRelationalEncoder))
    {
        _edges = edges;
        Window = window;
        switch (kind)
        {
        case EdgeEncoder.PairConvolution:
            // Callers check this first with a message in terms of their options; this guards the layer itself.
            if (window < PairKernel)
                throw new ArgumentException($"The pair-convolution encoder reads at least {PairKernel} steps; the encoder window is {window}. Use a longer EncoderWindow or Encoder = WindowMlp.", nameof(window));
            // A convolution written as a Linear over unfolded windows: the same map and initialisation as nn.Conv1d, whose
            // constructor left one tensor undisposed per layer in TorchSharp 0.107 (the no-tensor-outlives test caught it).
            _pairConvolution = nn.Linear(2 * PairKernel, hidden);
            _pairMixing = nn.Linear(hidden, hidden);
            _relu = nn.ReLU();
            _edge1 = new Mlp(hidden, hidden, hidden);
            register_module("pair_conv", _pairConvolution);
            register_module("pair_mix", _pairMixing);
            register_module("relu", _relu);
            break;
        case EdgeEncoder.WindowMlp:
            _node1 = new Mlp(window, hidden, hidden);
            _edge1 = new Mlp(2 * hidden, hidden, hidden);
            register_module("node_embedding", _node1);
            break;
        default:
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown edge encoder; use one of {string.Join(", ", Enum.GetNames<EdgeEncoder>())}.");
        }
        _node2 = new Mlp(hidden, hidden, hidden);
        _edge2 = new Mlp(3 * hidden, hidden, hidden);
        _out = nn.Linear(hidden, 2);
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

    /// <summary>Steps the pair convolution spans: a sender's effect at lags 0-4 lines up with the receiver inside one kernel.</summary>
    public const int PairKernel = 5;

    /// <summary>
    /// Whether a network built from <paramref name="options"/> has a pair-convolution encoder, and so needs a window of at
    /// least <see cref="PairKernel"/> steps: a <see cref="CausalMmmVariant.FullGraph"/> network has no encoder at all.
    /// </summary>
    internal static bool ReadsPairs(CausalMmmOptions options) =>
        options.Variant != CausalMmmVariant.FullGraph && options.Encoder == EdgeEncoder.PairConvolution;

    /// <summary>History steps per node that the encoder reads.</summary>
    public int Window { get; }

    /// <summary>history [B, W, n] (scaled) to edge logits [B, E (+ Ec same-day), 2].</summary>
    public override Tensor forward(Tensor history)
    {
        using var scope = torch.NewDisposeScope();
        Tensor skip = _edge1.forward(_node1 is not null ? NodeToEdge(_node1.forward(history.transpose(1, 2))) : PairFeatures(history)); // [B, E, H]
        Tensor nodes2 = _node2.forward(_edges.MeanIncoming(skip, 1)); // [B, n, H]
        Tensor edges2 = _edge2.forward(torch.cat(new[] { NodeToEdge(nodes2), skip }, -1));
        Tensor logits = _out.forward(edges2);
        // A same-day edge gets its own head on the embedding of the pair: a separate probability for "acts on the day".
        if (_outSameDay is not null) logits = torch.cat(new[] { logits, _outSameDay.forward(edges2.index_select(1, _edges.SameDayLaggedIndex)) }, 1);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>[B, W, n] to [B, E, H]: the convolution over each edge's (sender, receiver) series, averaged over time.</summary>
    internal Tensor PairFeatures(Tensor history)
    {
        using var scope = torch.NewDisposeScope();
        long batch = history.size(0), steps = history.size(1);
        Tensor series = history.transpose(1, 2); // [B, n, W]
        Tensor pairs = torch.stack(new[] { series.index_select(1, _edges.SenderIndex), series.index_select(1, _edges.ReceiverIndex) }, 2); // [B, E, 2, W]
        long edgeCount = pairs.size(1);
        // [B, E, 2, W - k + 1, k] -> [B, E, W - k + 1, 2k]: each position's two k-step windows, channel-major as Conv1d reads them.
        Tensor windows = pairs.unfold(3, PairKernel, 1).permute(0, 1, 3, 2, 4).reshape(batch, edgeCount, steps - PairKernel + 1, 2 * PairKernel);
        Tensor h = _relu!.forward(_pairConvolution!.forward(windows));
        h = _relu.forward(_pairMixing!.forward(h)).mean(new long[] { 2 }); // [B, E, H]
        return h.MoveToOuterDisposeScope();
    }

    private Tensor NodeToEdge(Tensor nodes) =>
        torch.cat(new[] { nodes.index_select(1, _edges.SenderIndex), nodes.index_select(1, _edges.ReceiverIndex) }, -1);
}
