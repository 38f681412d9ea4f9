using CausalMmm.Baselines;
using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Persistence;
using CausalMmm.Simulation;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace CausalMmm.Tests;

/// <summary>The decoder's message sources, same-day media edges, and the options that choose between them.</summary>
public sealed class DecoderOptionsTests
{
    private static double Mean(IReadOnlyList<double[,]> graphs, int i, int j) => graphs.Average(g => g[i, j]);

    [Fact]
    public void Edge_calibration_starts_as_the_identity_and_stays_monotone_and_inside_zero_one()
    {
        // Two channels, a mediator and the target; a forecaster's network (fixed edges) with the calibration on.
        var options = new CausalMmmOptions { Variant = CausalMmmVariant.FullGraph, CalibrateEdges = true };
        using var network = new CausalMmmNetwork(nodes: 4, givenCount: 2, window: 20, contextCount: 0, options, shopCount: 3);
        Assert.NotNull(network.EdgeCalibration);
        EdgeIndex edges = network.Edges;
        var random = new Random(3);
        float[] raw = Enumerable.Range(0, 3 * edges.TotalEdgeCount).Select(_ => (float)(0.01 + 0.98 * random.NextDouble())).ToArray();
        using torch.Tensor weights = torch.tensor(raw, new long[] { 3, edges.TotalEdgeCount });
        using (torch.no_grad())
        {
            using torch.Tensor same = network.Weighted(weights, gains: null);
            float[] start = same.data<float>().ToArray();
            for (int k = 0; k < raw.Length; k++) Assert.Equal(raw[k], start[k], 4); // identity at the start
            Assert.Equal((1.0, 0.0), network.EdgeCalibrationMap());
            // A sharper map: slope 3, shift 0.5; the lagged and mediator edges stay as they are.
            using torch.Tensor sharper = torch.tensor(new[] { (float)Math.Log(Math.Exp(3) - 1), 0.5f });
            network.EdgeCalibration!.copy_(sharper);
            using torch.Tensor sharp = network.Weighted(weights, gains: null);
            float[] after = sharp.data<float>().ToArray();
            for (int row = 0; row < 3; row++)
            for (int e = 0; e < edges.TotalEdgeCount; e++)
            {
                int k = row * edges.TotalEdgeCount + e;
                bool given = e >= edges.EdgeCount && e < edges.EdgeCount + edges.GivenSameDayEdgeCount;
                double p = raw[k], expected = given ? 1 / (1 + Math.Exp(-(3 * Math.Log(p / (1 - p)) + 0.5))) : p;
                Assert.Equal(expected, after[k], 4);
            }
        }
        // The graph network (an encoder of its own) never gets one.
        using var graphNetwork = new CausalMmmNetwork(nodes: 4, givenCount: 2, window: 20, contextCount: 0, new CausalMmmOptions { CalibrateEdges = true }, shopCount: 3);
        Assert.Null(graphNetwork.EdgeCalibration);
    }

    [Fact]
    public void The_hidden_state_decoder_recovers_a_chain_whose_causes_act_only_at_lag_3()
    {
        NumericPanel chain = LaggedChain.Generate(lag: 3, shops: 16, length: 50, seed: 1);
        var options = CausalMmmOptions.Paper() with
        {
            Epochs = 80, LearningRate = 5e-3, HiddenSize = 32, BatchSize = 8, Variance = 2.5e-3, Seed = 7, Messages = MessageSource.HiddenStates,
        };
        using CausalMmmModel model = CausalMmmTrainer.Fit(chain, options);
        IReadOnlyList<double[,]> graphs = model.EdgeProbabilities(chain);
        (MetricSummary auroc, _) = GraphMetrics.Summarise(graphs, Enumerable.Repeat(LaggedChain.TrueGraph(), 16).ToArray());
        Assert.True(auroc.Mean > 0.75, $"AUROC {auroc}");
        double weakestTrue = Math.Min(Mean(graphs, 0, 1), Mean(graphs, 1, 2));
        double strongestFalse = new[] { (0, 2), (1, 0), (2, 0), (2, 1) }.Max(e => Mean(graphs, e.Item1, e.Item2));
        Assert.True(weakestTrue > strongestFalse, $"true edges {Mean(graphs, 0, 1):F2}, {Mean(graphs, 1, 2):F2}; strongest false edge {strongestFalse:F2}");
    }

    /// <summary>Two channels; y responds to x0 on the same day only (y = 0.5 + x0 + noise); x1 does nothing.</summary>
    private static NumericPanel SameDayPanel(int shops = 12, int length = 60)
    {
        var random = new Random(2);
        var values = new double[shops * length * 3];
        for (int s = 0; s < shops; s++)
        for (int t = 0; t < length; t++)
        {
            double x0 = random.NextDouble(), x1 = random.NextDouble();
            int row = (s * length + t) * 3;
            values[row] = x0;
            values[row + 1] = x1;
            values[row + 2] = 0.5 + x0 + 0.05 * random.NextDouble();
        }
        return new NumericPanel(Enumerable.Range(0, shops).Select(i => $"s{i}").ToArray(), new[] { "x0", "x1", "y" }, 2, values, length);
    }

    [Theory]
    [InlineData(SameDayResponse.Message)]
    [InlineData(SameDayResponse.SaturatingCurve)]
    public void With_same_day_edges_a_plan_moves_the_forecast_on_the_day_it_changes_and_the_graph_marks_the_edge(SameDayResponse response)
    {
        NumericPanel panel = SameDayPanel();
        var options = CausalMmmOptions.Paper() with
        {
            Epochs = 100, LearningRate = 5e-3, HiddenSize = 16, BatchSize = 4, Variance = 2.5e-3, Seed = 3, SameDayMedia = true, SameDayResponse = response,
        };
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
        Assert.True(model.HasSameDayEdges);

        const int horizon = 7, day = 3;
        IReadOnlyList<double[,]> Plan(double factor) => Enumerable.Range(0, panel.ShopCount).Select(_ =>
        {
            var plan = new double[horizon, 2];
            for (int h = 0; h < horizon; h++) { plan[h, 0] = 0.5 * (h == day ? factor : 1); plan[h, 1] = 0.5; }
            return plan;
        }).ToArray();
        IReadOnlyList<double[,]> baseline = model.ForecastScenario(panel, panel.Length, Plan(1)), doubled = model.ForecastScenario(panel, panel.Length, Plan(2)),
            halved = model.ForecastScenario(panel, panel.Length, Plan(0.5));
        for (int s = 0; s < panel.ShopCount; s++)
        {
            // y = 0.5 + x0 on the day: +0.5 when x0 doubles from 0.5, -0.25 when it halves.
            Assert.True(doubled[s][day, 2] > baseline[s][day, 2] + 0.2, $"shop {s}: doubled {doubled[s][day, 2]:F3} vs {baseline[s][day, 2]:F3}");
            Assert.True(halved[s][day, 2] < baseline[s][day, 2] - 0.1, $"shop {s}: halved {halved[s][day, 2]:F3} vs {baseline[s][day, 2]:F3}");
            Assert.Equal(baseline[s][day - 1, 2], doubled[s][day - 1, 2]); // nothing changes before the plan does
        }

        (IReadOnlyList<double[,]> lagged, IReadOnlyList<double[,]>? sameDay) = model.Graphs(panel);
        Assert.NotNull(sameDay);
        Assert.True(Mean(sameDay!, 0, 2) > 0.5, $"same-day x0 -> y {Mean(sameDay!, 0, 2):F2}");
        Assert.True(Mean(sameDay!, 0, 2) > Mean(sameDay!, 1, 2) + 0.2, $"same-day x0 -> y {Mean(sameDay!, 0, 2):F2} against x1 -> y {Mean(sameDay!, 1, 2):F2}");
        Assert.Equal(0, sameDay![0][2, 0]); // no same-day edge into a given series
        var set = new CausalGraphSet(panel.NodeNames, panel.ShopIds.Select((id, s) => new KeyValuePair<string, double[,]>(id, lagged[s])),
            panel.ShopIds.Select((id, s) => new KeyValuePair<string, double[,]>(id, sameDay[s])));
        CausalEdge strongest = set.Edges("s0", threshold: 0).First(e => e.To == "y");
        Assert.Equal(("x0", true), (strongest.From, strongest.SameDay));
    }

