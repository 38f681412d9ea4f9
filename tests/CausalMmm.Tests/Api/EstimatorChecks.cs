using CausalMmm.Data;
using CausalMmm.Pipeline;

namespace CausalMmm.Tests.Api;

/// <summary>
/// The checks every estimator must pass, in the spirit of ML.NET's TestEstimatorCore: the schema it announces is the
/// schema it produces; input it cannot use is refused with a message that names the problem; and a saved and reloaded
/// fitted transformer gives exactly the same output.
/// </summary>
internal static class EstimatorChecks
{
    public static TTransformer TestEstimatorCore<TTransformer>(IEstimator<TTransformer> estimator, MarketingPanel valid, MarketingPanel invalid,
        string expectedError) where TTransformer : class, ITransformer
    {
        // Schema propagation: announced before fitting, by the transformer, and produced by Transform all agree.
        PanelSchema announced = estimator.GetOutputSchema(valid.Schema);
        TTransformer transformer = estimator.Fit(valid);
        MarketingPanel output = transformer.Transform(valid);
        Assert.Equal(announced, output.Schema);
        Assert.Equal(announced, transformer.GetOutputSchema(valid.Schema));

        // Invalid input: refused before and during fitting, with a message that says what is missing.
        var schemaError = Assert.ThrowsAny<ArgumentException>(() => estimator.GetOutputSchema(invalid.Schema));
        Assert.Contains(expectedError, schemaError.Message);
        var fitError = Assert.ThrowsAny<ArgumentException>(() => estimator.Fit(invalid));
        Assert.Contains(expectedError, fitError.Message);
        var transformError = Assert.ThrowsAny<ArgumentException>(() => transformer.Transform(MarketingData.WithoutSeries(valid, "x0")));
        Assert.Contains("x0", transformError.Message);

        // Save and load round trip: identical output, and the loaded component is of the same type.
        string path = Path.Combine(Path.GetTempPath(), $"cmm-core-{Guid.NewGuid():N}.zip");
        try
        {
            var context = new MmmContext(seed: 1);
            context.Model.Save(transformer, path);
            ITransformer loaded = transformer is ITransformerChain ? context.Model.Load(path) : context.Model.Load<TTransformer>(path).LastTransformer;
            IEnumerable<ITransformer> Parts(ITransformer t) => t is ITransformerChain c ? c.Transformers : new[] { t };
            Assert.Equal(Parts(transformer).Select(t => t.GetType()), Parts(loaded).Select(t => t.GetType()));
            Assert.Equal(MarketingData.Fingerprint(output), MarketingData.Fingerprint(loaded.Transform(valid)));
            foreach (ITransformer part in Parts(loaded)) (part as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
        return transformer;
    }
}
