using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>The encoder and decoder together, with the edge bookkeeping they share.</summary>
internal sealed class CausalMmmNetwork : nn.Module
{
    public CausalMmmNetwork(int nodes, int givenCount, int window, int contextCount, CausalMmmOptions options, int shopCount = 0, int seasonalCount = 0, bool trend = false) : base(nameof(CausalMmmNetwork))
    {
        Edges = new EdgeIndex(nodes, givenCount, options.SameDayMedia, options.SameDayMediators);
        Variant = options.Variant;
        if (Variant != CausalMmmVariant.FullGraph)
        {
            Encoder = new CausalRelationalEncoder(Edges, window, options.HiddenSize, options.Encoder, options.EncoderGrangerScores);
            register_module("encoder", Encoder);
        }
        Decoder = new MarketingResponseDecoder(Edges, contextCount, options);
        register_module("decoder", Decoder);
        if (seasonalCount > 0)
        {
            SeasonalWeights = nn.Parameter(torch.zeros(new long[] { seasonalCount, nodes - givenCount }));
            register_parameter("seasonal", SeasonalWeights);
        }
        if (trend && shopCount > 0)
        {
            TrendSlopes = nn.Parameter(torch.zeros(new long[] { shopCount, nodes - givenCount }));
            register_parameter("trend", TrendSlopes);
        }
        if (options.CalibrateEdges && Variant == CausalMmmVariant.FullGraph && Edges.GivenSameDayEdgeCount > 0)
        {
            // Slope (through softplus, starting at 1) and shift of the calibration: the identity to begin with.
            EdgeCalibration = nn.Parameter(torch.tensor(new[] { (float)Math.Log(Math.E - 1), 0f }));
            register_parameter("edge_calibration", EdgeCalibration);
        }
        if (options.ShopGains && Edges.SameDayEdgeCount > 0 && shopCount > 0)
        {
            ShopGainLogs = nn.Parameter(torch.zeros(new long[] { shopCount, Edges.SameDayEdgeCount }));
            register_parameter("shop_gains", ShopGainLogs);
        }
    }

    /// <summary>
    /// Per calendar feature and receiving node (mediators, then the target), the weight of the feature in the node's
    /// seasonal baseline on the scaled series [F, n - given]; null without seasonal terms. Starts at zero: no season.
    /// </summary>
    public Parameter? SeasonalWeights { get; }

