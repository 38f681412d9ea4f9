using CausalMmm.CausalDiscovery;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace CausalMmm.Tests.Api;

public sealed class GpuTests
{
    [CudaFact]
    public void A_pipeline_trained_on_the_gpu_saves_and_loads_on_the_cpu_with_the_same_scores()
    {
        IDataView data = MarketingData.View();
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0 };
        CausalMmmCatalog mmm = ml.CausalMmm();
        var fitted = mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = EstimatorTests.Tiny() })
            .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = EstimatorTests.Tiny() })).Fit(data);
        Assert.Equal(DeviceType.CUDA, fitted.LastTransformer.Model.Network.Device.type);
        float[] onGpu = MarketingData.Fingerprint(fitted.Transform(data));
        string path = Path.Combine(Path.GetTempPath(), $"cmm-gpu-{Guid.NewGuid():N}.zip");
        ml.Model.SaveCausalMmm(fitted, data.Schema, path);
        TransformerChain<MarketingResponseTransformer> loaded = new MLContext(seed: 1).Model.LoadCausalMmm<MarketingResponseTransformer>(path, out _);
        File.Delete(path);
        Assert.Equal(DeviceType.CPU, loaded.LastTransformer.Model.Network.Device.type);
        float[] onCpu = MarketingData.Fingerprint(loaded.Transform(data));
        Assert.Equal(onGpu.Length, onCpu.Length);
        for (int i = 0; i < onGpu.Length; i++) Assert.Equal(onGpu[i], onCpu[i], Math.Max(1e-3f, Math.Abs(onGpu[i]) * 1e-4f));
    }

    [CpuOnlyFact]
    public void Asking_the_trainer_for_cuda_without_it_fails_with_a_fix()
    {
        var error = Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(ChainFixture.Generate(1, 3, 10), CausalMmmOptions.Paper() with { Device = "cuda", Epochs = 1 }));
        Assert.Contains("CUDA", error.Message);
        Assert.Contains("\"cpu\"", error.Message);
        Assert.Contains("Device", error.ParamName);
    }
}
