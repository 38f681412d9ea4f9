namespace CausalMmm.Torch;

/// <summary>Kinds of device a tensor can live on. The numbering matches the native ABI.</summary>
public enum DeviceType
{
    /// <summary>Host memory, computed by libtorch's CPU kernels.</summary>
    CPU = 0,

    /// <summary>An NVIDIA GPU; needs a CUDA-enabled libtorch.</summary>
    CUDA = 1,
}

/// <summary>Where a tensor lives: a device type and, for CUDA, the device index.</summary>
/// <param name="Type">The kind of device.</param>
/// <param name="Index">The device ordinal (0 for the CPU).</param>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    /// <summary>The host CPU.</summary>
    public static Device CPU { get; } = new(DeviceType.CPU);

    /// <summary>The first CUDA device.</summary>
    public static Device CUDA { get; } = new(DeviceType.CUDA);

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    /// <exception cref="ArgumentException">The text names no known device.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu")
        {
            return CPU;
        }
        if (t == "cuda")
        {
            return CUDA;
        }
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out int index) && index >= 0)
        {
            return new Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"Unknown device '{text}'. Use 'cpu', 'cuda' or 'cuda:N'.", nameof(text));
    }

    /// <summary>The PyTorch spelling: "cpu" or "cuda:N".</summary>
    public override string ToString() => Type == DeviceType.CPU ? "cpu" : $"cuda:{Index}";
}
