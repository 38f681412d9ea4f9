namespace CausalMmm.Torch.Optimizers;

/// <summary>Multiplies the learning rate by <c>gamma</c> every <c>stepSize</c> calls of <see cref="step"/> (one per epoch), as torch.optim.lr_scheduler.StepLR.</summary>
public sealed class StepLR
{
    private readonly Optimizer _optimizer;
    private readonly int _stepSize;
    private readonly double _gamma;

    /// <summary>Creates the schedule; prefer <see cref="torch.optim.lr_scheduler.StepLR"/>.</summary>
    /// <exception cref="ArgumentException">stepSize is not positive, or gamma is not in (0, 1].</exception>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (stepSize < 1) throw new ArgumentException($"stepSize must be at least 1, got {stepSize}.", nameof(stepSize));
        if (!(gamma > 0 && gamma <= 1)) throw new ArgumentException($"gamma must be in (0, 1], got {gamma}.", nameof(gamma));
        _optimizer = optimizer;
        _stepSize = stepSize;
        _gamma = gamma;
    }

    /// <summary>Epochs counted so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>Counts one epoch and updates the optimiser's learning rate.</summary>
    public void step()
    {
        Epoch++;
        _optimizer.LearningRate = _optimizer.InitialLearningRate * Math.Pow(_gamma, Epoch / _stepSize);
    }
}
