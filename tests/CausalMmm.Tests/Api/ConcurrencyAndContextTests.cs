using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Pipeline;

namespace CausalMmm.Tests.Api;

[Collection(SerialTraining.Name)]
public sealed class ConcurrencyAndContextTests
{
    private static readonly MarketingPanel Panel = MarketingData.Panel().SplitByTime(7).Test;

    private static CausalMmmOptions Tiny() => new() { Epochs = 3, HiddenSize = 8, BatchSize = 3, ValidationFraction = 0 };

    private static EstimatorChain<MarketingResponseTransformer> CausalPipeline(MmmContext ctx) =>
        ctx.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = Tiny() })
            .Append(ctx.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Tiny() }));

    [Fact]
    public void One_loaded_transformer_used_by_8_threads_gives_the_sequential_results()
    {
        var ctx = new MmmContext(seed: 1);
        var fitted = CausalPipeline(ctx).Fit(Panel);
        string path = Path.Combine(Path.GetTempPath(), $"cmm-threads-{Guid.NewGuid():N}.zip");
        ctx.Model.Save(fitted, path);
        ITransformer loaded = ctx.Model.Load(path);
        File.Delete(path);
        MarketingPanel[] inputs = Enumerable.Range(0, 8).Select(i => Panel.SelectShops(Panel.ShopIds.Skip(i % 3))).ToArray();
        double[][] sequential = inputs.Select(p => MarketingData.Fingerprint(loaded.Transform(p))).ToArray();
        var parallel = new double[8][];
        using var start = new Barrier(8);
        Thread[] threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            for (int repeat = 0; repeat < 3; repeat++) parallel[i] = MarketingData.Fingerprint(loaded.Transform(inputs[i]));
        })).ToArray();
        foreach (Thread t in threads) t.Start();
        foreach (Thread t in threads) t.Join();
        for (int i = 0; i < 8; i++) Assert.Equal(sequential[i], parallel[i]);
        foreach (ITransformer t in ((ITransformerChain)loaded).Transformers.Concat(fitted.Transformers)) (t as IDisposable)?.Dispose();
    }

    [Fact]
    public void The_same_context_seed_repeats_a_cpu_run_and_another_seed_does_not()
    {
        double[] Run(int seed)
        {
            var ctx = new MmmContext(seed: seed);
            var fitted = CausalPipeline(ctx).Fit(Panel);
            double[] result = MarketingData.Fingerprint(fitted.Transform(Panel));
            foreach (ITransformer t in fitted.Transformers) (t as IDisposable)?.Dispose();
            return result;
        }
        double[] first = Run(5);
        Assert.Equal(first, Run(5));
        Assert.NotEqual(first, Run(6));
    }

    [Fact]
    public void The_context_reports_progress_of_each_component_and_validates_its_settings()
    {
        var seen = new List<ComponentProgress>();
        var ctx = new MmmContext(seed: 1, progress: seen.Add);
        var fitted = CausalPipeline(ctx).Fit(Panel);
        Assert.Equal(3, seen.Count(p => p.Component == nameof(CausalGraphEstimator)));
        Assert.Equal(3, seen.Count(p => p.Component == nameof(MarketingResponseForecaster)));
        foreach (ITransformer t in fitted.Transformers) (t as IDisposable)?.Dispose();

        Assert.Contains("Unknown device", Assert.Throws<ArgumentException>(() => new MmmContext(device: "tpu")).Message);
        Assert.Throws<ArgumentException>(() => new MmmContext(threads: 0));
        if (!Torch.torch.cuda.is_available())
            Assert.Contains("no CUDA device", Assert.Throws<ArgumentException>(() => new MmmContext(device: "cuda")).Message);
    }

    [Fact]
    public void Cancellation_stops_training()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var ctx = new MmmContext(seed: 1, cancellationToken: cancel.Token);
        Assert.ThrowsAny<OperationCanceledException>(() => CausalPipeline(ctx).Fit(Panel));
    }

    [Fact]
    public void Scenario_forecasts_follow_the_media_plan_through_any_fitted_pipeline()
    {
        var ctx = new MmmContext(seed: 1);
        MarketingPanel history = MarketingData.Panel();
        var classic = ctx.Transforms.Adstock().Append(ctx.Transforms.Hill()).Append(ctx.Forecasting.Trainers.Ridge()).Fit(history);
        MediaPlan baseline = MediaPlan.RepeatLast(history, 14);
        MediaPlan doubled = baseline.ScaleChannels(history.Schema, 2.0);
        Assert.Equal(2 * baseline.Total("x1"), doubled.Total("x1"), 9);
        MarketingPanel a = classic.Transform(baseline.AppendTo(history)), b = classic.Transform(doubled.AppendTo(history));
        Assert.Equal(history.Length, a.Forecast!.Origin);
        Assert.Equal(14, a.Forecast.Horizon);
        double gmvA = Enumerable.Range(0, a.ShopCount).Sum(s => a.Forecast.Get(s, "gmv").Sum());
        double gmvB = Enumerable.Range(0, b.ShopCount).Sum(s => b.Forecast!.Get(s, "gmv").Sum());
        Assert.True(gmvB > gmvA, $"doubling spend should raise GMV in data where every channel helps: {gmvA} vs {gmvB}");

        using MarketingResponseTransformer causal = ctx.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Tiny() }).Fit(history);
        IReadOnlyList<double[,]> planned = causal.ForecastScenario(history, doubled);
        double[,] shop0 = doubled["s0"];
        for (int h = 0; h < 14; h++) Assert.Equal(shop0[h, 1], planned[0][h, 1]);
        var viaTransform = causal.Transform(doubled.AppendTo(history)).Forecast!;
        Assert.Equal(planned[0].Cast<double>(), viaTransform[0].Cast<double>());
    }
}
