using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Modeling;
using CausalMmm.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Tests;

public sealed class CausalMmmModelTests : IClassFixture<ChainFixture>
{
    private readonly ChainFixture _chain;

    public CausalMmmModelTests(ChainFixture chain) => _chain = chain;

    [Fact]
    public void A_few_epochs_on_a_three_node_chain_recover_it()
    {
        IReadOnlyList<double[,]> probabilities = _chain.Model.EdgeProbabilities(_chain.Panel);
        (MetricSummary auroc, _) = GraphMetrics.Summarise(probabilities, Enumerable.Repeat(_chain.Truth, ChainFixture.Shops).ToArray());
        Assert.True(auroc.Mean > 0.9, $"AUROC {auroc}");
        Assert.True(probabilities[0][0, 1] > 0.5 && probabilities[0][1, 2] > 0.5, "the two chain edges are found");
    }

    [Fact]
    public void Training_is_deterministic_under_a_seed()
    {
        NumericPanel small = ChainFixture.Generate(seed: 3, shops: 6, length: 30);
        CausalMmmOptions options = ChainFixture.TrainingOptions();
        options.Epochs = 3;
        using CausalMmmModel first = CausalMmmTrainer.Fit(small, options);
        using CausalMmmModel second = CausalMmmTrainer.Fit(small, options);
        Assert.Equal(first.Summary!.LossHistory, second.Summary!.LossHistory);
        Assert.Equal(Flatten(first.EdgeProbabilities(small)), Flatten(second.EdgeProbabilities(small)));
    }

    [Fact]
    public void The_encoder_output_does_not_depend_on_the_order_of_shops_in_the_batch()
    {
        int[] reversed = Enumerable.Range(0, ChainFixture.Shops).Reverse().ToArray();
        IReadOnlyList<double[,]> forward = _chain.Model.EdgeProbabilities(_chain.Panel);
        IReadOnlyList<double[,]> backward = _chain.Model.EdgeProbabilities(_chain.Panel.SelectShops(reversed));
        for (int k = 0; k < reversed.Length; k++)
        {
            AssertClose(forward[reversed[k]], backward[k], 1e-5);
        }
    }

