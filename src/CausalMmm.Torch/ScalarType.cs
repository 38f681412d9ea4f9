namespace CausalMmm.Torch;

/// <summary>Element types a <see cref="Tensor"/> can hold. The numbering matches the native ABI.</summary>
public enum ScalarType
{
    /// <summary>32-bit IEEE float, the default for model parameters and data.</summary>
    Float32 = 0,

    /// <summary>64-bit IEEE float, used where precision matters (gradient checks, metrics).</summary>
    Float64 = 1,

    /// <summary>64-bit signed integer, used for indices.</summary>
    Int64 = 2,

    /// <summary>Boolean, produced by comparisons and used as masks.</summary>
    Bool = 3,
}