    /// <summary>
    /// Each node's seasonal baseline [T, n] on the scaled series at the dates whose calendar features are
    /// <paramref name="calendar"/> [T, F] (zero for the given series), or null without seasonal terms. The same for every
    /// shop: the series are scaled per shop, and an additive pattern shared on that scale measured better on held-out days
    /// than one multiplied by each shop's level (docs/benchmarks.md).
    /// </summary>
    public Tensor? SeasonalTerms(Tensor? calendar)
    {
        if (SeasonalWeights is null || calendar is null) return null;
        using var scope = torch.NewDisposeScope();
        Tensor received = calendar.to(SeasonalWeights.device).matmul(SeasonalWeights); // [T, receivers]
        Tensor given = torch.zeros(new[] { calendar.size(0), (long)Edges.GivenCount }, received.dtype, received.device);
        return torch.cat(new[] { given, received }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per training shop and receiving node (mediators, then the target), the slope of the shop's linear trend on the
    /// scaled series [S, n - given] (<see cref="CausalMmmOptions.Trend"/>); null without a trend. Starts at zero: no trend.
    /// </summary>
    public Parameter? TrendSlopes { get; }

    /// <summary>Per-receiver values [R, n - given] widened to every node [R, n], zero for the given series.</summary>
    public Tensor WithGivenZeros(Tensor receivers) =>
        torch.cat(new[] { torch.zeros(new[] { receivers.size(0), (long)Edges.GivenCount }, receivers.dtype, receivers.device), receivers }, 1);

    /// <summary>
    /// The baseline the decoder works around over a window's steps and the one after [B or 1, T + 1, n]: the seasonal
    /// terms [T + 1, n] plus each shop's trend line [B, T + 1, n]; null with neither. The decoder reads the series less
    /// entries 0..T-1, and the mean predicting step t + 1 gets entry t + 1 back.
    /// </summary>
    public static Tensor? Baseline(Tensor? seasonal, Tensor? line) =>
        seasonal is null ? line : line is null ? seasonal.unsqueeze(0) : line + seasonal.unsqueeze(0);

    /// <summary>Per training shop and same-day edge, the log of the shop's multiplier of the edge's effect [S, Ec]; null without shop gains.</summary>
    public Parameter? ShopGainLogs { get; }

    /// <summary>
    /// Edge weights [R, E + Ec] with each row's same-day part multiplied by <paramref name="gains"/> [R, Ec] (the shop's
    /// multipliers), after the given series' same-day edges pass through <see cref="EdgeCalibration"/> where there is one:
    /// what the decoder reads. Unchanged without gains or calibration.
    /// </summary>
    public Tensor Weighted(Tensor edges, Tensor? gains)
    {
        if ((gains is null && EdgeCalibration is null) || Edges.SameDayEdgeCount == 0) return edges;
        using var scope = torch.NewDisposeScope();
        Tensor sameDay = edges.narrow(1, Edges.EdgeCount, Edges.SameDayEdgeCount);
        if (EdgeCalibration is not null)
        {
            int given = Edges.GivenSameDayEdgeCount;
            Tensor p = sameDay.narrow(1, 0, given).clamp(ProbabilityFloor, ProbabilityCeiling);
            Tensor logit = (p / (One - p)).log();
            Tensor calibrated = (Activations.Softplus(EdgeCalibration.narrow(0, 0, 1)) * logit + EdgeCalibration.narrow(0, 1, 1)).sigmoid(); // see EdgeCalibrationMap
            sameDay = given == Edges.SameDayEdgeCount ? calibrated : torch.cat(new[] { calibrated, sameDay.narrow(1, given, Edges.SameDayEdgeCount - given) }, 1);
        }
        if (gains is not null) sameDay = sameDay * gains;
        return torch.cat(new[] { edges.narrow(1, 0, Edges.EdgeCount), sameDay }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// With <see cref="CausalMmmOptions.CalibrateEdges"/> on a network without an encoder (the forecaster on fixed edges),
    /// the learned map sigmoid(a logit p + b) of the given series' same-day edge probabilities, stored as [raw a, b] with
    /// a = softplus(raw a); null otherwise.
    /// </summary>
    public Parameter? EdgeCalibration { get; }

    /// <summary>The calibration's slope a and shift b (<see cref="EdgeCalibration"/>), or null without one.</summary>
    public (double Slope, double Shift)? EdgeCalibrationMap()
    {
        if (EdgeCalibration is null) return null;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        float[] map = torch.cat(new[] { Activations.Softplus(EdgeCalibration.narrow(0, 0, 1)), EdgeCalibration.narrow(0, 1, 1) }).cpu().data<float>().ToArray();
        return (map[0], map[1]);
    }

    // Held for the process: a number passed straight to a TorchSharp call becomes a temporary Scalar the GC may free during the call.
    private static readonly Scalar ProbabilityFloor = 1e-4, ProbabilityCeiling = 1 - 1e-4, One = 1.0;

    public EdgeIndex Edges { get; }

    public CausalMmmVariant Variant { get; }

    public CausalRelationalEncoder? Encoder { get; }

    public MarketingResponseDecoder Decoder { get; }

    /// <summary>Where the parameters live.</summary>
    public Device Device => parameters().First().device;

    /// <summary>Moves parameters, buffers and the edge indexes to <paramref name="device"/>.</summary>
    public void MoveTo(Device device)
    {
        this.to(device);
        Edges.MoveTo(device);
    }

    /// <summary>Edge logits [B, E (+ Ec), 2] from a scaled history window [B, W, n]; null for CM-FULL.</summary>
    /// <remarks><paramref name="grangerScores"/>: the window's <see cref="CausalRelationalEncoder.GrangerScores"/>, when already computed.</remarks>
    public Tensor? EdgeLogits(Tensor window, Tensor? grangerScores = null) => Encoder?.Forward(window, grangerScores);

    /// <summary>The Granger scores [B, E] the encoder reads from <paramref name="window"/>, or null when it reads none.</summary>
    public Tensor? GrangerScores(Tensor window) => Encoder is { ReadsGrangerScores: true } encoder ? encoder.GrangerScores(window) : null;

    /// <summary>
    /// What the <see cref="CausalMmmOptions.GrangerPrior"/> reads beside the lagged scores [B, Ec given]: the same-day
    /// scores, or for <see cref="GrangerPrior.LaggedUnlessSameDay"/> which given series act on the day; null for the others.
    /// </summary>
    public Tensor? SameDayPriorInput(GrangerPrior kind, Tensor window) =>
        Encoder is not { ReadsGrangerScores: true } encoder || Edges.GivenSameDayEdgeCount == 0 ? null
        : kind switch
        {
            GrangerPrior.LaggedAndContemporaneous => encoder.SameDayScores(window),
            GrangerPrior.LaggedUnlessSameDay => encoder.SameDayDominance(window),
            _ => null,
        };

    /// <summary>Edge probabilities [B, E (+ Ec)]: softmax of the logits, or all ones for CM-FULL.</summary>
    public Tensor EdgeProbabilities(Tensor window)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? logits = EdgeLogits(window);
        Tensor p = logits is null
            ? torch.ones(new[] { window.size(0), (long)Edges.TotalEdgeCount }, window.dtype, window.device)
            : logits.softmax(-1).narrow(-1, 1, 1).squeeze(-1);
        return p.MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Edges.Dispose();
        base.Dispose(disposing);
    }
}