    /// <summary>
    /// One channel with carry-over: y = 0.3 + 0.5 a_t + noise, where the adstock a_t = 0.4 x_t + 0.6 a_{t-1}; x1 does nothing.
    /// </summary>
    private static NumericPanel CarryOverPanel(int shops = 12, int length = 80)
    {
        var random = new Random(5);
        var values = new double[shops * length * 3];
        for (int s = 0; s < shops; s++)
        {
            double adstock = 0.5;
            for (int t = 0; t < length; t++)
            {
                double x0 = random.NextDouble() < 0.3 ? 0 : random.NextDouble(), x1 = random.NextDouble();
                adstock = 0.4 * x0 + 0.6 * adstock;
                int row = (s * length + t) * 3;
                values[row] = x0;
                values[row + 1] = x1;
                values[row + 2] = 0.3 + 0.5 * adstock + 0.02 * random.NextDouble();
            }
        }
        return new NumericPanel(Enumerable.Range(0, shops).Select(i => $"s{i}").ToArray(), new[] { "x0", "x1", "y" }, 2, values, length);
    }

    [Fact]
    public void Response_curves_carry_a_burst_over_to_the_next_days_and_never_fall_with_more_spend()
    {
        NumericPanel panel = CarryOverPanel();
        var options = new CausalMmmOptions();
        (options.Epochs, options.LearningRate, options.HiddenSize, options.BatchSize, options.Variance, options.Seed) = (80, 5e-3, 16, 4, 2.5e-3, 3);
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
        Assert.True(model.Network.Decoder.HasCurves);

        const int horizon = 8, day = 2;
        IReadOnlyList<double[,]> Forecast(double burst) => model.ForecastScenario(panel, panel.Length, Enumerable.Range(0, panel.ShopCount).Select(_ =>
        {
            var plan = new double[horizon, 2];
            for (int h = 0; h < horizon; h++) { plan[h, 0] = h == day ? burst : 0.3; plan[h, 1] = 0.5; }
            return plan;
        }).ToArray());
        IReadOnlyList<double[,]> baseline = Forecast(0.3), burst = Forecast(1.0);
        for (int s = 0; s < panel.ShopCount; s++)
        {
            // The truth: +0.14 on the burst day, then 0.6 times that on the next, 0.36 times on the one after.
            Assert.Equal(baseline[s][day - 1, 2], burst[s][day - 1, 2]);
            Assert.True(burst[s][day, 2] > baseline[s][day, 2] + 0.05, $"shop {s}: burst day {burst[s][day, 2]:F3} vs {baseline[s][day, 2]:F3}");
            Assert.True(burst[s][day + 1, 2] > baseline[s][day + 1, 2] + 0.02, $"shop {s}: the day after {burst[s][day + 1, 2]:F3} vs {baseline[s][day + 1, 2]:F3}");
        }

        // The day's forecast against a steady plan level: never lower for more spend, over the whole range and beyond.
        double[] levels = { 0, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2 };
        double[][] response = levels.Select(level => Forecast(level).Select(f => f[day, 2]).ToArray()).ToArray();
        for (int k = 1; k < levels.Length; k++)
        for (int s = 0; s < panel.ShopCount; s++)
            Assert.True(response[k][s] >= response[k - 1][s] - 1e-6, $"shop {s}: {response[k][s]:F4} at x0 = {levels[k]} below {response[k - 1][s]:F4} at {levels[k - 1]}");
    }

    [Theory]
    [InlineData(MessageSource.ObservedValues, 1)] // teacher forcing in one batched pass
    [InlineData(MessageSource.ObservedValues, 3)] // messages over each sender's last three values, carried in the state
    [InlineData(MessageSource.HiddenStatesAndValues, 1)] // teacher forcing step by step, the last step's curves from the tail
    public void Response_curves_give_the_same_means_teacher_forced_and_step_by_step_with_a_carried_tail(MessageSource messages, int lags)
    {
        NumericPanel panel = CarryOverPanel(shops: 4, length: 40);
        var options = new CausalMmmOptions();
        (options.Epochs, options.HiddenSize, options.BatchSize, options.Seed, options.Messages, options.MessageLags, options.SelfMessages) = (3, 8, 2, 4, messages, lags, lags > 1);
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        MarketingResponseDecoder decoder = model.Network.Decoder;
        TorchSharp.torch.Tensor values = model.MeasureScaling(panel, 0, panel.Length).ToTensor(panel, 0, panel.Length);
        TorchSharp.torch.Tensor edges = model.Network.EdgeProbabilities(values), context = model.ContextTensor(panel);
        (TorchSharp.torch.Tensor batched, _) = decoder.Forward(values.narrow(1, 0, panel.Length - 1), edges, context, values.select(1, panel.Length - 1).narrow(1, 0, 2));

        // Step by step, as a roll-out runs: the state from zero, each step's plan from the data, the given series before it as
        // the tail, and (the marketing defaults read baselines) each day less its same-day responses.
        Assert.True(decoder.ReadsBaselines);
        // The levels the teacher-forced pass anchored its head on: those of the window it read.
        TorchSharp.torch.Tensor levels = decoder.Levels(values.narrow(1, 0, panel.Length - 1), edges, context)!;
        TorchSharp.torch.Tensor? anchors = decoder.Anchors(values.narrow(1, 0, panel.Length - 1));
        TorchSharp.torch.Tensor state = decoder.InitialState(decoder.DayBaseline(values, 0, values.select(1, 0), edges, context, anchors));
        for (int step = 0; step < panel.Length - 1; step++)
        {
            int first = Math.Max(0, step + 1 - (MarketingResponseDecoder.CurveSpan - 1));
            TorchSharp.torch.Tensor tail = values.narrow(1, first, step + 1 - first).narrow(2, 0, 2), day = values.select(1, step);
            TorchSharp.torch.Tensor baseline = decoder.DayBaseline(values, step, day, edges, context, anchors);
            state = decoder.Advance(day, state, edges, currentBase: baseline);
            TorchSharp.torch.Tensor mean = decoder.Emit(state, day, context, edges, values.select(1, step + 1).narrow(1, 0, 2), givenTail: tail, currentBase: baseline, levels: levels, anchors: anchors);
            float gap = (mean - batched.select(1, step)).abs().max().item<float>();
            Assert.True(gap < 1e-4, $"step {step}: the two paths differ by {gap}");
        }
    }

