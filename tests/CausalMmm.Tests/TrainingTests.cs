using CausalMmm.Data;
using CausalMmm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Tests;

public sealed class TrainingTests
{
    private static readonly NumericPanel Small = ChainFixture.Generate(seed: 11, shops: 5, length: 20);

    private static CausalMmmOptions Quick(int epochs = 2) => CausalMmmOptions.Paper() with { Epochs = epochs, HiddenSize = 8, BatchSize = 2, ValidationFraction = 0 };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public void Trains_at_any_batch_size(int batchSize)
    {
        CausalMmmOptions options = Quick();
        options.BatchSize = batchSize;
        using CausalMmmModel model = CausalMmmTrainer.Fit(Small, options);
        Assert.Equal(2, model.Summary!.EpochsRun);
        Assert.All(model.Summary.LossHistory, l => Assert.True(double.IsFinite(l)));
    }

    [Fact]
    public void A_non_finite_loss_stops_training_with_the_epoch_and_batch()
    {
        CausalMmmOptions options = Quick();
        options.Variance = 1e-320; // the squared error over it overflows to infinity at once
        var error = Assert.Throws<TrainingDivergedException>(() => CausalMmmTrainer.Fit(Small, options));
        Assert.Equal(1, error.Epoch);
        Assert.Equal(1, error.Batch);
        Assert.Contains("epoch 1, batch 1", error.Message);
    }

