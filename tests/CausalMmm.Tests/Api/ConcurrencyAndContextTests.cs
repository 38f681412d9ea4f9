using CausalMmm.CausalDiscovery;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace CausalMmm.Tests.Api;

public sealed class ConcurrencyAndContextTests
{
    private static readonly IDataView Data = MarketingData.View();

    private static EstimatorChain<MarketingResponseTransformer> CausalPipeline(MLContext ml, Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        CausalMmmCatalog mmm = ml.CausalMmm();
        return mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = EstimatorTests.Tiny(), Progress = progress, CancellationToken = cancel })
            .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = EstimatorTests.Tiny(), Progress = progress, CancellationToken = cancel }));
    }

    [Fact]
    public void One_loaded_model_used_by_8_threads_gives_the_sequential_results()
    {
        var ml = new MLContext(seed: 1);
        var fitted = CausalPipeline(ml).Fit(Data);
        string path = Path.Combine(Path.GetTempPath(), $"cmm-threads-{Guid.NewGuid():N}.zip");
        ml.Model.SaveCausalMmm(fitted, Data.Schema, path);
        TransformerChain<ITransformer> loaded = new MLContext(seed: 3).Model.LoadCausalMmm(path, out _);
        File.Delete(path);
        // Different subsets of shops per thread: a shop's scores depend on its own rows only.
        IDataView[] inputs = Enumerable.Range(0, 8).Select(i => ml.Data.FilterRowsByColumn(Data, "context1", lowerBound: 0.1 * (i % 3))).ToArray();
        float[][] sequential = inputs.Select(d => MarketingData.Fingerprint(loaded.Transform(d))).ToArray();
        var parallel = new float[8][][];
        using var start = new Barrier(8);
        Thread[] threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            parallel[i] = Enumerable.Range(0, 3).Select(_ => MarketingData.Fingerprint(loaded.Transform(inputs[i]))).ToArray();
        })).ToArray();
        foreach (Thread t in threads) t.Start();
        foreach (Thread t in threads) t.Join();
        for (int i = 0; i < 8; i++)
            foreach (float[] repeat in parallel[i]) Assert.Equal(sequential[i], repeat);
        foreach (IDisposable t in loaded.OfType<IDisposable>().Concat(fitted.OfType<IDisposable>())) t.Dispose();
    }

    [Fact]
    public void Scoring_a_subset_of_shops_gives_those_shops_the_same_scores_up_to_float_rounding()
    {
        var ml = new MLContext(seed: 1);
        var fitted = CausalPipeline(ml).Fit(Data);
        var all = ml.Data.FilterRowsByColumn(fitted.Transform(Data), "context0", lowerBound: 2).GetColumn<float>("Score").ToArray();
        var subset = fitted.Transform(ml.Data.FilterRowsByColumn(Data, "context0", lowerBound: 2)).GetColumn<float>("Score").ToArray();
        Assert.NotEmpty(subset);
        Assert.Equal(all.Length, subset.Length);
        // Each shop is computed from its own rows; only the batch size of the matrix kernels differs, which moves the last bits.
        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal(float.IsNaN(all[i]), float.IsNaN(subset[i])); // the first date of each shop has no prediction
            if (!float.IsNaN(all[i])) Assert.True(Math.Abs(all[i] - subset[i]) <= 1e-5f * Math.Max(1f, Math.Abs(all[i])), $"row {i}: {all[i]} vs {subset[i]}");
        }
        foreach (IDisposable t in fitted.OfType<IDisposable>()) t.Dispose();
    }

    [Fact]
    public void The_same_context_seed_repeats_a_cpu_run_bit_for_bit_and_another_seed_does_not()
    {
        float[] Run(int seed)
        {
            var fitted = CausalPipeline(new MLContext(seed)).Fit(Data);
            float[] result = MarketingData.Fingerprint(fitted.Transform(Data));
            foreach (IDisposable t in fitted.OfType<IDisposable>()) t.Dispose();
            return result;
        }
        float[] first = Run(5);
        Assert.Equal(first, Run(5));
        Assert.NotEqual(first, Run(6));
    }

    [Fact]
    public void Training_reports_progress_every_epoch_and_logs_through_the_context()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<LoggingEventArgs>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e); };
        var seen = new List<TrainingProgress>();
        var fitted = CausalPipeline(ml, seen.Add).Fit(Data);
        Assert.Equal(new[] { 1, 2, 3, 1, 2, 3 }, seen.Select(p => p.Epoch));
        Assert.Contains(messages, m => m.Source.StartsWith(nameof(CausalGraphEstimator), StringComparison.Ordinal) && m.RawMessage.StartsWith("epoch 3/3", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Source.StartsWith(nameof(MarketingResponseForecaster), StringComparison.Ordinal) && m.RawMessage == "Graph: Upstream");
        foreach (IDisposable t in fitted.OfType<IDisposable>()) t.Dispose();
    }

    [Fact]
    public void Cancellation_stops_training()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => CausalPipeline(new MLContext(seed: 1), cancel: cancel.Token).Fit(Data));
    }

    [Fact]
    public void Bad_settings_are_refused_with_the_setting_named()
    {
        CausalMmmCatalog mmm = new MLContext(seed: 1).CausalMmm();
        var device = Assert.Throws<ArgumentException>(() => mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = CausalMmmOptions.Paper() with { Device = "tpu" } }));
        Assert.Contains("Device", device.Message);
        Assert.Contains("tpu", device.Message);
        // Seed and device come from the MLContext: a value the estimator would overwrite is refused, not dropped.
        var cuda = Assert.Throws<ArgumentException>(() => mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = CausalMmmOptions.Paper() with { Device = "cuda" } }));
        Assert.Contains("GpuDeviceId", cuda.Message);
        CausalMmmOptions seeded = new CausalMmmOptions();
        seeded.Seed = 7;
        var seed = Assert.Throws<ArgumentException>(() => mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = seeded }));
        Assert.Contains("new MLContext(seed: 7)", seed.Message);
        Assert.Contains("MLContext", Assert.Throws<ArgumentException>(() => mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = seeded })).Message);
        var epochs = Assert.Throws<ArgumentException>(() => mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = CausalMmmOptions.Paper() with { Epochs = 0 } }));
        Assert.Contains("Epochs", epochs.Message);
        var threads = Assert.Throws<ArgumentOutOfRangeException>(() => mmm.CausalDiscovery.Trainers.CausalGraph(
            new CausalGraphEstimator.Options { Model = EstimatorTests.Tiny(), NumberOfThreads = 0 }).Fit(Data));
        Assert.Contains("NumberOfThreads", threads.Message);
        Assert.Contains("MaxDecay", Assert.Throws<ArgumentOutOfRangeException>(() => mmm.Transforms.Adstock(new Transforms.AdstockEstimator.Options { MaxDecay = 1 })).Message);
        Assert.Contains("Lambda", Assert.Throws<ArgumentOutOfRangeException>(() => mmm.Forecasting.Trainers.Ridge(lambda: -1)).Message);
    }

    [CpuOnlyFact]
    public void A_gpu_asked_for_through_the_context_falls_back_only_when_allowed()
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0 };
        var error = Assert.Throws<InvalidOperationException>(() => CausalPipeline(ml).Fit(Data));
        Assert.Contains("GpuDeviceId", error.Message);
        Assert.Contains("FallbackToCpu", error.Message);

        ml.FallbackToCpu = true;
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        var fitted = CausalPipeline(ml).Fit(Data);
        Assert.Contains(warnings, w => w.Contains("training on the CPU"));
        Assert.Equal(DeviceType.CPU, fitted.LastTransformer.Model.Network.Device.type);
        foreach (IDisposable t in fitted.OfType<IDisposable>()) t.Dispose();
    }
}