    [Theory]
    [InlineData(MessageSource.ObservedValues, 1, false)]
    [InlineData(MessageSource.ObservedValues, 1, true)]
    [InlineData(MessageSource.ObservedValues, 3, false)]
    [InlineData(MessageSource.HiddenStatesAndValues, 1, false)]
    [InlineData(MessageSource.HiddenStatesAndValues, 1, true)]
    public void With_mediator_edges_teacher_forcing_and_the_step_by_step_roll_out_agree_on_each_days_own_part(MessageSource messages, int lags, bool centred)
    {
        // x0, x1, promo given; pv a mediator; gmv the target.
        NumericPanel panel = Api.MediatedPathTests.ChainPanel(shops: 4, length: 40).ToNumeric();
        var options = new CausalMmmOptions();
        (options.Epochs, options.HiddenSize, options.BatchSize, options.Seed, options.Messages, options.MessageLags, options.SelfMessages) = (3, 8, 2, 4, messages, lags, lags > 1);
        options.CentredMediatorEdges = centred;
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        MarketingResponseDecoder decoder = model.Network.Decoder;
        Assert.True(decoder.HasMediatorEdges && decoder.ReadsBaselines);
        Assert.Equal(centred, decoder.CentresMediators);
        const int given = 3;
        TorchSharp.torch.Tensor values = model.MeasureScaling(panel, 0, panel.Length).ToTensor(panel, 0, panel.Length);
        TorchSharp.torch.Tensor edges = model.Network.Weighted(model.Network.EdgeProbabilities(values), model.ShopGains(panel)), context = model.ContextTensor(panel);
        TorchSharp.torch.Tensor window = values.narrow(1, 0, panel.Length - 1);
        (TorchSharp.torch.Tensor batched, _) = decoder.Forward(window, edges, context, values.select(1, panel.Length - 1).narrow(1, 0, given));
        TorchSharp.torch.Tensor levels = decoder.Levels(window, edges, context)!;
        TorchSharp.torch.Tensor? anchors = decoder.Anchors(window); // the window's, as Forward reads it
        TorchSharp.torch.Tensor state = decoder.InitialState(decoder.DayBaseline(values, 0, values.select(1, 0), edges, context, anchors));
        for (int step = 0; step < panel.Length - 1; step++)
        {
            int first = Math.Max(0, step + 1 - (MarketingResponseDecoder.CurveSpan - 1));
            TorchSharp.torch.Tensor tail = values.narrow(1, first, step + 1 - first).narrow(2, 0, given), day = values.select(1, step);
            TorchSharp.torch.Tensor baseline = decoder.DayBaseline(values, step, day, edges, context, anchors);
            state = decoder.Advance(day, state, edges, currentBase: baseline);
            // The roll-out settles the day on its own mediators; teacher forcing adds what the observed mediators send. Less
            // what the mediators send, both are the day's own part, which must agree.
            TorchSharp.torch.Tensor rolled = decoder.Emit(state, day, context, edges, values.select(1, step + 1).narrow(1, 0, given), givenTail: tail, currentBase: baseline, levels: levels, anchors: anchors);
            TorchSharp.torch.Tensor ownRolled = rolled - decoder.MediatorTerms(rolled.unsqueeze(1), edges, anchors).squeeze(1);
            bool last = step == panel.Length - 2;
            TorchSharp.torch.Tensor forced = batched.select(1, step);
            TorchSharp.torch.Tensor ownForced = forced - decoder.MediatorTerms((last ? forced : values.select(1, step + 1)).unsqueeze(1), edges, anchors).squeeze(1);
            float gap = (ownRolled - ownForced).abs().max().item<float>();
            Assert.True(gap < 1e-4, $"step {step}: the two paths' own parts differ by {gap}");
            // The step after the window has no observed mediators, so teacher forcing settles it as the roll-out does.
            if (last) Assert.True((rolled - forced).abs().max().item<float>() < 1e-4, "the step after the window should settle as a roll-out does");
        }
        Assert.True(decoder.MediatorTerms(values.narrow(1, 1, 5), edges, anchors).abs().max().item<float>() > 1e-3, "the mediators send nothing, so the test shows nothing");
    }

