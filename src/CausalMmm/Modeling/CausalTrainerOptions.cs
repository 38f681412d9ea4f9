using CausalMmm.Data;

namespace CausalMmm.Modeling;

/// <summary>
/// Settings shared by the two estimators that train the CausalMMM network (graph learning and the forecaster): the few a
/// user tunes. Everything else takes <see cref="CausalMmmOptions.Defaults"/>; the seed comes from the <c>MLContext</c>'s
/// seed and the device from <c>MLContext.GpuDeviceId</c>.
/// </summary>
public abstract class CausalTrainerOptions : PanelColumnOptions
{
    /// <summary>
    /// The whole network and training configuration these options edit. Internal: the architecture and ablation switches
    /// are for the benchmarks and tests, which set it wholesale; a user tunes the public members below, which read and
    /// write it.
    /// </summary>
    internal CausalMmmOptions Model = new();

    /// <summary>
    /// The most epochs (passes over the training shops) training runs; it stops earlier on a plateau of the monitored loss
    /// (<see cref="PlateauTolerance"/>). Default <see cref="CausalMmmOptions.Defaults.Epochs"/>.
    /// </summary>
    public int Epochs { get => Model.Epochs; set => Model.Epochs = value; }

    /// <summary>
    /// The convergence rule: training stops once the monitored loss (the validation loss with <see cref="ValidationFraction"/>,
    /// else the training loss) has gone 40 epochs without beating its last significant improvement by more than this share
    /// of its size, and keeps the best epoch. Null runs every epoch up to <see cref="Epochs"/> (or, with a validation split,
    /// stops after 40 epochs without any improvement). Default <see cref="CausalMmmOptions.Defaults.PlateauTolerance"/>.
    /// </summary>
    public double? PlateauTolerance { get => Model.PlateauTolerance; set => Model.PlateauTolerance = value; }

    /// <summary>Width of every MLP and of the recurrent state. Default <see cref="CausalMmmOptions.Defaults.HiddenSize"/>.</summary>
    public int HiddenSize { get => Model.HiddenSize; set => Model.HiddenSize = value; }

    /// <summary>Shops per gradient step. Default <see cref="CausalMmmOptions.Defaults.BatchSize"/>.</summary>
    public int BatchSize { get => Model.BatchSize; set => Model.BatchSize = value; }

    /// <summary>Adam's initial learning rate. Default <see cref="CausalMmmOptions.Defaults.LearningRate"/>.</summary>
    public double LearningRate { get => Model.LearningRate; set => Model.LearningRate = value; }

    /// <summary>
    /// Share of shops held out to monitor a validation loss for stopping (0, the default, trains on every shop and
    /// monitors the training loss): held-out prediction loss bottoms out before the graph is learned, so set it when the
    /// forecast matters more than the graph.
    /// </summary>
    public double ValidationFraction { get => Model.ValidationFraction; set => Model.ValidationFraction = value; }

    /// <summary>
    /// Same-day edges (on by default): each channel's spend acts on the mediators and the target on the day it runs,
    /// through a response curve with carry-over and saturation, and mediators act on later mediators and the target that
    /// day. Off leaves only lagged (Granger-style) edges, for graphs of series that do not act within a step.
    /// </summary>
    public bool SameDayMedia { get => Model.SameDayMedia; set => Model.SameDayMedia = value; }

    /// <summary>
    /// Calendar terms in the baseline of the mediators and the target (off by default; see
    /// <see cref="CausalMmmOptions.Seasonality"/> for what they cost the split of mediated effects).
    /// </summary>
    public SeasonalBaseline Seasonality { get => Model.Seasonality; set => Model.Seasonality = value; }

    /// <summary>
    /// A linear trend per shop in the baseline of the mediators and the target, learned beside the media effects under a
    /// tight prior toward no trend. Null (the default) lets the fit choose from the training panel: on when the target,
    /// with the media regressed out, follows a line in most shops, off on a flat panel, where a trend costs forecasts (see
    /// <see cref="CausalMmmOptions.Trend"/>); true or false forces it. Needs dated panels: an undated one gets no trend.
    /// The training log says which was chosen and why.
    /// </summary>
    public bool? Trend { get => Model.Trend; set => Model.Trend = value; }

    /// <summary>libtorch's intra-op threads for training (a process-wide setting); null leaves libtorch's default.</summary>
    public int? NumberOfThreads;

    /// <summary>Called after every epoch (for progress bars); every 10th epoch also goes to <c>mlContext.Log</c>.</summary>
    public Action<TrainingProgress>? Progress;

    /// <summary>Stops training with an <see cref="OperationCanceledException"/>, checked before every batch.</summary>
    public CancellationToken CancellationToken;
}
