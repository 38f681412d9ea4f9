using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Pipeline;
using CausalMmm.Torch;

namespace CausalMmm.Tests.Api;

/// <summary>A fact that skips itself, with the reason, where libtorch sees no CUDA device.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available())
            Skip = "No CUDA device visible to libtorch (CPU-only build or no GPU); build against a CUDA libtorch with -p:TorchDir=... on a GPU host.";
    }
}

/// <summary>A fact about CPU-only hosts, skipped where CUDA is present.</summary>
public sealed class CpuOnlyFactAttribute : FactAttribute
{
    public CpuOnlyFactAttribute()
    {
        if (torch.cuda.is_available()) Skip = "CUDA is available here; this checks the error on hosts without it.";
    }
}

[Collection(SerialTraining.Name)]
public sealed class GpuTests
{
    [CudaFact]
    public void A_pipeline_trained_on_the_gpu_saves_and_loads_on_the_cpu_with_the_same_forecasts()
    {
        MarketingPanel panel = MarketingData.Panel().SplitByTime(7).Test;
        var options = new CausalMmmOptions { Epochs = 3, HiddenSize = 8, BatchSize = 3, ValidationFraction = 0 };
        var ctx = new MmmContext(seed: 1, device: "cuda");
        var fitted = ctx.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = options })
            .Append(ctx.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = options })).Fit(panel);
        Assert.Equal(DeviceType.CUDA, fitted.LastTransformer.Model.Network.Device.Type);
        double[] onGpu = MarketingData.Fingerprint(fitted.Transform(panel));
        string path = Path.Combine(Path.GetTempPath(), $"cmm-gpu-{Guid.NewGuid():N}.zip");
        ctx.Model.Save(fitted, path);
        TransformerChain<MarketingResponseTransformer> loaded = new MmmContext(seed: 1).Model.Load<MarketingResponseTransformer>(path);
        File.Delete(path);
        Assert.Equal(DeviceType.CPU, loaded.LastTransformer.Model.Network.Device.Type);
        double[] onCpu = MarketingData.Fingerprint(loaded.Transform(panel));
        Assert.Equal(onGpu.Length, onCpu.Length);
        for (int i = 0; i < onGpu.Length; i++) Assert.Equal(onGpu[i], onCpu[i], Math.Max(1e-3, Math.Abs(onGpu[i]) * 1e-4));
    }

    [CpuOnlyFact]
    public void Asking_for_cuda_without_it_fails_with_a_fix()
    {
        var error = Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(ChainFixture.Generate(1, 3, 10), new CausalMmmOptions { Device = "cuda", Epochs = 1 }));
        Assert.Contains("CUDA", error.Message);
        Assert.Contains("cpu", error.Message);
    }
}
