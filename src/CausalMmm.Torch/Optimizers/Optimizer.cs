namespace CausalMmm.Torch.Optimizers;

/// <summary>Base of the gradient-descent optimisers: a parameter list, a learning rate and per-parameter state.</summary>
public abstract class Optimizer : IDisposable
{
    /// <summary>Creates an optimiser over <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">There are no parameters, or the learning rate is not positive and finite.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0)
        {
            throw new ArgumentException("The optimiser got no parameters; pass module.parameters().", nameof(parameters));
        }
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new ArgumentException($"Learning rate must be positive and finite, got {learningRate}.", nameof(learningRate));
        }
        LearningRate = learningRate;
        InitialLearningRate = learningRate;
    }

    /// <summary>The parameters updated by <see cref="step"/>.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The current learning rate (schedules change it).</summary>
    public double LearningRate { get; set; }

    /// <summary>The learning rate given at construction.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Applies one update from the parameters' accumulated gradients.</summary>
    public abstract void step();

    /// <summary>Drops every parameter's accumulated gradient.</summary>
    public void zero_grad()
    {
        foreach (Tensor p in Parameters) p.zero_grad();
    }

    /// <summary>Releases the optimiser's state tensors.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
