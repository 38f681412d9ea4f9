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
/// norm, max-pooling or attention): see <see cref="EdgeEncoder"/>. With <see cref="CausalMmmOptions.EncoderGrangerScores"/>
/// each edge's Linear Granger score over the same window (<see cref="GrangerScores"/>) joins that first embedding's input.
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
    private readonly Linear? _outSameDayMediators;

    private readonly bool _grangerScores;

    public CausalRelationalEncoder(EdgeIndex edges, int window, int hidden, EdgeEncoder kind = EdgeEncoder.WindowMlp, bool grangerScores = false) : base(nameof(CausalRelationalEncoder))
    {
        _edges = edges;
        Window = window;
        _grangerScores = grangerScores;
        int extra = grangerScores ? 1 : 0;
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
            _edge1 = new Mlp(hidden + extra, hidden, hidden);
            register_module("pair_conv", _pairConvolution);
            register_module("pair_mix", _pairMixing);
            register_module("relu", _relu);
            break;
        case EdgeEncoder.WindowMlp:
            _node1 = new Mlp(window, hidden, hidden);
            _edge1 = new Mlp(2 * hidden + extra, hidden, hidden);
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
        if (edges.MediatorSameDayEdgeCount > 0)
        {
            // A mediator's same-day edges act linearly rather than through a response curve: a head of their own.
            _outSameDayMediators = nn.Linear(hidden, 2);
            register_module("out_same_day_mediators", _outSameDayMediators);
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

    /// <summary>Whether the first edge layer reads <see cref="GrangerScores"/> beside the edge's learned features.</summary>
    public bool ReadsGrangerScores => _grangerScores;

    /// <summary>history [B, W, n] (scaled) to edge logits [B, E (+ Ec same-day), 2].</summary>
    public override Tensor forward(Tensor history) => Forward(history, grangerScores: null);

    /// <summary>
    /// <see cref="forward"/> with the window's <see cref="GrangerScores"/> [B, E] already computed (they depend on the data
    /// alone, so training computes them once per shop rather than once per batch); null computes them here.
    /// </summary>
    public Tensor Forward(Tensor history, Tensor? grangerScores)
    {
        using var scope = torch.NewDisposeScope();
        Tensor first = _node1 is not null ? NodeToEdge(_node1.forward(history.transpose(1, 2))) : PairFeatures(history);
        if (_grangerScores) first = torch.cat(new[] { first, (grangerScores ?? GrangerScores(history)).unsqueeze(-1) }, -1);
        Tensor skip = _edge1.forward(first); // [B, E, H]
        Tensor nodes2 = _node2.forward(_edges.MeanIncoming(skip, 1)); // [B, n, H]
        Tensor edges2 = _edge2.forward(torch.cat(new[] { NodeToEdge(nodes2), skip }, -1));
        Tensor logits = _out.forward(edges2);
        // A same-day edge gets its own head on the embedding of the pair: a separate probability for "acts on the day".
        if (_outSameDay is not null)
        {
            Tensor pairs = edges2.index_select(1, _edges.SameDayLaggedIndex);
            logits = torch.cat(new[] { logits, _outSameDay.forward(pairs.narrow(1, 0, _edges.GivenSameDayEdgeCount)) }, 1);
            if (_outSameDayMediators is not null)
                logits = torch.cat(new[] { logits, _outSameDayMediators.forward(pairs.narrow(1, _edges.GivenSameDayEdgeCount, _edges.MediatorSameDayEdgeCount)) }, 1);
        }
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

    /// <summary>Lags of the VAR behind <see cref="GrangerScores"/>: those of the Linear Granger baseline's default.</summary>
    public const int GrangerLags = 3;

    /// <summary>The ridge penalty behind <see cref="GrangerScores"/>: that of the Linear Granger baseline's default.</summary>
    public const double GrangerRidge = 1.0;

    // Kept alive for the process: a double passed straight to a TorchSharp call becomes a temporary Scalar that the GC may
    // finalise while the native call still reads it (see Mlp), which crashed a long benchmark run here.
    // The baseline's bound: a variance at or below 1e-12 is a constant series.
    private static readonly Scalar ConstantSeries = 1e-6, Ridge = GrangerRidge;

    /// <summary>
    /// [B, W, n] to [B, E]: each shop's Linear Granger score of every lagged edge over the window the encoder reads, the
    /// score <see cref="Baselines.LinearGranger"/> gives with its defaults: the L2 norm of the sender's lag coefficients in
    /// a ridge VAR(3) of the receiver on every node's lags, all standardised over the window, with an unpenalised
    /// intercept. It is a joint, conditional read: a node's parents compete for its variance, so a parent's child that
    /// only echoes the parent scores low, which two series side by side cannot show. Standardising makes the score the
    /// same for the scaled window as for the raw series. Fixed by the data: no parameters, no gradient.
    /// </summary>
    internal Tensor GrangerScores(Tensor history)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long batch = history.size(0), n = history.size(2);
        if (RidgeVar(history, today: 0) is not { } coefficients)
            return torch.zeros(new[] { batch, (long)_edges.EdgeCount }, history.dtype, history.device).MoveToOuterDisposeScope();
        Tensor lagged = coefficients.narrow(1, 0, n * GrangerLags).reshape(batch, GrangerLags, n, n); // [B, lag, sender, receiver]
        Tensor scores = (lagged * lagged).sum(1).sqrt().reshape(batch, n * n);
        return scores.index_select(1, _edges.PairIndex).to_type(history.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [B, W, n] to [B, Ec given]: for each same-day edge from a given series (a channel), a same-day Linear Granger
    /// score: the L2 norm of the sender's coefficients at lags 0 to <see cref="GrangerLags"/> in a ridge regression of
    /// the receiver on every node's lags 1 to <see cref="GrangerLags"/> and on the given series of the same day, all
    /// standardised over the window, with an unpenalised intercept. A spend that acts on its day and carries over briefly
    /// scores by its day-0 coefficient, which the lagged score (<see cref="GrangerScores"/>) cannot see. Fixed by the
    /// data: no parameters, no gradient. Read by <see cref="GrangerPrior.LaggedAndContemporaneous"/>.
    /// </summary>
    internal Tensor SameDayScores(Tensor history) =>
        FromSameDayRegression(history, (sameDay, lagged) =>
        {
            Tensor all = torch.cat(new[] { sameDay, lagged }, 1);
            return (all * all).sum(1).sqrt();
        });

    /// <summary>
    /// [B, W, n] to [B, Ec given]: 1 where a given series' same-day coefficient outweighs its lagged ones on the receiver
    /// (squared, in the regression of <see cref="SameDayScores"/>), else 0: the edges whose effect is on the day. Read by
    /// <see cref="GrangerPrior.LaggedUnlessSameDay"/>. Fixed by the data: no parameters, no gradient.
    /// </summary>
    internal Tensor SameDayDominance(Tensor history) =>
        FromSameDayRegression(history, (sameDay, lagged) => (sameDay * sameDay).sum(1).gt((lagged * lagged).sum(1)).to_type(sameDay.dtype));

    /// <summary>
    /// Per same-day edge from a given series [B, Ec given], <paramref name="read"/> of the sender's day coefficient
    /// [B, 1, given, n] and lag coefficients [B, lag, given, n] on each receiver (giving [B, given, n]) in the ridge
    /// regression of every node on every node's lags and the day's given series; zeros when the window is too short.
    /// </summary>
    private Tensor FromSameDayRegression(Tensor history, Func<Tensor, Tensor, Tensor> read)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        int given = _edges.GivenCount, count = _edges.GivenSameDayEdgeCount;
        long batch = history.size(0), n = history.size(2);
        if (count == 0 || RidgeVar(history, today: given) is not { } coefficients)
            return torch.zeros(new[] { batch, (long)count }, history.dtype, history.device).MoveToOuterDisposeScope();
        Tensor lagged = coefficients.narrow(1, 0, n * GrangerLags).reshape(batch, GrangerLags, n, n).narrow(2, 0, given); // [B, lag, given sender, receiver]
        Tensor sameDay = coefficients.narrow(1, n * GrangerLags, given).unsqueeze(1); // [B, 1, given sender, receiver]
        Tensor scores = read(sameDay, lagged).reshape(batch, given * n);
        Tensor pairs = torch.tensor(Enumerable.Range(0, count).Select(k => _edges.SameDaySenders[k] * n + _edges.SameDayReceivers[k]).ToArray(), device: history.device);
        return scores.index_select(1, pairs).to_type(history.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The ridge VAR behind both scores, per shop over the window [B, W, n], in double precision (the Gram matrix of
    /// standardised columns is summed over the whole window): every node standardised, each regressed on every node's
    /// lags 1 to <see cref="GrangerLags"/> and on the first <paramref name="today"/> series of the same step, with an
    /// unpenalised intercept. Coefficients [B, 3n + today + 1, n]: column (lag - 1) n + i holds node i at lag `lag`,
    /// then the same-step series, then the intercept. Null when the window is too short for the lags. Its tensors belong to
    /// the caller's dispose scope; the caller holds no_grad.
    /// </summary>
    private static Tensor? RidgeVar(Tensor history, int today)
    {
        long batch = history.size(0), steps = history.size(1), n = history.size(2), rows = steps - GrangerLags;
        if (rows < 1) return null;
        long features = n * GrangerLags + today + 1;
        Tensor x = history.to_type(ScalarType.Float64);
        Tensor deviation = x.std(1, unbiased: false, keepdim: true);
        Tensor z = (x - x.mean(new long[] { 1 }, keepdim: true)) / torch.where(deviation > ConstantSeries, deviation, torch.ones_like(deviation)); // a constant series stays 0
        var columns = Enumerable.Range(1, GrangerLags).Select(lag => z.narrow(1, GrangerLags - lag, rows));
        if (today > 0) columns = columns.Append(z.narrow(1, GrangerLags, rows).narrow(2, 0, today));
        Tensor design = torch.cat(columns.Append(torch.ones(new[] { batch, rows, 1L }, x.dtype, x.device)).ToArray(), 2); // [B, rows, features]
        Tensor designT = design.transpose(1, 2);
        Tensor penalty = torch.cat(new[] { torch.full(new[] { features - 1 }, Ridge, x.dtype, x.device), torch.zeros(new[] { 1L }, x.dtype, x.device) });
        Tensor gram = designT.matmul(design) + torch.diag(penalty);
        return torch.linalg.solve(gram, designT.matmul(z.narrow(1, GrangerLags, rows))); // [B, features, n]
    }

    private Tensor NodeToEdge(Tensor nodes) =>
        torch.cat(new[] { nodes.index_select(1, _edges.SenderIndex), nodes.index_select(1, _edges.ReceiverIndex) }, -1);
}