    [Fact]
    public void Without_same_day_edges_the_forecast_of_the_day_cannot_see_its_plan()
    {
        NumericPanel panel = SameDayPanel(shops: 6, length: 30);
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { Epochs = 3, HiddenSize = 8, BatchSize = 3, Seed = 3 });
        Assert.False(model.HasSameDayEdges);
        var plan = Enumerable.Range(0, 6).Select(_ => new double[,] { { 0.5, 0.5 }, { 0.5, 0.5 } }).ToArray();
        var changed = Enumerable.Range(0, 6).Select(_ => new double[,] { { 0.5, 0.5 }, { 2, 0.5 } }).ToArray();
        Assert.Equal(model.ForecastScenario(panel, 30, plan)[0][1, 2], model.ForecastScenario(panel, 30, changed)[0][1, 2]);
        Assert.Null(model.Graphs(panel).SameDay);
    }

    [Fact]
    public void Decoder_options_round_trip_through_save_and_load_and_the_old_defaults_stay_reachable()
    {
        IDataView data = MarketingData.View();
        var ml = new MLContext(seed: 1);
        var options = CausalMmmOptions.Paper() with
        {
            Epochs = 2, HiddenSize = 8, BatchSize = 3, Messages = MessageSource.HiddenStatesAndValues, Aggregation = MessageAggregation.SumOverNodes,
            FeedbackSteps = 2, SameDayMedia = true, SameDayResponse = SameDayResponse.SaturatingCurve, Scaling = ScalingMethod.MeanScale, CurveMaxShape = 2.5,
            Encoder = EdgeEncoder.PairConvolution, Saturation = SaturationInput.Softplus, EncoderGrangerScores = false, // not the defaults, so a field that is never read back would show
        };
        using CausalGraphTransformer graph = ml.CausalMmm().CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = options }).Fit(data);
        IDataView scored = graph.Transform(data);
        Assert.NotNull(scored.Schema.GetColumnOrNull("Graph.SameDay"));
        string path = Path.Combine(Path.GetTempPath(), $"cmm-options-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SaveCausalMmm(graph, data.Schema, path);
            using var loaded = (CausalGraphTransformer)new MLContext(seed: 2).Model.LoadCausalMmm(path, out _).Single();
            CausalMmmOptions back = loaded.Model.Options;
            Assert.Equal((MessageSource.HiddenStatesAndValues, MessageAggregation.SumOverNodes, 2, true, SameDayResponse.SaturatingCurve),
                (back.Messages, back.Aggregation, back.FeedbackSteps, back.SameDayMedia, back.SameDayResponse));
            Assert.True(loaded.Model.Network.Decoder.HasCurves);
            Assert.Equal(ScalingMethod.MeanScale, back.Scaling);
            Assert.Equal(2.5, back.CurveMaxShape);
            Assert.Equal(EdgeEncoder.PairConvolution, back.Encoder);
            Assert.Equal(SaturationInput.Softplus, back.Saturation);
            Assert.False(back.EncoderGrangerScores);
            Assert.Equal(graph.Model.Network.Decoder.CurveParameters(), loaded.Model.Network.Decoder.CurveParameters());
            Assert.Equal(MarketingData.Fingerprint(scored), MarketingData.Fingerprint(loaded.Transform(data)));
        }
        finally
        {
            File.Delete(path);
        }

        // One set of defaults: the forecaster trains exactly new CausalMmmOptions(), the graph estimator the same with
        // three-step messages; the paper's configuration is a named preset.
        Assert.Equal(new CausalMmmOptions(), new MarketingResponseForecaster.Options().Model);
        Assert.Equal(new CausalMmmOptions() with { MessageLags = CausalMmmOptions.Defaults.GraphMessageLags }, new CausalGraphEstimator.Options().Model);
        var defaults = new CausalMmmOptions();
        Assert.True(defaults.SameDayMedia);
        Assert.Equal(SameDayResponse.SaturatingCurve, defaults.SameDayResponse);
        Assert.Equal((EdgeEncoder.PairConvolution, SaturationInput.Softplus, true), (defaults.Encoder, defaults.Saturation, defaults.EncoderGrangerScores));
        Assert.Equal((1, true, 0.3), (defaults.MessageLags, defaults.SelfMessages, defaults.MediatorEdgePrior));
        CausalMmmOptions paper = CausalMmmOptions.Paper();
        Assert.False(paper.SameDayMedia);
        Assert.Equal(SameDayResponse.Message, paper.SameDayResponse);
        Assert.Equal((EdgeEncoder.PairConvolution, SaturationInput.Exponential, true), (paper.Encoder, paper.Saturation, paper.EncoderGrangerScores));
        Assert.Equal((1, false, 0.5, (double?)null), (paper.MessageLags, paper.SelfMessages, paper.MediatorEdgePrior, paper.PlateauTolerance));
        // The paper's model keeps the reference's plain likelihood and KL weight; the defaults use the robust one.
        Assert.Equal((false, CausalMmmOptions.Defaults.PaperKlWeight), (paper.RobustLikelihood, paper.KlWeight));
        Assert.Equal((true, CausalMmmOptions.Defaults.KlWeight), (defaults.RobustLikelihood, defaults.KlWeight));
        Assert.NotSame(CausalMmmOptions.Paper(), CausalMmmOptions.Paper()); // a fresh preset each call, so editing one changes no other
        var laggedOnly = new CausalGraphEstimator.Options { Model = CausalMmmOptions.Paper() with { Epochs = 2, HiddenSize = 8, BatchSize = 3 } };
        using CausalGraphTransformer lagged = ml.CausalMmm().CausalDiscovery.Trainers.CausalGraph(laggedOnly).Fit(data);
        Assert.Null(lagged.Transform(data).Schema.GetColumnOrNull("Graph.SameDay"));
        Assert.False(lagged.Graphs(data).HasSameDay);
    }

    [Fact]
    public void Bad_decoder_options_name_the_option()
    {
        NumericPanel panel = SameDayPanel(shops: 3, length: 10);
        Assert.Contains("FeedbackSteps", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { FeedbackSteps = -1 })).Message);
        Assert.Contains("Messages", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { Messages = (MessageSource)7 })).Message);
        Assert.Contains("SameDayResponse", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { SameDayResponse = (SameDayResponse)7 })).Message);
        foreach (double shape in new[] { 0.5, 0.2, double.NaN, double.PositiveInfinity })
            Assert.Contains("CurveMaxShape", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { CurveMaxShape = shape })).Message);
        Assert.Contains("MessageLags", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { MessageLags = 0 })).Message);
        // Messages from hidden states already read the sender's history: a window of values would be silently ignored.
        string hidden = Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { MessageLags = 3, Messages = MessageSource.HiddenStates })).Message;
        Assert.Contains("ObservedValues", hidden);
        Assert.Contains("MediatorEdgePrior", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { MediatorEdgePrior = 1 })).Message);
    }

    [Theory]
    [InlineData(null, 1.5)]
    [InlineData(3.0, 1.5)]
    [InlineData(2.0, 1.25)] // the default bound: the middle of [0.5, 2]
    [InlineData(1.0, 0.75)]
    [InlineData(0.5000001, 0.50000005)]
    public void Response_curves_start_at_shape_1_5_or_the_middle_of_a_lower_bound(double? maxShape, double start)
    {
        var options = new CausalMmmOptions();
        options.CurveMaxShape = maxShape;
        using var edges = new EdgeIndex(nodes: 4, givenCount: 2, sameDay: true);
        using var decoder = new MarketingResponseDecoder(edges, 0, options);
        IReadOnlyList<ResponseCurveParameters> curves = decoder.CurveParameters();
        Assert.Equal(new[] { (0, 2), (1, 2), (0, 3), (1, 3) }, curves.Select(c => (c.Sender, c.Receiver)));
        Assert.All(curves, c => Assert.Equal(start, c.Shape, 1e-6));
    }

    [Fact]
    public void A_model_saved_before_the_shape_bound_loads_unbounded_as_it_was_trained()
    {
        NumericPanel panel = CarryOverPanel(shops: 4, length: 40);
        var options = new CausalMmmOptions();
        (options.Epochs, options.HiddenSize, options.BatchSize, options.CurveMaxShape, options.Encoder, options.Saturation, options.EncoderGrangerScores) = (2, 8, 4, null, EdgeEncoder.WindowMlp, SaturationInput.Softplus, false);
        (options.SameDayMediators, options.ShopGains, options.BaselineInputs, options.CurveContext) = (false, false, false, false); // as version 3 trained
        (options.MessageLags, options.SelfMessages) = (1, false);
        using CausalMmmModel unbounded = CausalMmmTrainer.Fit(panel, options);
        // A version-3 file: neither CurveMaxShape nor Encoder among the options.
        (var entries, var json) = SavedAs(unbounded, 3, "CurveMaxShape", "Encoder", "Saturation", "EncoderGrangerScores");
        using CausalMmmModel loaded = ReadBack(entries, json);
        Assert.Null(loaded.Options.CurveMaxShape);
        Assert.Equal(unbounded.Network.Decoder.CurveParameters(), loaded.Network.Decoder.CurveParameters());
        Assert.Equal(unbounded.ForecastScenario(panel, panel.Length, Plans(panel)), loaded.ForecastScenario(panel, panel.Length, Plans(panel)));

        static double[][,] Plans(NumericPanel panel) => Enumerable.Range(0, panel.ShopCount).Select(_ => new double[,] { { 0.4, 0.5 }, { 0.9, 0.5 } }).ToArray();
    }

    [Fact]
    public void A_model_saved_before_the_encoder_option_loads_with_the_window_mlp_it_was_trained_with()
    {
        NumericPanel panel = CarryOverPanel(shops: 4, length: 40);
        var options = CausalMmmOptions.Paper() with { Epochs = 2, HiddenSize = 8, BatchSize = 4, Encoder = EdgeEncoder.WindowMlp, Saturation = SaturationInput.Softplus, EncoderGrangerScores = false };
        using CausalMmmModel trained = CausalMmmTrainer.Fit(panel, options);
        // A version-4 file: no Encoder among the options, whatever today's default is.
        (var entries, var json) = SavedAs(trained, 4, "Encoder", "Saturation", "EncoderGrangerScores");
        using CausalMmmModel loaded = ReadBack(entries, json);
        Assert.Equal(EdgeEncoder.WindowMlp, loaded.Options.Encoder);
        Assert.Equal(trained.EdgeProbabilities(panel), loaded.EdgeProbabilities(panel));
    }

    [Fact]
    public void The_pair_convolution_encoder_reads_windows_of_any_length_from_its_kernel_up_and_names_a_shorter_one()
    {
        NumericPanel panel = CarryOverPanel(shops: 4, length: 40);
        foreach (int window in new[] { CausalRelationalEncoder.PairKernel, 40 })
        {
            var options = CausalMmmOptions.Paper() with { Epochs = 2, HiddenSize = 8, BatchSize = 4, Encoder = EdgeEncoder.PairConvolution, EncoderWindow = window };
            using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
            Assert.Equal(window, model.EncoderWindow);
            Assert.All(model.EdgeProbabilities(panel), p => Assert.All(p.Cast<double>(), v => Assert.InRange(v, 0, 1)));
        }
        var tooShort = CausalMmmOptions.Paper() with { Epochs = 2, HiddenSize = 8, Encoder = EdgeEncoder.PairConvolution, EncoderWindow = CausalRelationalEncoder.PairKernel - 1 };
        Assert.Contains("EncoderWindow", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, tooShort)).Message);
        Assert.Contains("Encoder", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { Encoder = (EdgeEncoder)7 })).Message);
        // A panel shorter than the kernel, with no explicit window, is named as the panel.
        NumericPanel shortPanel = CarryOverPanel(shops: 4, length: CausalRelationalEncoder.PairKernel - 1);
        var fromPanel = Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(shortPanel, CausalMmmOptions.Paper() with { Epochs = 1, Encoder = EdgeEncoder.PairConvolution }));
        Assert.Contains("training panel has 4 steps", fromPanel.Message);
    }

    [Fact]
    public void A_full_graph_model_has_no_encoder_so_a_window_shorter_than_the_kernel_trains_saves_and_loads()
    {
        NumericPanel panel = CarryOverPanel(shops: 4, length: 40);
        var options = CausalMmmOptions.Paper() with
        {
            Epochs = 2, HiddenSize = 8, BatchSize = 4, Variant = CausalMmmVariant.FullGraph, Encoder = EdgeEncoder.PairConvolution,
            EncoderWindow = CausalRelationalEncoder.PairKernel - 1,
        };
        using CausalMmmModel trained = CausalMmmTrainer.Fit(panel, options);
        var entries = new Dictionary<string, byte[]>();
        trained.WriteTo(new ComponentStateWriter(entries, "m/"));
        using CausalMmmModel loaded = CausalMmmModel.ReadFrom(new ComponentStateReader(entries, "m/", 1));
        Assert.Equal(CausalRelationalEncoder.PairKernel - 1, loaded.EncoderWindow);
        Assert.Null(loaded.Network.Encoder);
        Assert.Equal(trained.EdgeProbabilities(panel), loaded.EdgeProbabilities(panel));
    }

    [Fact]
    public void A_saved_pair_convolution_model_names_a_window_shorter_than_its_kernel_and_an_unknown_encoder()
    {
        NumericPanel panel = CarryOverPanel(shops: 4, length: 40);
        using CausalMmmModel trained = CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { Epochs = 2, HiddenSize = 8, BatchSize = 4, Encoder = EdgeEncoder.PairConvolution, EncoderWindow = 10 });
        var entries = new Dictionary<string, byte[]>();
        trained.WriteTo(new ComponentStateWriter(entries, "m/"));
        byte[] original = entries["m/model.json"];

        var json = System.Text.Json.Nodes.JsonNode.Parse(original)!.AsObject();
        json["EncoderWindow"] = CausalRelationalEncoder.PairKernel - 1;
        Assert.Contains("fewer than its kernel", Assert.Throws<InvalidDataException>(() => ReadBack(entries, json)).ToString());

        json = System.Text.Json.Nodes.JsonNode.Parse(original)!.AsObject();
        json["Options"]!["Encoder"] = 7;
        Assert.Contains("encoder kind 7", Assert.Throws<InvalidDataException>(() => ReadBack(entries, json)).ToString());
    }

    [Fact]
    public void A_model_saved_before_the_saturation_option_loads_with_the_softplus_it_was_trained_with()
    {
        NumericPanel panel = CarryOverPanel(shops: 4, length: 40);
        using CausalMmmModel trained = CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { Epochs = 2, HiddenSize = 8, BatchSize = 4, Saturation = SaturationInput.Softplus, EncoderGrangerScores = false });
        // A version-5 file: no Saturation among the options, whatever today's default is.
        (var entries, var json) = SavedAs(trained, 5, "Saturation", "EncoderGrangerScores");
        using CausalMmmModel loaded = ReadBack(entries, json);
        Assert.Equal(SaturationInput.Softplus, loaded.Options.Saturation);
        Assert.Equal(trained.ForecastScenario(panel, panel.Length, Plans(panel)), loaded.ForecastScenario(panel, panel.Length, Plans(panel)));

        json["Version"] = 7;
        json["Options"]!["Saturation"] = 7;
        json["Options"]!["EncoderGrangerScores"] = false;
        Assert.Contains("saturation input 7", Assert.Throws<InvalidDataException>(() => ReadBack(entries, json)).ToString());
        Assert.Contains("Saturation", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { Saturation = (SaturationInput)7 })).Message);

        static double[][,] Plans(NumericPanel panel) => Enumerable.Range(0, panel.ShopCount).Select(_ => new double[,] { { 0.4, 0.5 }, { 0.9, 0.5 } }).ToArray();
    }

    [Fact]
    public void A_model_saved_before_the_granger_scores_loads_with_an_encoder_that_reads_none()
    {
        NumericPanel panel = CarryOverPanel(shops: 4, length: 40);
        using CausalMmmModel trained = CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { Epochs = 2, HiddenSize = 8, BatchSize = 4, EncoderGrangerScores = false });
        // A version-6 file: no EncoderGrangerScores among the options, whatever today's default is.
        (var entries, var json) = SavedAs(trained, 6, "EncoderGrangerScores");
        using CausalMmmModel loaded = ReadBack(entries, json);
        Assert.False(loaded.Options.EncoderGrangerScores);
        Assert.Equal(trained.EdgeProbabilities(panel), loaded.EdgeProbabilities(panel));

        // The scores are an input of the first edge layer: a model trained with them has one more input weight per unit.
        using CausalMmmModel reading = CausalMmmTrainer.Fit(panel, CausalMmmOptions.Paper() with { Epochs = 1, HiddenSize = 8, BatchSize = 4 });
        Assert.True(reading.Options.EncoderGrangerScores);
        static long Inputs(CausalMmmModel m) => m.Network.Encoder!.state_dict()["edge1.fc1.weight"].size(1);
        Assert.Equal(Inputs(trained) + 1, Inputs(reading));
    }

    [Fact]
    public void A_model_saved_before_the_same_day_mediator_edges_loads_and_forecasts_as_it_was_trained()
    {
        NumericPanel panel = Api.MediatedPathTests.ChainPanel(shops: 4, length: 40).ToNumeric();
        CausalMmmOptions old = new CausalMmmOptions();
        (old.Epochs, old.HiddenSize, old.BatchSize) = (2, 8, 4);
        (old.SameDayMediators, old.ShopGains, old.BaselineInputs, old.CurveContext) = (false, false, false, false);
        (old.MessageLags, old.SelfMessages, old.Seasonality, old.Trend) = (1, false, SeasonalBaseline.None, false);
        using CausalMmmModel trained = CausalMmmTrainer.Fit(panel, old);
        // A version-7 file: none of the options version 8 added, whatever today's defaults are.
        (var entries, var json) = SavedAs(trained, 7);
        using CausalMmmModel loaded = ReadBack(entries, json);
        Assert.False(loaded.Options.SameDayMediators || loaded.Options.ShopGains || loaded.Options.BaselineInputs || loaded.Options.CurveContext);
        Assert.False(loaded.Network.Decoder.HasMediatorEdges);
        Assert.Equal(trained.Graphs(panel).SameDay, loaded.Graphs(panel).SameDay);
        double[][,] plans = Enumerable.Range(0, panel.ShopCount).Select(_ => new double[,] { { 40, 60, 0 }, { 90, 0, 1 } }).ToArray();
        Assert.Equal(trained.ForecastScenario(panel, panel.Length, plans), loaded.ForecastScenario(panel, panel.Length, plans));

        // Today's marketing model, saved and read back: same edges of every kind, same shop gains, same forecasts.
        CausalMmmOptions current = new CausalMmmOptions();
        (current.Epochs, current.HiddenSize, current.BatchSize) = (2, 8, 4);
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, current);
        Assert.True(model.Network.Decoder.HasMediatorEdges && model.Network.ShopGainLogs is not null);
        var saved = new Dictionary<string, byte[]>();
        model.WriteTo(new ComponentStateWriter(saved, "m/"));
        using CausalMmmModel back = CausalMmmModel.ReadFrom(new ComponentStateReader(saved, "m/", 1));
        Assert.Equal(model.ShopIds, back.ShopIds);
        Assert.Equal(model.Graphs(panel).SameDay, back.Graphs(panel).SameDay);
        Assert.Equal(model.Network.Decoder.MediatorGains(), back.Network.Decoder.MediatorGains());
        Assert.Equal(model.ForecastScenario(panel, panel.Length, plans), back.ForecastScenario(panel, panel.Length, plans));
    }

    [Fact]
    public void Trend_slopes_join_only_after_the_warm_up()
    {
        NumericPanel panel = Api.MediatedPathTests.ChainPanel(shops: 4, length: 40).ToNumeric();
        float[] Slopes(double warmup)
        {
            CausalMmmOptions options = new CausalMmmOptions();
            (options.Epochs, options.HiddenSize, options.BatchSize, options.Trend, options.TrendWarmup) = (4, 8, 4, true, warmup);
            using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
            return model.Network.TrendSlopes!.data<float>().ToArray();
        }
        // Warm-up over every epoch: the slopes never get a gradient and stay at their start, no trend.
        Assert.All(Slopes(1.0), slope => Assert.Equal(0f, slope));
        // Half the epochs: they join for the last two and move, as they do with no warm-up.
        Assert.Contains(Slopes(0.5), slope => slope != 0f);
        Assert.Contains(Slopes(0), slope => slope != 0f);
    }

    [Fact]
    public void A_graph_model_saved_before_edge_message_gains_loads_without_them_and_one_with_them_round_trips()
    {
        NumericPanel panel = Api.MediatedPathTests.ChainPanel(shops: 4, length: 40).ToNumeric();
        // Version 11 wrote no gains: a graph network of that time sent one message per sender to all its receivers.
        CausalMmmOptions previous = CausalMmmOptions.ForGraphEstimator();
        (previous.Epochs, previous.HiddenSize, previous.BatchSize, previous.EdgeMessageGains) = (2, 8, 4, false);
        using CausalMmmModel trained = CausalMmmTrainer.Fit(panel, previous);
        Assert.DoesNotContain("edge_message_gains", trained.Network.Decoder.state_dict().Keys);
        (var entries, var json) = SavedAs(trained, 11);
        // A version-11 reader never looked for the option: a stray value is not taken as the network's shape.
        json["Options"]!["EdgeMessageGains"] = true;
        using CausalMmmModel loaded = ReadBack(entries, json);
        Assert.False(loaded.Options.EdgeMessageGains);
        Assert.DoesNotContain("edge_message_gains", loaded.Network.Decoder.state_dict().Keys);
        Assert.Equal(trained.AnyLagGraphs(panel), loaded.AnyLagGraphs(panel));
        // Version 12 (the gains, before the covariates' signed responses) still loads, stray options of version 13 ignored.
        (var entries12, var json12) = SavedAs(trained, 12);
        (json12["Options"]!["SignedCovariates"], json12["Options"]!["CovariateSenders"]) = (true, 1);
        using CausalMmmModel loaded12 = ReadBack(entries12, json12);
        Assert.Equal((false, 0), (loaded12.Options.SignedCovariates, loaded12.Options.CovariateSenders));
        Assert.Equal(trained.AnyLagGraphs(panel), loaded12.AnyLagGraphs(panel));
        // Version 13 (before the reflected covariates) loads with none reflected, a stray flag of version 14 ignored.
        (var entries13, var json13) = SavedAs(trained, 13);
        json13["Options"]!["ReflectedCovariates"] = new System.Text.Json.Nodes.JsonArray();
        using CausalMmmModel loaded13 = ReadBack(entries13, json13);
        Assert.Null(loaded13.Options.ReflectedCovariates);
        Assert.Equal(trained.AnyLagGraphs(panel), loaded13.AnyLagGraphs(panel));
        // Version 14 (before the covariates' edges kept on) loads with them gated, a stray flag of version 15 ignored.
        (var entries14, var json14) = SavedAs(trained, 14);
        json14["Options"]!["CovariateEdgesOn"] = true;
        using CausalMmmModel loaded14 = ReadBack(entries14, json14);
        Assert.False(loaded14.Options.CovariateEdgesOn);
        Assert.Equal(trained.AnyLagGraphs(panel), loaded14.AnyLagGraphs(panel));
        // Version 15 (before the centred mediator edges) loads with them read as values, a stray flag of version 16 ignored.
        (var entries15, var json15) = SavedAs(trained, 15);
        json15["Options"]!["CentredMediatorEdges"] = true;
        using CausalMmmModel loaded15 = ReadBack(entries15, json15);
        Assert.False(loaded15.Options.CentredMediatorEdges);
        Assert.Equal(trained.AnyLagGraphs(panel), loaded15.AnyLagGraphs(panel));
        Assert.Equal(trained.Forecast(panel, panel.Length, 10), loaded15.Forecast(panel, panel.Length, 10));

        // Off in every preset (an experiment); with them, one learned vector per lagged edge, trained away from its start of
        // ones, stored and read back with the option.
        Assert.False(CausalMmmOptions.ForGraphEstimator().EdgeMessageGains);
        Assert.False(new CausalMmmOptions().EdgeMessageGains);
        Assert.False(CausalMmmOptions.Paper().EdgeMessageGains);
        CausalMmmOptions current = CausalMmmOptions.ForGraphEstimator();
        (current.Epochs, current.HiddenSize, current.BatchSize, current.EdgeMessageGains) = (2, 8, 4, true);
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, current);
        TorchSharp.torch.Tensor gains = model.Network.Decoder.state_dict()["edge_message_gains"];
        Assert.Equal(new long[] { model.Network.Edges.EdgeCount, 8 }, gains.shape);
        Assert.Contains(gains.data<float>().ToArray(), g => g != 1f);
        var saved = new Dictionary<string, byte[]>();
        model.WriteTo(new ComponentStateWriter(saved, "m/"));
        using CausalMmmModel back = CausalMmmModel.ReadFrom(new ComponentStateReader(saved, "m/", 1));
        Assert.True(back.Options.EdgeMessageGains);
        Assert.Equal(gains.data<float>().ToArray(), back.Network.Decoder.state_dict()["edge_message_gains"].data<float>().ToArray());
        Assert.Equal(model.AnyLagGraphs(panel), back.AnyLagGraphs(panel));
    }

    [Fact]
    public void A_model_saved_before_message_windows_loads_with_one_step_messages_and_todays_round_trips()
    {
        NumericPanel panel = Api.MediatedPathTests.ChainPanel(shops: 4, length: 40).ToNumeric();
        double[][,] plans = Enumerable.Range(0, panel.ShopCount).Select(_ => new double[,] { { 40, 60, 0 }, { 90, 0, 1 } }).ToArray();
        // The previous marketing defaults, saved as version 8 wrote them: no message windows, self messages or mediator prior.
        CausalMmmOptions previous = new CausalMmmOptions();
        (previous.Epochs, previous.HiddenSize, previous.BatchSize, previous.Encoder, previous.EncoderGrangerScores) = (2, 8, 4, EdgeEncoder.WindowMlp, false);
        (previous.MessageLags, previous.SelfMessages, previous.Seasonality, previous.Trend) = (1, false, SeasonalBaseline.None, false);
        using CausalMmmModel trained = CausalMmmTrainer.Fit(panel, previous);
        (var entries, var json) = SavedAs(trained, 8);
        using CausalMmmModel loaded = ReadBack(entries, json);
        Assert.Equal((1, false, true, 0.5), (loaded.Options.MessageLags, loaded.Options.SelfMessages, loaded.Options.ReceiverInMessages, loaded.Options.MediatorEdgePrior));
        Assert.Equal(trained.ForecastScenario(panel, panel.Length, plans), loaded.ForecastScenario(panel, panel.Length, plans));

        // Today's defaults (self messages) with three-step message windows, calendar terms and a trend, saved and read
        // back: same graphs, terms, trend and forecasts.
        CausalMmmOptions current = new CausalMmmOptions();
        (current.Epochs, current.HiddenSize, current.BatchSize, current.MessageLags, current.Seasonality, current.Trend) = (2, 8, 4, 3, SeasonalBaseline.Auto, true);
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, current);
        Assert.Equal((3, true), (model.Options.MessageLags, model.Options.SelfMessages));
        var saved = new Dictionary<string, byte[]>();
        model.WriteTo(new ComponentStateWriter(saved, "m/"));
        using CausalMmmModel back = CausalMmmModel.ReadFrom(new ComponentStateReader(saved, "m/", 1));
        Assert.Equal((3, true), (back.Options.MessageLags, back.Options.SelfMessages));
        // Forty days of dates: weekly calendar terms, kept with the model.
        Assert.Equal(new SeasonalTerms(1, SeasonalTerms.WeekHarmonics, 0), back.Seasonal);
        Assert.Null(loaded.Seasonal);
        Assert.Equal(panel.DateOf(0), back.TrendStart);
        Assert.Null(loaded.TrendStart);
        Assert.Equal(model.Network.TrendSlopes!.data<float>().ToArray(), back.Network.TrendSlopes!.data<float>().ToArray());
        Assert.Equal(model.AnyLagGraphs(panel), back.AnyLagGraphs(panel));
        Assert.Equal(model.ForecastScenario(panel, panel.Length, plans), back.ForecastScenario(panel, panel.Length, plans));
        // The three-step window is what the edges read: one input per step of sender and receiver.
        Assert.Equal(6, back.Network.Decoder.state_dict()["edge_fc1.weight"].size(1));
        Assert.Equal(2, loaded.Network.Decoder.state_dict()["edge_fc1.weight"].size(1));
    }

    [Fact]
    public void The_encoders_granger_scores_are_the_linear_granger_baselines_edge_scores_of_the_window()
    {
        SyntheticDataset data = SyntheticPanelGenerator.Generate(new SyntheticPanelOptions { Shops = 3, Channels = 4, Length = 60, Seed = 4 });
        NumericPanel panel = data.Panel;
        int n = panel.NodeCount;
        using var edges = new EdgeIndex(n);
        using var encoder = new CausalRelationalEncoder(edges, panel.Length, 8, EdgeEncoder.PairConvolution, grangerScores: true);
        using var scope = TorchSharp.torch.NewDisposeScope();
        // The encoder reads the per-shop min-max scaled window; standardising inside makes the scores those of the raw series.
        TorchSharp.torch.Tensor window = PanelScaling.Measure(panel, 0, panel.Length).ToTensor(panel, 0, panel.Length);
        float[] scores = encoder.GrangerScores(window).data<float>().ToArray(); // [shops, E]
        LinearGranger baseline = LinearGranger.Fit(panel);
        Assert.Equal((CausalRelationalEncoder.GrangerLags, CausalRelationalEncoder.GrangerRidge), (baseline.Lags, baseline.Ridge));
        double largest = 0;
        for (int s = 0; s < panel.ShopCount; s++)
        {
            double[,] expected = baseline.EdgeScores(s);
            for (int e = 0; e < edges.EdgeCount; e++)
            {
                double truth = expected[edges.Senders[e], edges.Receivers[e]];
                largest = Math.Max(largest, truth);
                Assert.True(Math.Abs(scores[s * edges.EdgeCount + e] - truth) < 1e-4 * (1 + truth), $"shop {s}, edge {edges.Senders[e]} -> {edges.Receivers[e]}: {scores[s * edges.EdgeCount + e]} against the baseline's {truth}");
            }
        }
        Assert.True(largest > 0.1, $"the scores are all near zero ({largest}), so the comparison shows nothing");

        // A window too short for a VAR(3) reads as no evidence, not an error.
        TorchSharp.torch.Tensor tooShort = window.narrow(1, 0, CausalRelationalEncoder.GrangerLags);
        Assert.Equal(0f, encoder.GrangerScores(tooShort).abs().max().item<float>());
    }

    /// <summary>
    /// What an older version wrote for <paramref name="model"/>: its saved entries, with model.json (also returned, to edit
    /// further) marked <paramref name="version"/> and without the options that version did not have.
    /// </summary>
    private static (Dictionary<string, byte[]> Entries, System.Text.Json.Nodes.JsonObject Json) SavedAs(CausalMmmModel model, int version, params string[] newerOptions)
    {
        var entries = new Dictionary<string, byte[]>();
        model.WriteTo(new ComponentStateWriter(entries, "m/"));
        var json = System.Text.Json.Nodes.JsonNode.Parse(entries["m/model.json"])!.AsObject();
        Assert.Equal(16, (int)json["Version"]!);
        json["Version"] = version;
        // Version 16 added the centred mediator edges.
        if (version < 16) newerOptions = newerOptions.Append("CentredMediatorEdges").ToArray();
        // Version 15 added the covariates' same-day edges kept on in a forecaster.
        if (version < 15) newerOptions = newerOptions.Append("CovariateEdgesOn").ToArray();
        // Version 14 added the covariates that enter reflected.
        if (version < 14) newerOptions = newerOptions.Append("ReflectedCovariates").ToArray();
        // Version 13 added the covariates' signed responses and the covariate count they read.
        if (version < 13) newerOptions = newerOptions.Append("SignedCovariates").Append("CovariateSenders").ToArray();
        // Version 12 added the lagged edges' own message gains.
        if (version < 12) newerOptions = newerOptions.Append("EdgeMessageGains").ToArray();
        // Version 11 added the trend: its option and the date its time axis starts from.
        if (version < 11)
        {
            newerOptions = newerOptions.Append("Trend").ToArray();
            Assert.True(json.Remove("TrendStart"), "the saved model has no TrendStart");
        }
        // Version 10 added the seasonal baseline: its option and the terms a fit chose.
        if (version < 10)
        {
            newerOptions = newerOptions.Append("Seasonality").ToArray();
            Assert.True(json.Remove("Seasonal"), "the saved model has no Seasonal");
        }
        // Version 9 added the decoder's message windows and self messages, and the mediator edges' own prior.
        IEnumerable<string> removed = version < 9 ? newerOptions.Concat(new[] { "MessageLags", "SelfMessages", "ReceiverInMessages", "MediatorEdgePrior" }) : newerOptions;
        // Version 8 added the same-day mediator edges and the options around them.
        if (version < 8) removed = removed.Concat(new[] { "SameDayMediators", "ShopGains", "BaselineInputs", "CurveContext", "LaggedMediaMessages" });
        foreach (string option in removed) Assert.True(json["Options"]!.AsObject().Remove(option), $"the saved options have no {option}");
        // Version 8 also started to list the training shops, for their gains.
        if (version < 8) Assert.True(json.Remove("ShopIds"), "the saved model has no ShopIds");
        return (entries, json);
    }

    /// <summary>Reads a model from <paramref name="entries"/> with <paramref name="json"/> as its model.json.</summary>
    private static CausalMmmModel ReadBack(Dictionary<string, byte[]> entries, System.Text.Json.Nodes.JsonObject json)
    {
        entries["m/model.json"] = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        return CausalMmmModel.ReadFrom(new ComponentStateReader(entries, "m/", 1));
    }

    [Fact]
    public void A_model_with_centred_mediator_edges_round_trips_and_its_forecasts_read_the_flag()
    {
        NumericPanel panel = Api.MediatedPathTests.ChainPanel(shops: 4, length: 40).ToNumeric();
        var options = new CausalMmmOptions();
        (options.Epochs, options.HiddenSize, options.BatchSize, options.Seed, options.CentredMediatorEdges) = (3, 8, 2, 4, true);
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
        Assert.True(model.Network.Decoder.HasMediatorEdges && model.Network.Decoder.CentresMediators);
        var saved = new Dictionary<string, byte[]>();
        model.WriteTo(new ComponentStateWriter(saved, "m/"));
        using CausalMmmModel back = CausalMmmModel.ReadFrom(new ComponentStateReader(saved, "m/", 1));
        Assert.True(back.Options.CentredMediatorEdges && back.Network.Decoder.CentresMediators);
        IReadOnlyList<double[,]> forecast = model.Forecast(panel, panel.Length, 10);
        Assert.Equal(forecast, back.Forecast(panel, panel.Length, 10));
        // The same weights read uncentred forecast otherwise: the flag, not only the weights, makes the model.
        var json = System.Text.Json.Nodes.JsonNode.Parse(saved["m/model.json"])!.AsObject();
        json["Options"]!["CentredMediatorEdges"] = false;
        using CausalMmmModel uncentred = ReadBack(saved, json);
        Assert.NotEqual(forecast, uncentred.Forecast(panel, panel.Length, 10));
    }

    [Fact]
    public void The_pair_layer_is_a_kernel_5_convolution_then_a_pointwise_one_averaged_over_time()
    {
        const int nodes = 4, window = 12, hidden = 6, batch = 3;
        using var edges = new EdgeIndex(nodes);
        using var encoder = new CausalRelationalEncoder(edges, window, hidden, EdgeEncoder.PairConvolution);
        string[] names = encoder.state_dict().Keys.ToArray();
        Assert.Contains("pair_conv.weight", names);
        Assert.DoesNotContain(names, n => n.StartsWith("node_embedding.", StringComparison.Ordinal));
        using (var mlp = new CausalRelationalEncoder(edges, window, hidden, EdgeEncoder.WindowMlp))
        {
            Assert.Contains(mlp.state_dict().Keys, n => n.StartsWith("node_embedding.", StringComparison.Ordinal));
            Assert.DoesNotContain("pair_conv.weight", mlp.state_dict().Keys);
        }

        using var scope = TorchSharp.torch.NewDisposeScope();
        TorchSharp.torch.random.manual_seed(3);
        var history = TorchSharp.torch.randn(batch, window, nodes);
        var actual = encoder.PairFeatures(history); // [B, E, H]

        // The same map with torch's own conv1d: each edge's (sender, receiver) series as two input channels.
        var parameters = encoder.state_dict();
        var series = history.transpose(1, 2); // [B, n, W]
        var pairs = TorchSharp.torch.stack(new[] { series.index_select(1, edges.SenderIndex), series.index_select(1, edges.ReceiverIndex) }, 2);
        long edgeCount = pairs.size(1);
        var flat = pairs.reshape(batch * edgeCount, 2, window);
        var h = TorchSharp.torch.nn.functional.relu(TorchSharp.torch.nn.functional.conv1d(flat, parameters["pair_conv.weight"].view(hidden, 2, CausalRelationalEncoder.PairKernel), parameters["pair_conv.bias"]));
        h = TorchSharp.torch.nn.functional.relu(TorchSharp.torch.nn.functional.conv1d(h, parameters["pair_mix.weight"].view(hidden, hidden, 1), parameters["pair_mix.bias"]));
        var expected = h.mean(new long[] { 2 }).reshape(batch, edgeCount, hidden);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-6), $"largest difference {(actual - expected).abs().max().item<float>()}");
    }
}
