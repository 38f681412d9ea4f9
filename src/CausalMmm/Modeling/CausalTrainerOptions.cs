using CausalMmm.Data;

namespace CausalMmm.Modeling;

/// <summary>Settings shared by the two estimators that train the CausalMMM network (graph learning and the forecaster).</summary>
public abstract class CausalTrainerOptions : PanelColumnOptions
{
    /// <summary>
    /// The network and training settings; see <see cref="CausalMmmOptions.Defaults"/>. For marketing data same-day media
    /// edges are on, the encoder is the window MLP and the saturation input softplus
    /// (<see cref="CausalMmmOptions.ForMarketingData"/>); turn same-day edges off for a Granger-only graph, or set
    /// <see cref="CausalMmmOptions.Encoder"/>, <see cref="CausalMmmOptions.Saturation"/> and
    /// <see cref="CausalMmmOptions.EncoderGrangerScores"/> for the paper benchmark's choices.
    /// </summary>
    public CausalMmmOptions Model = CausalMmmOptions.ForMarketingData();

    /// <summary>Seed of the network; null draws one from the <c>MLContext</c> (so the context's seed makes a CPU run repeatable).</summary>
    public int? Seed;

    /// <summary>libtorch's intra-op threads for training (a process-wide setting); null leaves libtorch's default.</summary>
    public int? NumberOfThreads;

    /// <summary>Called after every epoch (for progress bars); every 10th epoch also goes to <c>mlContext.Log</c>.</summary>
    public Action<TrainingProgress>? Progress;

    /// <summary>Stops training with an <see cref="OperationCanceledException"/>, checked before every batch.</summary>
    public CancellationToken CancellationToken;
}