    [Fact]
    public void Progress_is_reported_every_epoch_and_cancellation_is_honoured()
    {
        var seen = new List<TrainingProgress>();
        using (CausalMmmTrainer.Fit(Small, Quick(3), seen.Add)) { }
        Assert.Equal(new[] { 1, 2, 3 }, seen.Select(p => p.Epoch));
        Assert.All(seen, p => Assert.Equal(3, p.Epochs));

        using var cancellation = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => CausalMmmTrainer.Fit(Small, Quick(50), p => { if (p.Epoch == 2) cancellation.Cancel(); }, cancellation.Token));
    }

    [Fact]
    public void Early_stopping_watches_the_held_out_shops_and_keeps_the_best_epoch()
    {
        CausalMmmOptions options = Quick(30);
        options.ValidationFraction = 0.4;
        options.Patience = 2;
        options.LearningRate = 0.05;
        var validation = new List<double>();
        using CausalMmmModel model = CausalMmmTrainer.Fit(Small, options, p => validation.Add(p.ValidationLoss));
        Assert.All(validation, v => Assert.True(double.IsFinite(v)));
        TrainingSummary summary = model.Summary!;
        Assert.Equal(validation.Min(), summary.BestValidationLoss);
        Assert.Equal(validation.IndexOf(validation.Min()) + 1, summary.BestEpoch);
        Assert.True(summary.EpochsRun == 30 || summary.EpochsRun - summary.BestEpoch == 2);
    }

    [Fact]
    public void By_default_every_shop_trains_and_the_kept_epoch_is_the_lowest_training_loss()
    {
        var progress = new List<TrainingProgress>();
        using CausalMmmModel model = CausalMmmTrainer.Fit(Small, CausalMmmOptions.Paper() with { Epochs = 3, HiddenSize = 8, BatchSize = 2 }, progress.Add);
        Assert.All(progress, p => Assert.True(double.IsNaN(p.ValidationLoss), $"epoch {p.Epoch} reported a validation loss {p.ValidationLoss}"));
        TrainingSummary summary = model.Summary!;
        Assert.Equal(3, summary.EpochsRun);
        Assert.Equal(summary.LossHistory.Min(), summary.BestValidationLoss);
        Assert.Equal(summary.LossHistory.ToList().IndexOf(summary.LossHistory.Min()) + 1, summary.BestEpoch);
    }

    [Fact]
    public void The_cosine_schedule_takes_the_learning_rate_from_its_start_to_zero_over_the_epoch_cap()
    {
        CausalMmmOptions options = Quick(4);
        (options.LearningRate, options.Schedule) = (0.01, LearningRateSchedule.Cosine);
        var rates = new List<double>();
        using (CausalMmmTrainer.Fit(Small, options, p => rates.Add(p.LearningRate))) { }
        double[] expected = Enumerable.Range(0, 4).Select(k => 0.01 * (1 + Math.Cos(Math.PI * k / 4)) / 2).ToArray();
        Assert.Equal(expected, rates.ToArray(), (a, b) => Math.Abs(a - b) < 1e-9);

        // The step schedule (the default) holds the rate until its step size.
        var steps = new List<double>();
        CausalMmmOptions stepped = Quick(4);
        (stepped.LearningRate, stepped.LearningRateStepSize, stepped.LearningRateDecay) = (0.01, 2, 0.5);
        using (CausalMmmTrainer.Fit(Small, stepped, p => steps.Add(p.LearningRate))) { }
        Assert.Equal(new[] { 0.01, 0.01, 0.005, 0.005 }, steps.ToArray(), (a, b) => Math.Abs(a - b) < 1e-9);
    }

    [Fact]
    public void On_a_plateau_of_the_training_loss_training_stops_says_why_and_keeps_the_best_epoch()
    {
        // Every epoch must gain 30% on the best loss so far: the loss stalls by that measure within a few epochs.
        CausalMmmOptions options = Quick(200);
        (options.PlateauTolerance, options.Patience) = (0.3, 3);
        var losses = new List<double>();
        using CausalMmmModel model = CausalMmmTrainer.Fit(Small, options, p => losses.Add(p.TrainingLoss));
        TrainingSummary summary = model.Summary!;
        Assert.True(summary.EpochsRun < 200, $"ran all {summary.EpochsRun} epochs");
        Assert.Equal(losses.Count, summary.EpochsRun);
        Assert.StartsWith($"plateau at epoch {summary.EpochsRun}: the training loss gained less than 30% in 3 epochs", summary.StopReason);
        // The last three epochs each failed to beat the best before them by 30%.
        double before = losses.Take(summary.EpochsRun - 3).Min();
        Assert.All(losses.Skip(summary.EpochsRun - 3), l => Assert.True(l >= before - 0.3 * Math.Abs(before)));
        Assert.Equal(losses.Min(), summary.BestValidationLoss);

        // Patience counted in optimiser steps as well (the experiment for large panels): 5 shops in batches of 2 make 3
        // steps an epoch, so 3 steps are one epoch of patience, and the same losses stop no later.
        CausalMmmOptions byStep = options with { PatienceSteps = 3 };
        using (CausalMmmModel stepped = CausalMmmTrainer.Fit(Small, byStep))
        {
            Assert.Contains("gained less than 30% in 1 epochs", stepped.Summary!.StopReason);
            Assert.True(stepped.Summary.EpochsRun <= summary.EpochsRun, $"{stepped.Summary.EpochsRun} epochs against {summary.EpochsRun}");
        }
        Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(Small, options with { PatienceSteps = 0 }));
        // Nothing watches a plateau without a tolerance or a validation split: refused, not ignored.
        Assert.Contains("PatienceSteps would be ignored", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(Small, Quick(2) with { PatienceSteps = 5 })).Message);

        // Without a tolerance every epoch runs, and the summary says the cap stopped it.
        using CausalMmmModel capped = CausalMmmTrainer.Fit(Small, Quick(4));
        Assert.Equal((4, "epoch cap (4)"), (capped.Summary!.EpochsRun, capped.Summary.StopReason));
        Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(Small, CausalMmmOptions.Paper() with { PlateauTolerance = 1.5 }));
    }

    [Fact]
    public void The_validation_loss_leaves_out_the_kl_term()
    {
        using CausalMmmModel model = CausalMmmTrainer.Fit(Small, Quick(1));
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        model.Network.eval();
        Tensor values = PanelScaling.Measure(Small, 0, Small.Length).ToTensor(Small, 0, Small.Length);
        Tensor context = model.ContextTensor(Small);
        double Loss(double klWeight, bool includeKl)
        {
            CausalMmmOptions options = Quick();
            options.KlWeight = klWeight;
            return CausalMmmTrainer.NegativeElbo(model.Network, values, context, options, noise: null, includeKl: includeKl).item<float>();
        }
        double predictionOnly = Loss(0, includeKl: true);
        Assert.Equal(predictionOnly, Loss(1e4, includeKl: false));
        Assert.True(Loss(1e4, includeKl: true) > predictionOnly, "with the KL term the negative ELBO must exceed the prediction loss");
    }

    [Fact]
    public void Learning_rate_follows_the_step_schedule()
    {
        CausalMmmOptions options = Quick(5);
        options.LearningRate = 0.01;
        options.LearningRateStepSize = 2;
        options.LearningRateDecay = 0.5;
        var rates = new List<double>();
        using (CausalMmmTrainer.Fit(Small, options, p => rates.Add(p.LearningRate))) { }
        Assert.Equal(new[] { 0.01, 0.01, 0.005, 0.005, 0.0025 }, rates);
    }

    [Theory]
    [InlineData(CausalMmmVariant.FullGraph)]
    [InlineData(CausalMmmVariant.Markov)]
    [InlineData(CausalMmmVariant.NoSaturation)]
    public void Every_ablation_trains_and_forecasts(CausalMmmVariant variant)
    {
        CausalMmmOptions options = Quick();
        options.Variant = variant;
        using CausalMmmModel model = CausalMmmTrainer.Fit(Small, options);
        Assert.Equal(5, model.Forecast(Small, Small.Length, 5)[0].GetLength(0));
        double[,] graph = model.EdgeProbabilities(Small)[0];
        if (variant == CausalMmmVariant.FullGraph)
        {
            Assert.Equal(6, graph.Cast<double>().Count(p => p == 1.0)); // every off-diagonal edge, no encoder
        }
    }

    [Fact]
    public void Bad_options_are_rejected_with_the_option_named()
    {
        Assert.Contains("BatchSize", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(Small, CausalMmmOptions.Paper() with { BatchSize = 0 })).Message);
        Assert.Contains("EdgePrior", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(Small, CausalMmmOptions.Paper() with { EdgePrior = 1 })).Message);
        Assert.Contains("EncoderWindow", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(Small, CausalMmmOptions.Paper() with { EncoderWindow = 500 })).Message);
    }
}

