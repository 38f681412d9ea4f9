using Microsoft.ML;

namespace CausalMmm.Persistence;

/// <summary>
/// A fitted component that <c>mlContext.Model.SaveCausalMmm</c> can write and <c>LoadCausalMmm</c> can rebuild. ML.NET's
/// own persistence (<c>ICanSaveModel</c> with <c>ModelSaveContext</c>, and <c>[LoadableClass]</c>) is internal to Microsoft's
/// assemblies, so a component outside them persists through this interface instead; plain <c>mlContext.Model.Save</c>
/// refuses it with an error that names <c>SaveCausalMmm</c>.
/// </summary>
public interface ICausalMmmTransformer : ITransformer
{
    /// <summary>The persisted kind, for example <c>"CausalMmm.Adstock"</c>; <see cref="CausalMmmComponents"/> maps it to a loader.</summary>
    string ComponentKind { get; }

    /// <summary>The version of the saved state; loaders refuse versions they do not know.</summary>
    int ComponentVersion { get; }

    /// <summary>Writes the fitted state.</summary>
    void SaveState(ComponentStateWriter writer);
}