    [Fact]
    public void Claim_1_with_z_ij_zero_the_prediction_for_j_ignores_the_history_of_i()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        CausalMmmNetwork network = _chain.Model.Network;
        // Tests draw from their own generator: libtorch's global one seeds the model constructions of tests running beside this one.
        using var random = new Generator(3);
        Tensor values = torch.rand(new long[] { 4, 20, 3 }, generator: random);
        var weights = Enumerable.Repeat(1f, network.Edges.EdgeCount).ToArray();
        weights[network.Edges.Of(0, 2)] = 0; // cut x0 -> y
        Tensor edges = torch.tensor(weights).unsqueeze(0).expand(4, -1);
        Tensor context = torch.ones(4, 1);
        Tensor perturbed = values.clone();
        using (Tensor noise = torch.randn(new long[] { 4, 20, 1 }, generator: random))
        {
            perturbed = torch.cat(new[] { values.narrow(2, 0, 1) + noise, values.narrow(2, 1, 2) }, 2);
        }
        Tensor before = network.Decoder.Forward(values, edges, context).Means;
        Tensor after = network.Decoder.Forward(perturbed, edges, context).Means;
        Assert.Equal(before.narrow(2, 2, 1).data<float>().ToArray(), after.narrow(2, 2, 1).data<float>().ToArray());
        // With the edge present, the same perturbation does reach y: the invariance above is the edge's doing.
        Tensor full = torch.ones(4, network.Edges.EdgeCount);
        Tensor withEdge = network.Decoder.Forward(values, full, context).Means;
        Tensor withEdgePerturbed = network.Decoder.Forward(perturbed, full, context).Means;
        Assert.NotEqual(withEdge.narrow(2, 2, 1).data<float>().ToArray(), withEdgePerturbed.narrow(2, 2, 1).data<float>().ToArray());
    }

    [Fact]
    public void Forecasts_from_an_origin_do_not_change_when_data_after_it_is_perturbed()
    {
        int origin = ChainFixture.Length - 10;
        NumericPanel history = _chain.Panel.SliceTime(0, ChainFixture.Length);
        NumericPanel tampered = history.WithValues(v =>
        {
            for (int s = 0; s < history.ShopCount; s++)
            for (int t = origin; t < history.Length; t++)
            for (int j = 0; j < 3; j++) v[history.IndexOf(s, t, j)] += 100;
        });
        using CausalMmmModel model = TrainOnWindow(origin);
        Assert.Equal(Flatten(model.Forecast(history, origin, 7)), Flatten(model.Forecast(tampered, origin, 7)));
        Assert.Equal(Flatten(model.EdgeProbabilities(history, origin)), Flatten(model.EdgeProbabilities(tampered, origin)));
        Assert.NotEqual(Flatten(model.Forecast(history, origin + 5, 3)), Flatten(model.Forecast(tampered, origin + 5, 3)));
    }

    [Fact]
    public void Scenario_forecasts_copy_the_given_spends_and_the_target_follows_them()
    {
        int origin = ChainFixture.Length;
        const int horizon = 6;
        IReadOnlyList<double[,]> Plan(double x1) => Enumerable.Range(0, ChainFixture.Shops).Select(_ =>
        {
            var plan = new double[horizon, 2];
            for (int h = 0; h < horizon; h++) { plan[h, 0] = 0; plan[h, 1] = x1; }
            return plan;
        }).ToArray();
        IReadOnlyList<double[,]> high = _chain.Model.ForecastScenario(_chain.Panel, origin, Plan(1.2));
        IReadOnlyList<double[,]> low = _chain.Model.ForecastScenario(_chain.Panel, origin, Plan(-1.2));
        for (int s = 0; s < ChainFixture.Shops; s++)
        {
            Assert.Equal(1.2, high[s][3, 1]);
            Assert.Equal(-1.2, low[s][3, 1]);
            // y = 1.5 tanh(2 x1 of the previous step): a high x1 plan must forecast a higher y from the second step on.
            for (int h = 1; h < horizon; h++) Assert.True(high[s][h, 2] > low[s][h, 2] + 0.5, $"shop {s} step {h}: {high[s][h, 2]} vs {low[s][h, 2]}");
        }
        Assert.Throws<ArgumentException>(() => _chain.Model.ForecastScenario(_chain.Panel, origin, Plan(1).Take(3).ToArray()));
    }

    [Fact]
    public void Autonomous_forecasts_have_any_horizon_and_beat_the_mean_one_step_ahead()
    {
        int origin = ChainFixture.Length - 30;
        using CausalMmmModel model = TrainOnWindow(origin);
        IReadOnlyList<double[,]> forecast = model.Forecast(_chain.Panel, origin, 30);
        Assert.All(forecast, f => Assert.Equal(30, f.GetLength(0)));
        // y at origin + 1 is driven by x1 at origin, which the model forecasts from x0 at origin - 1: one-step y is predictable.
        double modelError = 0, meanError = 0;
        for (int s = 0; s < ChainFixture.Shops; s++)
        {
            double actual = _chain.Panel[s, origin, 2];
            modelError += Math.Pow(forecast[s][0, 2] - actual, 2);
            double mean = Enumerable.Range(0, origin).Average(t => _chain.Panel[s, t, 2]);
            meanError += Math.Pow(mean - actual, 2);
        }
        Assert.True(modelError < 0.5 * meanError, $"model {modelError:F3} vs mean {meanError:F3}");
    }

    [Fact]
    public void A_saved_and_reloaded_model_gives_the_same_outputs_and_damaged_weights_are_refused()
    {
        var entries = new Dictionary<string, byte[]>();
        _chain.Model.WriteTo(new ComponentStateWriter(entries, "model/"));
        using CausalMmmModel loaded = CausalMmmModel.ReadFrom(new ComponentStateReader(entries, "model/", 2));
        Assert.Equal(Flatten(_chain.Model.EdgeProbabilities(_chain.Panel)), Flatten(loaded.EdgeProbabilities(_chain.Panel)));
        Assert.Equal(Flatten(_chain.Model.Forecast(_chain.Panel, ChainFixture.Length, 5)), Flatten(loaded.Forecast(_chain.Panel, ChainFixture.Length, 5)));
        Assert.Equal(_chain.Model.Summary!.EpochsRun, loaded.Summary!.EpochsRun);

        byte[] weights = entries["model/weights.weights"];
        entries["model/weights.weights"] = weights[..(weights.Length / 2)];
        var truncated = Assert.Throws<InvalidDataException>(() => CausalMmmModel.ReadFrom(new ComponentStateReader(entries, "model/", 2)));
        Assert.Contains("model/weights.weights", truncated.Message);

        // Weights of another network (here: another hidden size) do not fit, and the error says which tensor.
        CausalMmmOptions other = ChainFixture.TrainingOptions();
        other.HiddenSize = 8;
        other.Epochs = 1;
        using CausalMmmModel small = CausalMmmTrainer.Fit(ChainFixture.Generate(seed: 2, shops: 4, length: ChainFixture.Length), other);
        var smallEntries = new Dictionary<string, byte[]>();
        small.WriteTo(new ComponentStateWriter(smallEntries, "model/"));
        entries["model/weights.weights"] = smallEntries["model/weights.weights"];
        var mismatch = Assert.Throws<InvalidDataException>(() => CausalMmmModel.ReadFrom(new ComponentStateReader(entries, "model/", 2)));
        Assert.Contains("expects", mismatch.Message);
    }

    [Fact]
    public void Inputs_that_do_not_match_the_model_are_rejected_with_the_reason()
    {
        var wrong = new NumericPanel(new[] { "a" }, new[] { "p", "q", "y" }, 2, new double[ChainFixture.Length * 3], ChainFixture.Length);
        var names = Assert.Throws<ArgumentException>(() => _chain.Model.EdgeProbabilities(wrong));
        Assert.Contains("x0", names.Message);
        var origin = Assert.Throws<ArgumentException>(() => _chain.Model.Forecast(_chain.Panel, 5, 3));
        Assert.Contains("encoder window", origin.Message);
        // A tensor of the wrong shape fed to the network (too few nodes) is a .NET exception from TorchSharp, not a crash.
        using DisposeScope scope = torch.NewDisposeScope();
        Assert.ThrowsAny<Exception>(() => _chain.Model.Network.EdgeLogits(torch.zeros(2, _chain.Model.EncoderWindow, 2)));
    }

    private CausalMmmModel TrainOnWindow(int length)
    {
        CausalMmmOptions options = ChainFixture.TrainingOptions();
        return CausalMmmTrainer.Fit(_chain.Panel.SliceTime(0, length), options);
    }

    internal static double[] Flatten(IReadOnlyList<double[,]> matrices) => matrices.SelectMany(m => m.Cast<double>()).ToArray();

    private static void AssertClose(double[,] expected, double[,] actual, double tolerance)
    {
        for (int i = 0; i < expected.GetLength(0); i++)
        for (int j = 0; j < expected.GetLength(1); j++)
            Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tolerance, $"[{i},{j}]: {expected[i, j]} vs {actual[i, j]}");
    }
}
