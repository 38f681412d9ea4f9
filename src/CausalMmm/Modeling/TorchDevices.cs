using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>Turns device names and ML.NET's GPU settings into TorchSharp devices, with errors that say how to fix them.</summary>
internal static class TorchDevices
{
    /// <summary>Parses <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c> and checks that CUDA is there when asked for.</summary>
    /// <exception cref="ArgumentException">The name is unknown or CUDA is not available; names <paramref name="optionName"/>.</exception>
    public static Device Parse(string name, string optionName)
    {
        ArgumentNullException.ThrowIfNull(name);
        string text = name.Trim().ToLowerInvariant();
        if (text == "cpu") return torch.CPU;
        int index = 0;
        bool cuda = text == "cuda" || (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text[5..], out index) && index >= 0);
        if (!cuda) throw new ArgumentException($"{optionName} must be \"cpu\", \"cuda\" or \"cuda:N\", got '{name}'.", optionName);
        if (!torch.cuda.is_available())
            throw new ArgumentException($"{optionName} is '{name}' but no CUDA device is visible: this build references TorchSharp-cpu, or the machine has no GPU. "
                + "Use \"cpu\", or give the application TorchSharp-cuda-linux (or -windows) instead of TorchSharp-cpu (see the README's install section).", optionName);
        if (index >= torch.cuda.device_count())
            throw new ArgumentException($"{optionName} is '{name}' but only {torch.cuda.device_count()} CUDA device(s) are visible.", optionName);
        return torch.device(DeviceType.CUDA, index);
    }

    /// <summary>
    /// The device ML.NET's own settings ask for: <c>GpuDeviceId</c> null means the CPU; with a GPU id and no CUDA, the CPU
    /// when <c>FallbackToCpu</c> is set (a warning goes to the log), an error otherwise.
    /// </summary>
    /// <exception cref="InvalidOperationException">A GPU was asked for, none is usable, and FallbackToCpu is false.</exception>
    public static string FromContext(MLContext mlContext, Action<string> warn)
    {
        if (mlContext.GpuDeviceId is not { } id) return "cpu";
        if (torch.cuda.is_available() && id >= 0 && id < torch.cuda.device_count()) return $"cuda:{id}";
        string why = torch.cuda.is_available() ? $"only {torch.cuda.device_count()} CUDA device(s) are visible" : "no CUDA device is visible (TorchSharp-cpu, or no GPU)";
        if (mlContext.FallbackToCpu)
        {
            warn($"MLContext.GpuDeviceId is {id} but {why}; training on the CPU because FallbackToCpu is set.");
            return "cpu";
        }
        throw new InvalidOperationException($"MLContext.GpuDeviceId is {id} but {why}. Set mlContext.FallbackToCpu = true to train on the CPU, "
            + "set GpuDeviceId to null, or give the application TorchSharp-cuda-linux (or -windows) instead of TorchSharp-cpu (see the README's install section).");
    }
}