public sealed class SaturationTests
{
    [Theory]
    [InlineData(SaturationInput.Softplus)]
    [InlineData(SaturationInput.Exponential)]
    public void With_a_batch_larger_than_one_each_shop_saturates_with_its_own_context(SaturationInput positivity)
    {
        using var saturation = SeededInitialisation.Create(1, () => new SaturationModule(contextCount: 2, positivity));
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        using var random = new Generator(5);
        Tensor raw = torch.rand(new long[] { 3, 10, 1 }, generator: random) * 4 - 2;
        Tensor context = torch.tensor(new[] { 0.5f, -1f, 2f, 0.3f, -0.7f, 1.1f }, new long[] { 3, 2 });
        float[] batched = saturation.forward(raw, context).data<float>().ToArray();
        for (int s = 0; s < 3; s++)
        {
            float[] alone = saturation.forward(raw.narrow(0, s, 1), context.narrow(0, s, 1)).data<float>().ToArray();
            float[] part = batched.Skip(s * 10).Take(10).ToArray();
            for (int k = 0; k < 10; k++) Assert.Equal(alone[k], part[k], 5);
        }
        // Changing shop 2's context moves shop 2 only.
        Tensor changed = torch.cat(new[] { context.narrow(0, 0, 2), torch.tensor(new[] { -3f, 3f }, new long[] { 1, 2 }) }, 0);
        float[] after = saturation.forward(raw, changed).data<float>().ToArray();
        Assert.Equal(batched.Take(20), after.Take(20));
        Assert.NotEqual(batched.Skip(20), after.Skip(20));
        Assert.All(after, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void The_exponential_saturation_input_is_the_hill_curve_of_exp_f_pre_and_never_overflows()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var context = TorchSharp.torch.tensor(new float[] { 0.3f, -1.2f, 1.5f, 0.4f }).reshape(2, 2); // two shops, two context variables
        var raw = TorchSharp.torch.linspace(-4, 4, 9).reshape(1, 9, 1).expand(2, 9, 1);
        using SaturationModule exponential = SeededInitialisation.Create(5, () => new SaturationModule(2, SaturationInput.Exponential));
        using SaturationModule softplus = SeededInitialisation.Create(5, () => new SaturationModule(2, SaturationInput.Softplus));
        (TorchSharp.torch.Tensor alpha, TorchSharp.torch.Tensor gamma) = exponential.Parameters(context);
        var powered = raw.exp().pow(alpha.unsqueeze(1));
        var expected = powered / (powered + gamma.unsqueeze(1));
        var actual = exponential.forward(raw, context);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-6), $"largest difference {(actual - expected).abs().max().item<float>()}");
        // The same initial weights read through softplus give another curve: the option changes the function, not the parameters.
        Assert.False(softplus.forward(raw, context).allclose(expected, rtol: 1e-3, atol: 1e-3));
        // Far beyond exp's range the curve sits at its ends instead of NaN, and its gradients stay finite.
        var far = TorchSharp.torch.tensor(new float[] { -500, 500 }).reshape(1, 2, 1).expand(2, 2, 1).contiguous().requires_grad_(true);
        var extreme = exponential.forward(far, context);
        extreme.sum().backward();
        Assert.True(far.grad is not null && far.grad.isfinite().all().item<bool>(), "the gradient at f_pre = ±500 is not finite");
        Assert.All(exponential.parameters(), p => Assert.True(p.grad is null || p.grad.isfinite().all().item<bool>(), "a curve parameter's gradient is not finite"));
        float[] ends = extreme.detach().transpose(0, 1).reshape(-1).data<float>().ToArray(); // step 0 of both shops, then step 1
        Assert.All(ends.Take(2), v => Assert.InRange(v, 0f, 1e-6f));
        Assert.All(ends.Skip(2), v => Assert.InRange(v, 1f - 1e-6f, 1f));
        // Every shop's curve rises with f_pre.
        Assert.True((actual.narrow(1, 1, 8) - actual.narrow(1, 0, 8)).gt(0).all().item<bool>());
    }
}
