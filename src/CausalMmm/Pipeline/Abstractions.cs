using CausalMmm.Data;

namespace CausalMmm.Pipeline;

/// <summary>
/// Something that learns from a panel and produces a <typeparamref name="TTransformer"/> (ML.NET's IEstimator).
/// <see cref="GetOutputSchema"/> lets a pipeline be checked before anything is fitted.
/// </summary>
/// <typeparam name="TTransformer">The fitted component.</typeparam>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Fits on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">The panel lacks what this estimator needs; the message says what.</exception>
    TTransformer Fit(MarketingPanel input);

    /// <summary>The schema <c>Fit(x).Transform(x)</c> would have for an input with <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentException">The input schema lacks what this estimator needs.</exception>
    PanelSchema GetOutputSchema(PanelSchema inputSchema);
}

/// <summary>
/// A fitted component: maps a panel to a new panel with derived series, graphs or forecasts attached.
/// Implementations are immutable after fitting and safe to call from several threads at once.
/// </summary>
public interface ITransformer
{
    /// <summary>Applies the component; the input is not modified.</summary>
    /// <exception cref="ArgumentException">The panel lacks what this component needs; the message says what.</exception>
    MarketingPanel Transform(MarketingPanel input);

    /// <summary>The schema <see cref="Transform"/> returns for an input with <paramref name="inputSchema"/>.</summary>
    PanelSchema GetOutputSchema(PanelSchema inputSchema);

    /// <summary>
    /// The persisted kind, registered with <see cref="ModelRegistry"/> so <c>Load</c> can rebuild the component
    /// (for example <c>"CausalMmm.Adstock"</c>).
    /// </summary>
    string ComponentKind { get; }

    /// <summary>Version of this component's saved format; loading refuses versions it does not know.</summary>
    int ComponentVersion { get; }

    /// <summary>Writes the fitted state into <paramref name="context"/>.</summary>
    void Save(ModelSaveContext context);
}

/// <summary>Non-generic view of an estimator chain, so appending to a chain extends it instead of nesting it.</summary>
public interface IEstimatorChain
{
    /// <summary>The estimators, in order.</summary>
    IReadOnlyList<IEstimator<ITransformer>> Estimators { get; }
}

/// <summary>Estimators fitted one after another; the result is a <see cref="TransformerChain{TLast}"/>.</summary>
/// <typeparam name="TLast">The type of the last fitted component, reachable without casts.</typeparam>
public sealed class EstimatorChain<TLast> : IEstimator<TransformerChain<TLast>>, IEstimatorChain where TLast : ITransformer
{
    internal EstimatorChain(IReadOnlyList<IEstimator<ITransformer>> estimators) => Estimators = estimators;

    /// <summary>The estimators, in order.</summary>
    public IReadOnlyList<IEstimator<ITransformer>> Estimators { get; }

    /// <summary>Fits each estimator on the output of the previous fitted transformer.</summary>
    public TransformerChain<TLast> Fit(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema); // fail before any training when the pipeline cannot work
        var fitted = new List<ITransformer>();
        MarketingPanel current = input;
        for (int i = 0; i < Estimators.Count; i++)
        {
            ITransformer transformer = Estimators[i].Fit(current);
            fitted.Add(transformer);
            if (i + 1 < Estimators.Count) current = transformer.Transform(current);
        }
        return new TransformerChain<TLast>(fitted);
    }

    /// <summary>Propagates the schema through every estimator.</summary>
    public PanelSchema GetOutputSchema(PanelSchema inputSchema) => Estimators.Aggregate(inputSchema, (s, e) => e.GetOutputSchema(s));
}

/// <summary>Non-generic view of a transformer chain.</summary>
public interface ITransformerChain : ITransformer
{
    /// <summary>The transformers, in order.</summary>
    IReadOnlyList<ITransformer> Transformers { get; }
}

/// <summary>Fitted transformers applied in order. <see cref="LastTransformer"/> is typed, so fitted parameters need no cast.</summary>
/// <typeparam name="TLast">The type of the last transformer.</typeparam>
public sealed class TransformerChain<TLast> : ITransformerChain where TLast : ITransformer
{
    internal const string Kind = "CausalMmm.TransformerChain";

    /// <summary>Creates a chain; the last transformer must be a <typeparamref name="TLast"/>.</summary>
    /// <exception cref="ArgumentException">The chain is empty or ends with another type.</exception>
    public TransformerChain(IReadOnlyList<ITransformer> transformers)
    {
        ArgumentNullException.ThrowIfNull(transformers);
        if (transformers.Count == 0) throw new ArgumentException("A transformer chain needs at least one transformer.", nameof(transformers));
        if (transformers[^1] is not TLast last)
            throw new ArgumentException($"The chain ends with a {transformers[^1].GetType().Name}, not a {typeof(TLast).Name}.", nameof(transformers));
        Transformers = transformers.ToArray();
        LastTransformer = last;
    }

    /// <inheritdoc />
    public IReadOnlyList<ITransformer> Transformers { get; }

    /// <summary>The last transformer, typed.</summary>
    public TLast LastTransformer { get; }

    /// <summary>Applies every transformer in order.</summary>
    public MarketingPanel Transform(MarketingPanel input) => Transformers.Aggregate(input, (panel, t) => t.Transform(panel));

    /// <summary>Propagates the schema through every transformer.</summary>
    public PanelSchema GetOutputSchema(PanelSchema inputSchema) => Transformers.Aggregate(inputSchema, (s, t) => t.GetOutputSchema(s));

    /// <inheritdoc />
    public string ComponentKind => Kind;

    /// <inheritdoc />
    public int ComponentVersion => 1;

    /// <summary>Chains are saved as their components by <see cref="ModelRegistry"/>; this writes nothing itself.</summary>
    public void Save(ModelSaveContext context)
    {
    }
}
