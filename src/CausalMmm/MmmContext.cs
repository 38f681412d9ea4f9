using CausalMmm.Modeling;
using CausalMmm.Torch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CausalMmm;

/// <summary>Training progress of one component of a pipeline, as reported to <see cref="MmmContext"/>'s callback.</summary>
/// <param name="Component">The estimator reporting (for example <c>CausalGraphEstimator</c>).</param>
/// <param name="Training">The epoch, losses, learning rate and elapsed time.</param>
public readonly record struct ComponentProgress(string Component, TrainingProgress Training);

/// <summary>
/// The entry point of the library, like ML.NET's MLContext: it holds the seed, device, thread count, logger, progress
/// callback and cancellation shared by every component, and the catalogs through which components are created:
/// <see cref="Data"/>, <see cref="Transforms"/>, <see cref="CausalDiscovery"/>, <see cref="Forecasting"/> and
/// <see cref="Model"/>. With a seed, components created in the same order get the same seeds, so a CPU run repeats.
/// </summary>
public sealed class MmmContext
{
    private readonly Random _seeds;
    private readonly object _gate = new();

    /// <summary>Creates a context.</summary>
    /// <param name="seed">Seed of every component's randomness; null draws a random one (runs will differ).</param>
    /// <param name="device"><c>"cpu"</c> or <c>"cuda"</c>/<c>"cuda:N"</c>.</param>
    /// <param name="threads">libtorch intra-op threads (a process-wide setting); null leaves libtorch's default.</param>
    /// <param name="logger">Receives one line per fitted component and training milestones; null logs nothing.</param>
    /// <param name="progress">Called after every training epoch of every component.</param>
    /// <param name="cancellationToken">Cancels training.</param>
    /// <exception cref="ArgumentException">The device is unknown or not available, or threads is below 1.</exception>
    public MmmContext(int? seed = null, string device = "cpu", int? threads = null, ILogger? logger = null,
        Action<ComponentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device parsed;
        try
        {
            parsed = Torch.Device.Parse(device);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Unknown device '{device}'; use \"cpu\" or \"cuda\".", nameof(device), ex);
        }
        if (parsed.Type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new ArgumentException($"Device '{device}' was requested but no CUDA device is available (CPU-only libtorch or no GPU). Use \"cpu\", or build against a CUDA libtorch with -p:TorchDir=...", nameof(device));
        if (threads is < 1) throw new ArgumentException($"threads must be at least 1, got {threads}.", nameof(threads));
        if (threads is { } n) torch.set_num_threads(n);
        Seed = seed;
        Device = parsed;
        Threads = torch.get_num_threads();
        Logger = logger ?? NullLogger.Instance;
        Progress = progress;
        CancellationToken = cancellationToken;
        _seeds = seed is { } s ? new Random(s) : new Random();
        Data = new DataCatalog(this);
        Transforms = new TransformsCatalog(this);
        CausalDiscovery = new CausalDiscoveryCatalog(this);
        Forecasting = new ForecastingCatalog(this);
        Model = new ModelCatalog(this);
    }

    /// <summary>The seed given at construction (null: random).</summary>
    public int? Seed { get; }

    /// <summary>The device components train on.</summary>
    public Device Device { get; }

    /// <summary>libtorch's intra-op thread count.</summary>
    public int Threads { get; }

    /// <summary>The logger (a null logger when none was given).</summary>
    public ILogger Logger { get; }

    /// <summary>The progress callback, or null.</summary>
    public Action<ComponentProgress>? Progress { get; }

    /// <summary>Cancels training of every component created through this context.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Loading, splitting and writing panels.</summary>
    public DataCatalog Data { get; }

    /// <summary>Feature transforms: adstock and saturation.</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Causal graph learning and graph metrics.</summary>
    public CausalDiscoveryCatalog CausalDiscovery { get; }

    /// <summary>Forecasters, baselines and forecast metrics.</summary>
    public ForecastingCatalog Forecasting { get; }

    /// <summary>Saving and loading fitted pipelines.</summary>
    public ModelCatalog Model { get; }

    /// <summary>The next component seed (deterministic given the context's seed and creation order).</summary>
    internal int NextSeed()
    {
        lock (_gate) return _seeds.Next(1, int.MaxValue);
    }

    internal Action<TrainingProgress>? ProgressFor(string component)
    {
        if (Progress is null && !Logger.IsEnabled(LogLevel.Debug)) return null;
        return p =>
        {
            Progress?.Invoke(new ComponentProgress(component, p));
            if (p.Epoch == 1 || p.Epoch % 10 == 0 || p.Epoch == p.Epochs)
                Logger.LogDebug("{Component} epoch {Epoch}/{Epochs}: train {Train:F4}, validation {Validation:F4}", component, p.Epoch, p.Epochs, p.TrainingLoss, p.ValidationLoss);
        };
    }

    internal void LogFitted(string component, TrainingSummary? summary)
    {
        if (summary is null) Logger.LogInformation("{Component} fitted", component);
        else Logger.LogInformation("{Component} fitted: {Epochs} epochs in {Seconds:F1} s, kept epoch {Best} (monitored loss {Loss:F4})",
            component, summary.EpochsRun, summary.Seconds, summary.BestEpoch, summary.BestValidationLoss);
    }
}
