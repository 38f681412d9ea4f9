namespace CausalMmm.Tests;

/// <summary>
/// Training seeds libtorch's process-wide generator, so two trainings on parallel test threads interleave
/// their random draws and neither is reproducible. Every test class that trains or samples joins this
/// collection, which xunit runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTraining
{
    public const string Name = "Serial training (shared libtorch generator)";
}
