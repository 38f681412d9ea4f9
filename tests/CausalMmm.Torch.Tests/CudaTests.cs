using CausalMmm.Torch;

namespace CausalMmm.Torch.Tests;

/// <summary>A fact that skips itself, with the reason, where libtorch sees no CUDA device.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available())
        {
            Skip = $"No CUDA device visible to libtorch {torch.version} (CPU-only build or no GPU); build against a CUDA libtorch with -p:TorchDir=... on a GPU host.";
        }
    }
}

public sealed class CudaTests
{
    [Fact]
    public void Cuda_availability_queries_answer_without_a_device()
    {
        bool available = torch.cuda.is_available();
        Assert.Equal(available, torch.cuda.device_count() > 0);
    }

    [CudaFact]
    public void Tensors_move_to_the_gpu_compute_there_and_come_back()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = torch.tensor(new[] { 1f, 2, 3, 4 }, new long[] { 2, 2 }).to(Device.CUDA);
        Assert.Equal(Device.CUDA, a.device);
        Tensor product = a.matmul(a).to(Device.CPU);
        Assert.Equal(new[] { 7f, 10, 15, 22 }, product.ToArray<float>());
    }

    [CudaFact]
    public void A_module_trained_on_the_gpu_saves_and_loads_on_the_cpu()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cmm-gpu-{Guid.NewGuid():N}.bin");
        try
        {
            using var gpu = torch.nn.Linear(3, 2);
            gpu.to(Device.CUDA);
            gpu.save(path);
            using var cpu = torch.nn.Linear(3, 2);
            cpu.load(path);
            using DisposeScope scope = torch.NewDisposeScope();
            Assert.Equal(gpu.weight.to(Device.CPU).ToArray<float>(), cpu.weight.ToArray<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Asking_for_a_missing_gpu_fails_with_a_device_error_not_a_crash()
    {
        if (torch.cuda.is_available()) return; // the GPU path is covered by the CUDA facts above
        using DisposeScope scope = torch.NewDisposeScope();
        var error = Assert.Throws<InvalidOperationException>(() => torch.zeros(2).to(Device.CUDA));
        Assert.StartsWith("device:", error.Message);
    }
}
