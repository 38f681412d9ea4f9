using CausalMmm.Data;
using CausalMmm.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace CausalMmm;

/// <summary>
/// What every component shares: the <see cref="MLContext"/> it was created from (its host writes to <c>mlContext.Log</c>
/// and hands out seeds from the context's seed), the catalog's schema, and the column-role resolution and schema
/// propagation every estimator does the same way.
/// </summary>
internal sealed class ComponentHost
{
    public ComponentHost(CausalMmmCatalog catalog, string name)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        Context = catalog.Context;
        Schema = catalog.Schema;
        Name = name;
        // MLContext is a public IHostEnvironment: a registered host's Rand is seeded from the context's seed, and its
        // channels write to mlContext.Log.
        Host = ((IHostEnvironment)catalog.Context).Register(name);
    }

    public MLContext Context { get; }

    public MarketingSchema Schema { get; }

    public string Name { get; }

    public IHost Host { get; }

    /// <summary>A seed from the context (the same sequence for the same context seed and creation order).</summary>
    public int NextSeed() => Host.Rand.Next(1, int.MaxValue);

    /// <summary>A seed for something that is not a component (a simulator called from a catalog).</summary>
    public static int DrawSeed(MLContext context, string name) => ((IHostEnvironment)context).Register(name).Rand.Next(1, int.MaxValue);

    public void Info(string message)
    {
        using IChannel channel = Host.Start("Fit");
        channel.Info(MessageSensitivity.None, message);
    }

    public void Warning(string message)
    {
        using IChannel channel = Host.Start("Fit");
        channel.Warning(MessageSensitivity.None, message);
    }

    /// <summary>Roles of a data view's columns, logging the numeric columns that got none.</summary>
    public PanelRoles Resolve(DataViewSchema schema, PanelColumnOptions options, bool requireTarget)
    {
        PanelRoles roles = PanelRoles.Resolve(PanelRoles.Columns(schema), options, Schema, requireTarget, Name, out IReadOnlyList<string> ignored);
        if (ignored.Count > 0)
            Info($"Numeric columns with no role, ignored: [{string.Join(", ", ignored)}]. Name them in the options (ChannelColumnNames, MediatorColumnNames, ...) or the catalog's schema to use them.");
        return roles;
    }

    /// <summary>Roles of an estimator's input shape (for <c>GetOutputSchema</c>).</summary>
    public PanelRoles Resolve(SchemaShape shape, PanelColumnOptions options, bool requireTarget) =>
        PanelRoles.Resolve(PanelRoles.Columns(shape), options, Schema, requireTarget, Name, out _);

    /// <summary>The date formats of a Text date column.</summary>
    public string[] DateFormats => Schema.DateFormats.ToArray();

    /// <summary>
    /// <paramref name="shape"/> plus Single scalar columns named <paramref name="names"/>. <c>SchemaShape.Column</c> has no
    /// public constructor, so the columns come from a stock estimator: ConvertType of a numeric input column to Single.
    /// </summary>
    public SchemaShape AddSingles(SchemaShape shape, IEnumerable<string> names, string numericSource)
    {
        foreach (string name in names)
            shape = Context.Transforms.Conversion.ConvertType(name, numericSource, DataKind.Single).GetOutputSchema(shape);
        return shape;
    }

    /// <summary><paramref name="shape"/> plus a Single vector column (Concatenate of a Single scalar gives one; SchemaShape has no sizes).</summary>
    public SchemaShape AddSingleVector(SchemaShape shape, string name, string numericSource)
    {
        const string temporary = "__causalmmm_vector_source";
        SchemaShape withSource = AddSingles(shape, new[] { temporary }, numericSource);
        SchemaShape result = Context.Transforms.Concatenate(name, temporary).GetOutputSchema(withSource);
        return new SchemaShape(result.Where(c => c.Name != temporary));
    }

    /// <summary>
    /// The training device: <paramref name="requested"/>, unless the context's <c>GpuDeviceId</c> asks for a GPU (then that
    /// GPU, or the CPU with a warning when <c>FallbackToCpu</c> is set). Also sets libtorch's intra-op threads when
    /// <paramref name="threads"/> is given (a process-wide setting).
    /// </summary>
    /// <exception cref="InvalidOperationException">A GPU was asked for, none is usable, and FallbackToCpu is false.</exception>
    public string PrepareTorch(string requested, int? threads)
    {
        string device = Context.GpuDeviceId is not null ? TorchDevices.FromContext(Context, Warning) : requested;
        if (threads is { } n) torch.set_num_threads(n);
        return device;
    }

    /// <summary>
    /// Refuses the model options an estimator would overwrite: the seed (drawn from the <c>MLContext</c>) and the device (from <c>MLContext.GpuDeviceId</c>). Silently replacing them
    /// would train another model than the one asked for.
    /// </summary>
    /// <exception cref="ArgumentException">Model.Seed or Model.Device is set.</exception>
    public void CheckContextOwned(CausalMmmOptions model)
    {
        var defaults = new CausalMmmOptions();
        if (model.Seed != defaults.Seed)
            throw new ArgumentException($"{Name}: Model.Seed is {model.Seed}, but an estimator takes its seed from the MLContext (new MLContext(seed: {model.Seed})); "
                + "leave Model.Seed at its default.", "options");
        if (!string.Equals(model.Device, defaults.Device, StringComparison.Ordinal))
            throw new ArgumentException($"{Name}: Model.Device is '{model.Device}', but an estimator takes its device from the MLContext: set mlContext.GpuDeviceId = N "
                + "(and FallbackToCpu = true to train on the CPU where no GPU is usable), and leave Model.Device at its default.", "options");
    }

    /// <summary>Checks a thread count option when the estimator is created, before any data is read.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is below 1.</exception>
    public void CheckThreads(int? threads)
    {
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, $"{Name}: NumberOfThreads must be at least 1 (or null to leave libtorch's default).");
    }
}
