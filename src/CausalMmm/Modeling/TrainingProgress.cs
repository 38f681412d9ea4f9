namespace CausalMmm.Modeling;

/// <summary>What training reports after each epoch.</summary>
/// <param name="Epoch">The epoch just finished (1-based).</param>
/// <param name="Epochs">The maximum number of epochs.</param>
/// <param name="TrainingLoss">Mean negative ELBO per training batch.</param>
/// <param name="ValidationLoss">Prediction loss (the negative ELBO without its KL term) on the held-out shops; NaN without a validation split.</param>
/// <param name="LearningRate">The learning rate used in this epoch.</param>
/// <param name="Elapsed">Time since training started.</param>
public readonly record struct TrainingProgress(int Epoch, int Epochs, double TrainingLoss, double ValidationLoss, double LearningRate, TimeSpan Elapsed);

/// <summary>How a training run went.</summary>
/// <param name="EpochsRun">Epochs completed (fewer than the maximum after early stopping).</param>
/// <param name="BestEpoch">The epoch whose parameters were kept.</param>
/// <param name="BestValidationLoss">Validation loss at that epoch (training loss without a validation split).</param>
/// <param name="Seconds">Wall-clock seconds of training.</param>
/// <param name="LossHistory">Training loss per epoch.</param>
public sealed record TrainingSummary(int EpochsRun, int BestEpoch, double BestValidationLoss, double Seconds, IReadOnlyList<double> LossHistory)
{
    /// <summary>
    /// Why training stopped: the epoch cap, a plateau of the training loss (<see cref="CausalMmmOptions.PlateauTolerance"/>)
    /// or of the validation loss (<see cref="CausalMmmOptions.Patience"/>); null for a model saved before this was recorded.
    /// </summary>
    public string? StopReason { get; init; }

    /// <summary>
    /// The median over shops of the target's trend share the fit read to choose a trend, when
    /// <see cref="CausalMmmOptions.Trend"/> was left to the data and the panel had dates; null otherwise.
    /// </summary>
    public double? TrendShare { get; init; }

    /// <summary>
    /// The share of the channels' values below zero in the training window, which a fit that learns edges read to decide
    /// whether the channels are signed signals rather than spend (<see cref="CausalMmmOptions"/>' SignedSignals, left to the
    /// data by default); null when the fit did not choose (a fixed graph or no encoder, a GrangerPrior the user set, an encoder
    /// without Granger scores, or the setting forced).
    /// </summary>
    public double? NegativeChannelShare { get; init; }

    /// <summary>
    /// Per covariate known in advance, its pooled within-shop correlation with the target over the training window, which
    /// the fit read to choose whether it enters reflected (below zero: a price); null when the panel has no covariates or
    /// the fit did not choose.
    /// </summary>
    public IReadOnlyList<double>? CovariateCorrelations { get; init; }

    /// <summary>Average wall-clock seconds per epoch.</summary>
    public double SecondsPerEpoch => EpochsRun == 0 ? 0 : Seconds / EpochsRun;
}

/// <summary>Training stopped because a loss or gradient became NaN or infinite.</summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>Creates the exception for the given epoch and batch.</summary>
    public TrainingDivergedException(int epoch, int batch, string what)
        : base($"Training diverged at epoch {epoch}, batch {batch}: {what}. Lower the learning rate, check the input for extreme values, or lower GradientClipNorm.")
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>The epoch (1-based) in which the non-finite value appeared.</summary>
    public int Epoch { get; }

    /// <summary>The batch (1-based) within that epoch.</summary>
    public int Batch { get; }
}
