using CausalMmm.Pipeline;

namespace CausalMmm;

/// <summary>
/// Chains estimators: <c>a.Append(b)</c> fits a, transforms with it, then fits b on the result. In the root namespace,
/// so <c>using CausalMmm;</c> is all a pipeline needs.
/// </summary>
public static class EstimatorExtensions
{
    /// <summary>An estimator that fits <paramref name="first"/> then <paramref name="next"/> on its output.</summary>
    public static EstimatorChain<TNext> Append<TFirst, TNext>(this IEstimator<TFirst> first, IEstimator<TNext> next)
        where TFirst : class, ITransformer where TNext : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(next);
        return first is IEstimatorChain chain
            ? new EstimatorChain<TNext>(chain.Estimators.Append(next).ToArray())
            : new EstimatorChain<TNext>(new IEstimator<ITransformer>[] { first, next });
    }

    /// <summary>A transformer chain of <paramref name="first"/> then <paramref name="next"/>.</summary>
    public static TransformerChain<TNext> Append<TNext>(this ITransformer first, TNext next) where TNext : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(next);
        IEnumerable<ITransformer> head = first is ITransformerChain chain ? chain.Transformers : new[] { first };
        return new TransformerChain<TNext>(head.Append(next).ToArray());
    }
}
