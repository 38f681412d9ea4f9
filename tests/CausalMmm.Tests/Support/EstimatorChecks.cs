using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests;

/// <summary>
/// The checks every estimator must pass, in the spirit of ML.NET's TestEstimatorCore, over IDataView: the schema it
/// announces before fitting is the schema its transformer produces; input it cannot use is refused with a message that
/// names the problem (before fitting, when fitting, and when transforming); and a model saved with SaveCausalMmm and
/// loaded into a new MLContext gives bitwise the same output.
/// </summary>
internal static class EstimatorChecks
{
    public static TTransformer TestEstimatorCore<TTransformer>(IEstimator<TTransformer> estimator, IDataView valid, IDataView invalid, string expectedError,
        string removableInput = "x0") where TTransformer : class, ITransformer
    {
        // Schema propagation: announced before fitting, by the transformer, and produced by Transform all agree.
        SchemaShape announced = estimator.GetOutputSchema(ShapeOf(valid.Schema));
        TTransformer transformer = estimator.Fit(valid);
        IDataView output = transformer.Transform(valid);
        AssertSameColumns(announced, ShapeOf(output.Schema));
        AssertSameColumns(ShapeOf(transformer.GetOutputSchema(valid.Schema)), ShapeOf(output.Schema));
        Assert.NotEmpty(MarketingData.Fingerprint(output)); // the lazy columns actually compute

        // Invalid input: refused before and during fitting, with a message that says what is missing.
        var schemaError = Assert.ThrowsAny<ArgumentException>(() => estimator.GetOutputSchema(ShapeOf(invalid.Schema)));
        Assert.Contains(expectedError, schemaError.Message);
        var fitError = Assert.ThrowsAny<ArgumentException>(() => estimator.Fit(invalid));
        Assert.Contains(expectedError, fitError.Message);
        var transformError = Assert.ThrowsAny<ArgumentException>(() => transformer.Transform(MarketingData.Without(valid, removableInput)));
        Assert.Contains(removableInput, transformError.Message);

        // Save and load round trip in a new context: same parts, bitwise identical output.
        string path = Path.Combine(Path.GetTempPath(), $"cmm-core-{Guid.NewGuid():N}.zip");
        try
        {
            new MLContext(seed: 1).Model.SaveCausalMmm(transformer, valid.Schema, path);
            TransformerChain<ITransformer> loaded = new MLContext(seed: 2).Model.LoadCausalMmm(path, out DataViewSchema inputSchema);
            Assert.Equal(valid.Schema.Select(c => (c.Name, c.Type.RawType)), inputSchema.Select(c => (c.Name, c.Type.RawType)));
            Assert.Equal(CausalMmmModelOperations.Flatten(transformer).Select(t => t.GetType()), loaded.Select(t => t.GetType()));
            Assert.Equal(MarketingData.Fingerprint(output), MarketingData.Fingerprint(loaded.Transform(valid)));
            foreach (IDisposable part in loaded.OfType<IDisposable>()) part.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
        return transformer;
    }

    /// <summary>The shape of a schema, as ML.NET's EstimatorChain computes it (SchemaShape.Create is internal to ML.NET).</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static, new[] { typeof(DataViewSchema) })!.Invoke(null, new object[] { schema })!;

    /// <summary>The same visible columns with the same kind and item type (annotations and vector sizes aside, as SchemaShape has no sizes).</summary>
    public static void AssertSameColumns(SchemaShape expected, SchemaShape actual)
    {
        static string Describe(SchemaShape.Column c) => $"{c.Name}:{c.Kind}:{c.ItemType}";
        Assert.Equal(expected.Select(Describe).Order(), actual.Select(Describe).Order());
    }
}
