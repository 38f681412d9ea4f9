using TorchSharp;

namespace CausalMmm.Tests;

/// <summary>A fact that skips itself, with the reason, where TorchSharp sees no CUDA device.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available())
            Skip = "No CUDA device visible to TorchSharp: this build references TorchSharp-cpu, or the machine has no GPU. On a GPU host, build with -p:CausalMmmTorchPackage=TorchSharp-cuda-linux (see Directory.Build.targets).";
    }
}

/// <summary>A fact about hosts without CUDA, skipped where CUDA is present.</summary>
public sealed class CpuOnlyFactAttribute : FactAttribute
{
    public CpuOnlyFactAttribute()
    {
        if (torch.cuda.is_available()) Skip = "CUDA is available here; this checks the error on hosts without it.";
    }
}
