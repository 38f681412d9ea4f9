namespace CausalMmm.Torch.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015) with bias correction and optional L2 weight decay, as torch.optim.Adam.
/// Each step runs under no_grad in a dispose scope, updating parameters in place.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _eps;
    private readonly double _weightDecay;
    private readonly Tensor?[] _expAvg;
    private readonly Tensor?[] _expAvgSq;
    private long _steps;

    /// <summary>Creates the optimiser; prefer <see cref="torch.optim.Adam"/>.</summary>
    /// <exception cref="ArgumentException">A hyperparameter is out of range.</exception>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : base(parameters, lr)
    {
        if (beta1 < 0 || beta1 >= 1) throw new ArgumentException($"beta1 must be in [0, 1), got {beta1}.", nameof(beta1));
        if (beta2 < 0 || beta2 >= 1) throw new ArgumentException($"beta2 must be in [0, 1), got {beta2}.", nameof(beta2));
        if (!(eps > 0)) throw new ArgumentException($"eps must be positive, got {eps}.", nameof(eps));
        if (weightDecay < 0) throw new ArgumentException($"weight decay must be non-negative, got {weightDecay}.", nameof(weightDecay));
        _beta1 = beta1;
        _beta2 = beta2;
        _eps = eps;
        _weightDecay = weightDecay;
        _expAvg = new Tensor?[Parameters.Count];
        _expAvgSq = new Tensor?[Parameters.Count];
    }

    /// <summary>Number of steps taken.</summary>
    public long StepCount => _steps;

    /// <inheritdoc />
    public override void step()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        _steps++;
        double biasCorrection1 = 1 - Math.Pow(_beta1, _steps);
        double biasCorrection2 = 1 - Math.Pow(_beta2, _steps);
        double stepSize = LearningRate / biasCorrection1;
        double sqrtBias2 = Math.Sqrt(biasCorrection2);
        for (int i = 0; i < Parameters.Count; i++)
        {
            Tensor p = Parameters[i];
            Tensor? grad = p.grad();
            if (grad is null) continue;
            if (_weightDecay != 0) grad = grad + p * _weightDecay;
            Tensor m = _expAvg[i] ??= torch.zeros(p.shape, p.dtype, p.device).DetachFromDisposeScope();
            Tensor v = _expAvgSq[i] ??= torch.zeros(p.shape, p.dtype, p.device).DetachFromDisposeScope();
            m.mul_(_beta1).add_(grad, 1 - _beta1);
            v.mul_(_beta2).addcmul_(grad, grad, 1 - _beta2);
            Tensor denominator = v.sqrt() / sqrtBias2 + _eps;
            p.addcdiv_(m, denominator, -stepSize);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        foreach (Tensor? t in _expAvg) t?.Dispose();
        foreach (Tensor? t in _expAvgSq) t?.Dispose();
        base.Dispose();
    }
}
