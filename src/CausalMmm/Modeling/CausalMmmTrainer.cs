using System.Diagnostics;
using CausalMmm.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// Fits CausalMMM by minimising the negative ELBO: Gaussian NLL of the teacher-forced one-step means plus
/// lambda * KL(q(z) || sparse prior), with Gumbel-softmax edge samples, batched over shops, Adam with StepLR,
/// gradient clipping, a held-out validation split with early stopping, a progress callback and cancellation.
/// </summary>
public static class CausalMmmTrainer
{
    /// <summary>Trains on every step of <paramref name="train"/> (the encoder window is its length unless the options set one).</summary>
    /// <exception cref="ArgumentException">An option is out of range or the panel is too short.</exception>
    /// <exception cref="TrainingDivergedException">A loss or gradient became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static CausalMmmModel Fit(NumericPanel train, CausalMmmOptions? options = null, Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default) => Fit(train, options, fixedEdges: null, progress, cancellationToken);

    /// <summary>
    /// Trains with the edges of every shop fixed (<paramref name="fixedEdges"/>[shop] holds the n(n-1) off-diagonal
    /// weights in <see cref="EdgeIndex"/> order): only the decoder is learned. Null trains the full model.
    /// </summary>
    internal static CausalMmmModel Fit(NumericPanel train, CausalMmmOptions? options, float[][]? fixedEdges, Action<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new CausalMmmOptions()) with { };
        if (fixedEdges is not null) options.Variant = CausalMmmVariant.FullGraph; // no encoder to learn
        options.Validate();
        int window = options.EncoderWindow ?? train.Length;
        if (window > train.Length)
            throw new ArgumentException($"EncoderWindow {window} is longer than the training panel ({train.Length} steps).", nameof(options));
        if (CausalRelationalEncoder.ReadsPairs(options) && window < CausalRelationalEncoder.PairKernel)
            throw new ArgumentException(options.EncoderWindow is not null
                ? $"EncoderWindow is {window}, but the pair-convolution encoder reads at least {CausalRelationalEncoder.PairKernel} steps: set EncoderWindow to {CausalRelationalEncoder.PairKernel} or more, or Encoder = WindowMlp."
                : $"The training panel has {window} steps, but the pair-convolution encoder reads at least {CausalRelationalEncoder.PairKernel}: give a longer panel, or set Encoder = WindowMlp.",
                nameof(CausalMmmOptions.EncoderWindow));
        int start = train.Length - window;

