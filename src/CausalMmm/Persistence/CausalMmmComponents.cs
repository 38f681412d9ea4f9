using CausalMmm.CausalDiscovery;
using CausalMmm.Forecasting;
using CausalMmm.Transforms;

namespace CausalMmm.Persistence;

/// <summary>
/// The component kinds a model file may name, each with its loader. This library's own components are registered already;
/// a third-party component registers its kind once before loading. Nothing else is ever instantiated from a file, so a
/// model file cannot make the loader create arbitrary types.
/// </summary>
public static class CausalMmmComponents
{
    private static readonly Dictionary<string, Func<ComponentStateReader, ICausalMmmTransformer>> Loaders = new(StringComparer.Ordinal);
    private static readonly object Gate = new();

    static CausalMmmComponents()
    {
        Register(AdstockTransformer.Kind, AdstockTransformer.Load);
        Register(HillTransformer.Kind, HillTransformer.Load);
        Register(RidgeTransformer.Kind, RidgeTransformer.Load);
        Register(WideTransformer.Kind, WideTransformer.Load);
        Register(NaiveForecastTransformer.Kind, NaiveForecastTransformer.Load);
        Register(CausalGraphTransformer.Kind, CausalGraphTransformer.Load);
        Register(LinearGrangerGraphTransformer.Kind, LinearGrangerGraphTransformer.Load);
        Register(MarketingResponseTransformer.Kind, MarketingResponseTransformer.Load);
    }

    /// <summary>Registers the loader of <paramref name="componentKind"/>.</summary>
    /// <exception cref="ArgumentException">The kind is already registered with another loader.</exception>
    public static void Register(string componentKind, Func<ComponentStateReader, ICausalMmmTransformer> loader)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(componentKind);
        ArgumentNullException.ThrowIfNull(loader);
        lock (Gate)
        {
            if (Loaders.TryGetValue(componentKind, out var existing) && existing != loader)
                throw new ArgumentException($"Component kind '{componentKind}' is already registered with another loader.", nameof(componentKind));
            Loaders[componentKind] = loader;
        }
    }

    /// <summary>The registered kinds.</summary>
    public static IReadOnlyList<string> Kinds
    {
        get { lock (Gate) return Loaders.Keys.Order(StringComparer.Ordinal).ToArray(); }
    }

    internal static ICausalMmmTransformer Create(string kind, ComponentStateReader reader)
    {
        Func<ComponentStateReader, ICausalMmmTransformer>? loader;
        lock (Gate) Loaders.TryGetValue(kind, out loader);
        if (loader is null)
            throw new InvalidDataException($"it contains a component of unknown kind '{kind}' (known kinds: {string.Join(", ", Kinds)}); if it comes from another library, register its loader with CausalMmmComponents.Register before loading");
        return loader(reader);
    }

    /// <summary>What every one of our transformers throws from ML.NET's <c>ICanSaveModel.Save</c>.</summary>
    internal static NotSupportedException PlainSaveNotSupported(string type) => new(
        $"{type} cannot be written by mlContext.Model.Save: ML.NET keeps ModelSaveContext and [LoadableClass] internal to its own assemblies. "
        + "Save the whole model with mlContext.Model.SaveCausalMmm(model, inputSchema, path) and load it with mlContext.Model.LoadCausalMmm(path, out inputSchema).");
}