        var random = new Random(options.Seed);
        (double[] contextMean, double[] contextScale) = ContextStandardisation(train);
        SeasonalTerms? seasonal = SeasonalTerms.Choose(train, window, options.Seasonality);
        // A trend's time axis starts at the training window's first date; an undated panel gets none.
        // Left to the data, the trend follows the training window's target (see CausalMmmOptions.Trend); the model keeps the choice.
        double? trendShare = options.Trend is null && train.Dates is not null ? LinearTrend.MedianTargetTrendShare(train, start, window) : null;
        options.Trend = options.Trend ?? trendShare >= CausalMmmOptions.Defaults.TrendShareThreshold;
        DateOnly? trendStart = options.Trend == true ? train.DateOf(start) : null;
        options.CovariateSenders = train.CovariateCount;
        // A covariate that lowers the target enters reflected (see CausalMmmOptions.ReflectCovariates); the model keeps the choice.
        double[]? covariateCorrelations = options.ReflectCovariates && options.Scaling == ScalingMethod.MinMax && train.CovariateCount > 0
            ? CovariateCorrelations(train, start, window) : null;
        options.ReflectedCovariates = covariateCorrelations is null ? null : Reflected(covariateCorrelations);
        // Signed signals rather than spend: the edge prior ranked by Linear Granger (see CausalMmmOptions.SignedSignals). Only
        // a fit with an encoder, Granger scores and no prior of the user's own has the choice to make.
        bool choosesPrior = fixedEdges is null && options.Variant != CausalMmmVariant.FullGraph && options.GrangerPrior == GrangerPrior.None && options.EncoderGrangerScores;
        double? negativeShare = choosesPrior && options.SignedSignals is null ? NegativeChannelShare(train, start, window) : null;
        if (choosesPrior && (options.SignedSignals ?? negativeShare >= CausalMmmOptions.Defaults.SignedChannelShare) == true)
            options.GrangerPrior = CausalMmmOptions.SignedSignalsPrior;
        CausalMmmModel model = CausalMmmModel.Create(options, train.NodeNames, train.ChannelCount, train.ContextNames, contextMean, contextScale, window, train.ShopIds, seasonal, trendStart);
        Dictionary<string, Tensor>? bestState = null; // detached copies of the best epoch's weights, freed however training ends
        try
        {
            int[] order = Enumerable.Range(0, train.ShopCount).OrderBy(_ => random.Next()).ToArray();
            if (options.ValidationFraction > 0 && train.ShopCount < 2)
                throw new ArgumentException($"ValidationFraction {options.ValidationFraction} holds out whole shops, but the panel has one shop: set it to 0, or give more shops.", nameof(options));
            int validationCount = options.ValidationFraction > 0 && train.ShopCount > 1
                ? Math.Clamp((int)Math.Round(train.ShopCount * options.ValidationFraction), 1, train.ShopCount - 1) : 0;
            int[] validationShops = order.Take(validationCount).Order().ToArray();
            int[] trainShops = order.Skip(validationCount).Order().ToArray();

            using DisposeScope dataScope = torch.NewDisposeScope();
            Device device = TorchDevices.Parse(options.Device, nameof(CausalMmmOptions.Device));
            if (device.type != DeviceType.CPU) model.Network.MoveTo(device);
            // Gumbel noise comes from this fit's own generator, so concurrent fits do not draw from each other's stream.
            using var noise = new Generator((ulong)options.Seed);
            PanelScaling scaling = model.MeasureScaling(train, start, train.Length);
            Tensor allValues = scaling.ToTensor(train, start, train.Length).to(device);
            Tensor allContext = model.ContextTensor(train).to(device);
            Tensor trainIndex = torch.tensor(trainShops.Select(i => (long)i).ToArray(), device: device);
            Tensor trainValues = allValues.index_select(0, trainIndex);
            Tensor trainContext = allContext.index_select(0, trainIndex);
            Tensor? validationIndex = validationCount > 0 ? torch.tensor(validationShops.Select(i => (long)i).ToArray(), device: device) : null;
            Tensor? validationValues = validationIndex is null ? null : allValues.index_select(0, validationIndex);
            Tensor? validationContext = validationIndex is null ? null : allContext.index_select(0, validationIndex);
            Tensor? allEdges = fixedEdges is null ? null : GivenEdgeTensor(fixedEdges, model.Network.Edges, options, train.ShopIds).to(device);
            Tensor? trainEdges = allEdges?.index_select(0, trainIndex);
            Tensor? validationEdges = allEdges is null || validationIndex is null ? null : allEdges.index_select(0, validationIndex);

            CausalMmmNetwork network = model.Network;
            // Fixed by each shop's data: computed once here, not again in every batch of every epoch.
            Tensor? trainScores = allEdges is null ? network.GrangerScores(trainValues) : null;
            Tensor? validationScores = allEdges is null && validationValues is not null ? network.GrangerScores(validationValues) : null;
            Parameter[] parameters = network.parameters().ToArray();
            // Per training shop [S, E + Ec, 2] with a Granger-informed prior, else one for every shop.
            Tensor? trainSameDayScores = allEdges is null ? network.SameDayPriorInput(options.GrangerPrior, trainValues) : null;
            Tensor logPrior = LogPrior(options, device, network.Edges, trainScores, trainSameDayScores, train.CovariateCount);
            // The calendar features of the training window's steps and the step after it (what the last mean predicts).
            Tensor? calendar = seasonal?.Features(train.DateOf(start)!.Value, window + 1, device);
            // Likewise the trend's times of those steps.
            Tensor? trendTimes = trendStart is null ? null : LinearTrend.Times(0, window + 1, window, device);
            using var adam = torch.optim.Adam(parameters, lr: options.LearningRate);
            var schedule = options.Schedule == LearningRateSchedule.Cosine
                ? torch.optim.lr_scheduler.CosineAnnealingLR(adam, options.Epochs)
                : torch.optim.lr_scheduler.StepLR(adam, options.LearningRateStepSize, options.LearningRateDecay);
            var clock = Stopwatch.StartNew();
            var history = new List<double>();
            double best = double.PositiveInfinity;
            int bestEpoch = 0, epochsRun = 0;
            // The plateau rule: the last epoch whose monitored loss beat the loss of the epoch before that one (the last
            // significant improvement) by more than the tolerance times its size.
            double tolerance = options.PlateauTolerance ?? 0, significantBest = double.PositiveInfinity;
            int significantEpoch = 0;
            bool stopsOnPlateau = options.PlateauTolerance is not null || validationCount > 0;
            string stopReason = $"epoch cap ({options.Epochs})";

            int trendWarmupEpochs = (int)Math.Floor(options.TrendWarmup * options.Epochs);
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                network.train();
                int[] shuffled = Enumerable.Range(0, trainShops.Length).OrderBy(_ => random.Next()).ToArray();
                using Tensor epochOrder = torch.tensor(shuffled.Select(i => (long)i).ToArray(), device: device);
                double lossSum = 0;
                int batches = 0;
                double learningRate = adam.ParamGroups.First().LearningRate;
                for (int first = 0; first < shuffled.Length; first += options.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    batches++;
                    using DisposeScope step = torch.NewDisposeScope();
                    Tensor index = epochOrder.narrow(0, first, Math.Min(options.BatchSize, shuffled.Length - first));
                    adam.zero_grad();
                    Tensor loss = NegativeElbo(network, trainValues.index_select(0, index), trainContext.index_select(0, index), options, noise,
                        trainEdges?.index_select(0, index), logPrior: logPrior.dim() == 3 ? logPrior.index_select(0, index) : logPrior, grangerScores: trainScores?.index_select(0, index),
                        gainLogs: network.ShopGainLogs?.index_select(0, trainIndex.index_select(0, index)), calendar: calendar,
                        trendSlopes: epoch <= trendWarmupEpochs ? null : network.TrendSlopes?.index_select(0, trainIndex.index_select(0, index)), trendTimes: trendTimes);
                    double value = loss.item<float>();
                    if (!double.IsFinite(value)) throw new TrainingDivergedException(epoch, batches, $"the loss is {value}");
                    loss.backward();
                    double norm = nn.utils.clip_grad_norm_(parameters, options.GradientClipNorm);
                    if (!double.IsFinite(norm)) throw new TrainingDivergedException(epoch, batches, $"the gradient norm is {norm}");
                    adam.step();
                    lossSum += value;
                }
                schedule.step();
                epochsRun = epoch;
                double trainLoss = lossSum / batches;
                history.Add(trainLoss);
                double validationLoss = double.NaN;
                if (validationValues is not null)
                {
                    network.eval();
                    using DisposeScope evaluation = torch.NewDisposeScope();
                    using IDisposable noGrad = torch.no_grad();
                    // Held-out shops are scored on prediction alone: the KL term grows as the graph sharpens, so the full
                    // ELBO would stop training early exactly when the graph gets good.
                    validationLoss = NegativeElbo(network, validationValues, validationContext!, options, noise: null, validationEdges, includeKl: false, logPrior: null, validationScores,
                        network.ShopGainLogs?.index_select(0, validationIndex!), includeGainPrior: false, calendar,
                        network.TrendSlopes?.index_select(0, validationIndex!), trendTimes).item<float>();
                }
                double monitored = validationValues is not null ? validationLoss : trainLoss;
                if (monitored < best)
                {
                    best = monitored;
                    bestEpoch = epoch;
                    Dispose(bestState);
                    bestState = Snapshot(network);
                }
                if (monitored < significantBest - tolerance * Math.Abs(significantBest) || significantEpoch == 0)
                {
                    significantBest = monitored;
                    significantEpoch = epoch;
                }
                progress?.Invoke(new TrainingProgress(epoch, options.Epochs, trainLoss, validationLoss, learningRate, clock.Elapsed));
                int patience = options.PatienceSteps is int steps ? Math.Clamp((steps - 1) / batches + 1, 1, options.Patience) : options.Patience;
                if (stopsOnPlateau && epoch - significantEpoch >= patience && epoch < options.Epochs)
                {
                    string which = validationValues is not null ? "validation" : "training";
                    stopReason = tolerance > 0
                        ? $"plateau at epoch {epoch}: the {which} loss gained less than {(tolerance * 100).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}% in {patience} epochs"
                        : $"plateau at epoch {epoch}: no better {which} loss in {patience} epochs";
                    break;
                }
            }
            if (bestState is not null) network.load_state_dict(bestState);
            network.eval();
            model.Summary = new TrainingSummary(epochsRun, bestEpoch, best, clock.Elapsed.TotalSeconds, history) { StopReason = stopReason, TrendShare = trendShare, NegativeChannelShare = negativeShare, CovariateCorrelations = covariateCorrelations };
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            Dispose(bestState);
        }
    }

    /// <summary>
    /// The negative ELBO of a batch: sum over steps and nodes of (mu - x)^2 / (2 sigma^2) plus lambda * KL(q || prior),
    /// both per shop and node as in the reference (with <see cref="CausalMmmOptions.RobustLikelihood"/>, the default, each shop and node's
    /// sum is replaced by (T - 1)/2 log(1 + MSE / sigma^2)). With a <paramref name="noise"/> generator, edges are Gumbel-softmax
    /// samples; without one, the edge probabilities. <paramref name="logPrior"/> is <see cref="LogPrior"/>, made once per fit
    /// rather than once per step (made here when absent); <paramref name="grangerScores"/> likewise holds the encoder's
    /// <see cref="CausalMmmNetwork.GrangerScores"/> of <paramref name="values"/> (computed here when absent). With shop gains,
    /// <paramref name="gainLogs"/> [B, Ec] holds the batch's shops' log-multipliers of the same-day edges, and their Gaussian
    /// prior (spread <see cref="CausalMmmOptions.ShopGainSpread"/>) joins the loss on the NLL's scale. With seasonal
    /// terms, <paramref name="calendar"/> [T + 1, F] holds the calendar features of the window's steps and the one after: the
    /// decoder reads the values less their seasonal baseline, and each mean gets the baseline of the step it predicts.
    /// </summary>
    internal static Tensor NegativeElbo(CausalMmmNetwork network, Tensor values, Tensor context, CausalMmmOptions options, Generator? noise,
        Tensor? fixedEdges = null, bool includeKl = true, Tensor? logPrior = null, Tensor? grangerScores = null, Tensor? gainLogs = null, bool includeGainPrior = true,
        Tensor? calendar = null, Tensor? trendSlopes = null, Tensor? trendTimes = null)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        long shops = values.size(0), steps = values.size(1), nodes = values.size(2);
        if (fixedEdges is null && grangerScores is null && options.GrangerPrior != GrangerPrior.None && logPrior is null) grangerScores = network.GrangerScores(values);
        Tensor? logits = fixedEdges is null ? network.EdgeLogits(values, grangerScores) : null;
        Tensor edges = fixedEdges ?? (logits is null
            ? torch.ones(new[] { shops, (long)network.Edges.TotalEdgeCount }, values.dtype, values.device)
            : (noise is not null ? GumbelSoftmax(logits, options.Temperature, noise) : logits.softmax(-1)).narrow(-1, 1, 1).squeeze(-1));
        // The decoder reads the values less their baseline (calendar terms, each shop's trend line); each mean gets the
        // baseline of the step it predicts back.
        Tensor? line = trendSlopes is null || trendTimes is null ? null : LinearTrend.Line(network.WithGivenZeros(trendSlopes), trendTimes); // [B, T + 1, n]
        Tensor? baseline = CausalMmmNetwork.Baseline(network.SeasonalTerms(calendar), line);
        Tensor decoded = baseline is null ? values : values - baseline.narrow(1, 0, steps);
        (Tensor means, _) = network.Decoder.Forward(decoded, network.Weighted(edges, gainLogs?.exp()), context);
        if (baseline is not null) means = means + baseline.narrow(1, 1, steps);
        Tensor error = means.narrow(1, 0, steps - 1) - values.narrow(1, 1, steps - 1);
        // error * error, not error.pow(2): TorchSharp turns the 2 into a temporary Scalar the GC may free during the native call.
        // Scalars held to the end of the scope: a number passed straight to a TorchSharp call becomes a temporary Scalar the
        // GC may free during the call.
        using Scalar nllScale = 2 * options.Variance * shops * nodes, perShopNode = (double)(shops * nodes), klWeight = options.KlWeight;
        using Scalar gainScale = 2 * options.ShopGainSpread * options.ShopGainSpread * shops * nodes;
        Tensor nll;
        if (options.RobustLikelihood)
        {
            // Per shop and node, (T - 1)/2 log(1 + MSE / variance) over the T - 1 predicted steps: (T - 1) MSE / (2 variance),
            // the plain form below, to first order.
            using Scalar halfSteps = (steps - 1) / 2.0, variance = options.Variance;
            Tensor mse = (error * error).mean(new long[] { 1 }); // [B, n]
            nll = (mse / variance).log1p().sum() * halfSteps / perShopNode;
        }
        else nll = (error * error).sum() / nllScale;
        Tensor loss = nll;
        if (logits is not null && options.KlWeight > 0 && includeKl)
        {
            Tensor q = logits.softmax(-1);
            Tensor? sameDayScores = logPrior is null ? network.SameDayPriorInput(options.GrangerPrior, values) : null;
            Tensor kl = (q * ((q + ProbabilityFloor).log() - (logPrior ?? LogPrior(options, values.device, network.Edges, grangerScores, sameDayScores)))).sum() / perShopNode;
            loss = nll + kl * klWeight;
        }
        if (gainLogs is not null && includeGainPrior)
            loss = loss + (gainLogs * gainLogs).sum() / gainScale;
        if (line is not null && includeGainPrior)
        {
            using Scalar trendScale = 2 * options.TrendSpread * options.TrendSpread * shops * nodes;
            loss = loss + (trendSlopes! * trendSlopes!).sum() / trendScale;
        }
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The share of the channels' values (the given series before the covariates) below zero over steps
    /// <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1 of every shop.
    /// </summary>
    internal static double NegativeChannelShare(NumericPanel panel, int start, int count)
    {
        int channels = panel.ChannelCount - panel.CovariateCount;
        long negative = 0, all = 0;
        for (int shop = 0; shop < panel.ShopCount; shop++)
        for (int t = start; t < start + count; t++)
        for (int i = 0; i < channels; i++, all++)
            if (panel[shop, t, i] < 0) negative++;
        return all == 0 ? 0 : (double)negative / all;
    }

    /// <summary>
    /// Per covariate (the last <see cref="NumericPanel.CovariateCount"/> given series), whether its pooled within-shop
    /// correlation with the target (the last node) over steps [start, start + window) is below
    /// <see cref="CausalMmmOptions.Defaults.ReflectBelowCorrelation"/>; null when none is.
    /// </summary>
    internal static bool[]? CovariatesLoweringTarget(NumericPanel panel, int start, int window) => Reflected(CovariateCorrelations(panel, start, window));

    /// <summary>Which covariates enter reflected given their correlations with the target; null when none does.</summary>
    private static bool[]? Reflected(double[] correlations) =>
        correlations.Any(c => c < CausalMmmOptions.Defaults.ReflectBelowCorrelation)
            ? correlations.Select(c => c < CausalMmmOptions.Defaults.ReflectBelowCorrelation).ToArray() : null;

    /// <summary>
    /// Per covariate, its pooled within-shop correlation with the target over steps [start, start + window): each shop's
    /// series centred on its own mean, the cross-products summed over shops (0 for a constant series).
    /// </summary>
    internal static double[] CovariateCorrelations(NumericPanel panel, int start, int window)
    {
        int covariates = panel.CovariateCount, target = panel.NodeCount - 1;
        var correlations = new double[covariates];
        for (int k = 0; k < covariates; k++)
        {
            int j = panel.ChannelCount - covariates + k;
            double cross = 0, xx = 0, yy = 0;
            for (int s = 0; s < panel.ShopCount; s++)
            {
                double mx = 0, my = 0;
                for (int t = start; t < start + window; t++) { mx += panel[s, t, j]; my += panel[s, t, target]; }
                mx /= window;
                my /= window;
                for (int t = start; t < start + window; t++)
                {
                    double dx = panel[s, t, j] - mx, dy = panel[s, t, target] - my;
                    cross += dx * dy;
                    xx += dx * dx;
                    yy += dy * dy;
                }
            }
            correlations[k] = xx > 0 && yy > 0 ? cross / Math.Sqrt(xx * yy) : 0;
        }
        return correlations;
    }

    // Held for the process: a number passed straight to a TorchSharp call becomes a temporary Scalar the GC may free during the call.
    private static readonly Scalar ProbabilityFloor = 1e-16, UniformFloor = 1e-10, Certain = 1.0;

    /// <summary>
    /// The log of the edge prior [no edge, edge] for the KL term: [2], or [E + Ec, 2] when the same-day mediator edges
    /// have a prior of their own (<see cref="CausalMmmOptions.MediatorEdgePrior"/>): a mediator is in the data because it is
    /// thought to carry media to the target, so its same-day edges are not shrunk toward absence the way the many candidate
    /// lagged edges are (with the sparse prior a fully mediated channel's path could be dropped for a direct edge that mimics it).
    /// </summary>
    /// <remarks>
    /// With <see cref="CausalMmmOptions.GrangerPrior"/> and <paramref name="grangerScores"/> [B, E] (each shop's Linear
    /// Granger score of every lagged edge), [B, E + Ec, 2]: within each shop an edge at rank fraction u of its pair's score
    /// (1 the highest) gets prior floor + (ceiling - floor) u^g, g chosen so the shop's mean is <see cref="CausalMmmOptions.EdgePrior"/>
    /// (<see cref="GrangerPriorPower"/>; <see cref="GrangerPrior.LaggedUnlessSameDay"/> then sets some back to the flat prior,
    /// which moves the mean a little). <paramref name="sameDayScores"/> [B, Ec given] is what the kind reads beside them
    /// (<see cref="CausalMmmNetwork.SameDayPriorInput"/>).
    /// </remarks>
    internal static Tensor LogPrior(CausalMmmOptions options, Device device, EdgeIndex? edges = null, Tensor? grangerScores = null, Tensor? sameDayScores = null, int covariates = 0)
    {
        if (options.GrangerPrior == GrangerPrior.None || grangerScores is null || edges is null) return FlatLogPrior(options, device, edges, covariates);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using Scalar one = 1.0;
        long shops = grangerScores.size(0);
        // Each shop's edges ranked by their scores: rank fraction u in (0, 1] (ties broken by position, which is harmless)
        // to floor + (ceiling - floor) u^g, the shop's mean EdgePrior.
        Tensor Ranked(Tensor scores)
        {
            int edgeCount = (int)scores.size(1);
            (double floor, double ceiling) = options.GrangerPriorRange(edgeCount);
            using Scalar count = (double)edgeCount, exponent = GrangerPriorPower(options.EdgePrior, floor, ceiling, edgeCount), spread = ceiling - floor, lowest = floor;
            Tensor rank = scores.argsort(1).argsort(1).to_type(ScalarType.Float32);
            return ((rank + one) / count).pow(exponent) * spread + lowest;
        }
        Tensor present = Ranked(grangerScores); // [B, E]
        Tensor flat = FlatLogPrior(options, device, edges, covariates);
        Tensor perEdge = (flat.dim() == 1 ? flat.unsqueeze(0).expand(edges.TotalEdgeCount, 2) : flat).exp().narrow(1, 1, 1).squeeze(1); // [E + Ec] P(edge)
        Tensor probability = perEdge.unsqueeze(0).expand(shops, edges.TotalEdgeCount).clone();
        probability.narrow(1, 0, edges.EdgeCount).copy_(present);
        if (options.GrangerPrior == GrangerPrior.LaggedAndSameDay && edges.SameDayEdgeCount > 0)
        {
            // Every same-day edge, the mediators' too: with a flat prior of their own (0.3) the same-day edges between
            // signals that nothing in the data supports stayed near it, above true edges the ranked prior holds lower.
            Tensor pairs = edges.SameDayLaggedIndex.to(device);
            probability.narrow(1, edges.EdgeCount, edges.SameDayEdgeCount).copy_(present.index_select(1, pairs));
        }
        if (options.GrangerPrior == GrangerPrior.LaggedAndContemporaneous && sameDayScores is not null && edges.GivenSameDayEdgeCount > 0)
            probability.narrow(1, edges.EdgeCount, edges.GivenSameDayEdgeCount).copy_(Ranked(sameDayScores));
        if (options.GrangerPrior == GrangerPrior.LaggedUnlessSameDay && sameDayScores is not null && edges.GivenSameDayEdgeCount > 0)
        {
            // A given series acting on its day: its lagged edge into that receiver keeps the flat prior.
            Tensor pairs = edges.SameDayLaggedIndex.narrow(0, 0, edges.GivenSameDayEdgeCount).to(device);
            using Scalar flatPrior = options.EdgePrior;
            Tensor ranked = probability.index_select(1, pairs);
            probability.index_copy_(1, pairs, ranked + sameDayScores.to(device) * (flatPrior - ranked));
        }
        if (covariates > 0 && edges.GivenSameDayEdgeCount > 0)
        {
            // A covariate's same-day edges keep their own prior: the ranks above are for the candidate media edges.
            long[] fromCovariates = edges.CovariateSameDayPositions(covariates);
            Tensor index = torch.tensor(fromCovariates, device: device);
            probability.index_copy_(1, index, perEdge.index_select(0, index).unsqueeze(0).expand(shops, fromCovariates.Length));
        }
        return torch.stack(new[] { (one - probability).log(), probability.log() }, -1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The exponent g for which floor + (ceiling - floor) (k / E)^g, averaged over the ranks k = 1..E, is
    /// <paramref name="edgePrior"/> (by bisection: the mean falls as g grows).
    /// </summary>
    internal static double GrangerPriorPower(double edgePrior, double floor, double ceiling, int edges)
    {
        double Mean(double g) => floor + (ceiling - floor) * Enumerable.Range(1, edges).Average(k => Math.Pow(k / (double)edges, g));
        double low = 0, high = 1;
        while (Mean(high) > edgePrior && high < 1e6) high *= 2;
        for (int i = 0; i < 100; i++)
        {
            double middle = (low + high) / 2;
            if (Mean(middle) > edgePrior) low = middle;
            else high = middle;
        }
        return (low + high) / 2;
    }

    /// <summary>
    /// The flat prior: [2], or [E + Ec, 2] when same-day mediator edges (or the given series' same-day edges) have their own.
    /// The last <paramref name="covariates"/> given series are covariates, whose same-day edges have a prior of their own
    /// (<see cref="CausalMmmOptions.CovariateEdgePrior"/>).
    /// </summary>
    private static Tensor FlatLogPrior(CausalMmmOptions options, Device device, EdgeIndex? edges, int covariates = 0)
    {
        float absent = (float)Math.Log(1 - options.EdgePrior), present = (float)Math.Log(options.EdgePrior);
        bool givenOwn = (options.GivenEdgePrior is not null || (covariates > 0 && options.CovariateEdgePrior != options.EdgePrior)) && edges is not null && edges.GivenSameDayEdgeCount > 0;
        if (edges is null || (edges.MediatorSameDayEdgeCount == 0 && !givenOwn)) return torch.tensor(new[] { absent, present }, device: device);
        var prior = new float[edges.TotalEdgeCount * 2];
        for (int e = 0; e < edges.TotalEdgeCount; e++)
        {
            bool mediator = e >= edges.EdgeCount + edges.GivenSameDayEdgeCount;
            bool given = !mediator && e >= edges.EdgeCount;
            bool covariate = given && edges.IsFromCovariate(e - edges.EdgeCount, covariates);
            double p = mediator ? options.MediatorEdgePrior
                : covariate ? options.CovariateEdgePrior
                : given ? options.GivenEdgePrior ?? options.EdgePrior
                : options.EdgePrior;
            prior[2 * e] = (float)Math.Log(1 - p);
            prior[2 * e + 1] = (float)Math.Log(p);
        }
        return Tensors.FromArray(prior, new long[] { edges.TotalEdgeCount, 2 }, device);
    }

    /// <summary>Per-shop fixed edge weights as a [shops, E] tensor, checking every shop has E finite weights in [0, 1].</summary>
    internal static Tensor EdgeTensor(float[][] edges, int edgeCount, IReadOnlyList<string> shopIds)
    {
        if (edges.Length != shopIds.Count) throw new ArgumentException($"Fixed edges are given for {edges.Length} shops but the panel has {shopIds.Count}.", nameof(edges));
        var flat = new float[edges.Length * edgeCount];
        for (int s = 0; s < edges.Length; s++)
        {
            if (edges[s].Length != edgeCount) throw new ArgumentException($"Shop '{shopIds[s]}' has {edges[s].Length} edge weights; {edgeCount} are needed.", nameof(edges));
            foreach (float w in edges[s])
            {
                if (!(w >= 0 && w <= 1)) throw new ArgumentException($"Shop '{shopIds[s]}' has edge weight {w}; weights must lie in [0, 1].", nameof(edges));
            }
            edges[s].CopyTo(flat, s * edgeCount);
        }
        return Tensors.FromArray(flat, new long[] { edges.Length, edgeCount });
    }

    /// <summary>
    /// A forecaster's edge weights [shops, E] from its given graph (<see cref="EdgeTensor"/>), with every covariate's
    /// same-day edge at one under <see cref="CausalMmmOptions.CovariateEdgesOn"/>.
    /// </summary>
    internal static Tensor GivenEdgeTensor(float[][] edges, EdgeIndex index, CausalMmmOptions options, IReadOnlyList<string> shopIds)
    {
        Tensor tensor = EdgeTensor(edges, index.TotalEdgeCount, shopIds);
        if (!options.CovariateEdgesOn || options.CovariateSenders == 0) return tensor;
        using Tensor columns = torch.tensor(index.CovariateSameDayPositions(options.CovariateSenders));
        return tensor.index_fill_(1, columns, 1f);
    }

    private static (double[] Mean, double[] Scale) ContextStandardisation(NumericPanel panel)
    {
        var mean = new double[panel.ContextCount];
        var scale = new double[panel.ContextCount];
        for (int c = 0; c < panel.ContextCount; c++)
        {
            double[] v = Enumerable.Range(0, panel.ShopCount).Select(s => panel.Context(s, c)).ToArray();
            mean[c] = v.Average();
            double sd = Math.Sqrt(v.Sum(x => (x - mean[c]) * (x - mean[c])) / v.Length);
            scale[c] = sd > 1e-12 ? sd : 1;
        }
        return (mean, scale);
    }

    /// <summary>
    /// softmax((logits + g) / tau) with Gumbel(0, 1) noise g drawn on the CPU from <paramref name="noise"/> (so a CUDA run
    /// draws the same noise as a CPU run with the same seed).
    /// </summary>
    internal static Tensor GumbelSoftmax(Tensor logits, double temperature, Generator noise)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor uniform = torch.rand(logits.shape, dtype: logits.dtype, generator: noise).to(logits.device);
        return GumbelSoftmax(logits, temperature, uniform).MoveToOuterDisposeScope();
    }

    /// <summary>softmax((logits + g) / tau) with g = -log(-log u) from the uniform draws <paramref name="uniform"/> (same shape as the logits).</summary>
    internal static Tensor GumbelSoftmax(Tensor logits, double temperature, Tensor uniform)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using Scalar tau = temperature;
        Tensor gumbel = -(-(uniform + UniformFloor).log() + UniformFloor).log();
        return ((logits + gumbel) / tau).softmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Edge samples [R, E] from edge probabilities [R, E], as training draws them (Gumbel-softmax at
    /// <paramref name="temperature"/>, the edge type's share), with the uniform draws [R, E, 2] given.
    /// </summary>
    internal static Tensor SampleEdges(Tensor probabilities, double temperature, Tensor uniform)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor p = probabilities.clamp(0, 1);
        Tensor logits = torch.stack(new[] { (Certain - p).log(), p.log() }, -1);
        return GumbelSoftmax(logits, temperature, uniform).select(-1, 1).MoveToOuterDisposeScope();
    }

    private static Dictionary<string, Tensor> Snapshot(CausalMmmNetwork network) =>
        network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());

    private static void Dispose(Dictionary<string, Tensor>? state)
    {
        if (state is null) return;
        foreach (Tensor t in state.Values) t.Dispose();
    }
}
