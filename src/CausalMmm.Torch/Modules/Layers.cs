namespace CausalMmm.Torch.Modules;

/// <summary>A fully connected layer y = x W^T + b, initialised uniformly in ±1/sqrt(inputSize) as in PyTorch.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    private readonly bool _hasBias;

    /// <summary>Creates the layer; prefer <see cref="torch.nn.Linear"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(long inputSize, long outputSize, bool hasBias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        InputSize = inputSize;
        OutputSize = outputSize;
        _hasBias = hasBias;
        double bound = 1.0 / Math.Sqrt(inputSize);
        RegisterParameter("weight", Init.Uniform(new[] { outputSize, inputSize }, bound));
        if (hasBias) RegisterParameter("bias", Init.Uniform(new[] { outputSize }, bound));
    }

    /// <summary>Features in.</summary>
    public long InputSize { get; }

    /// <summary>Features out.</summary>
    public long OutputSize { get; }

    /// <summary>The [outputSize, inputSize] weight.</summary>
    public Tensor weight => Get("weight");

    /// <summary>The [outputSize] bias, or null.</summary>
    public Tensor? bias => _hasBias ? Get("bias") : null;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => torch.nn.functional.linear(input, weight, bias);
}

/// <summary>One gated-recurrent-unit step, parameters laid out as torch.nn.GRUCell (reset, update, new).</summary>
public sealed class GRUCell : Module<Tensor, Tensor, Tensor>
{
    private readonly bool _hasBias;

    /// <summary>Creates the cell; prefer <see cref="torch.nn.GRUCell"/>.</summary>
    public GRUCell(long inputSize, long hiddenSize, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        _hasBias = bias;
        double bound = 1.0 / Math.Sqrt(hiddenSize);
        RegisterParameter("weight_ih", Init.Uniform(new[] { 3 * hiddenSize, inputSize }, bound));
        RegisterParameter("weight_hh", Init.Uniform(new[] { 3 * hiddenSize, hiddenSize }, bound));
        if (bias)
        {
            RegisterParameter("bias_ih", Init.Uniform(new[] { 3 * hiddenSize }, bound));
            RegisterParameter("bias_hh", Init.Uniform(new[] { 3 * hiddenSize }, bound));
        }
    }

    /// <summary>Features in.</summary>
    public long InputSize { get; }

    /// <summary>Size of the hidden state.</summary>
    public long HiddenSize { get; }

    /// <summary>Runs the cell over a whole sequence [T, B, InputSize] from state [B, HiddenSize] in one native call.</summary>
    public (Tensor output, Tensor last) forward_sequence(Tensor input, Tensor hidden) =>
        torch.nn.functional.gru_sequence(input, hidden, Get("weight_ih"), Get("weight_hh"),
            _hasBias ? Get("bias_ih") : null, _hasBias ? Get("bias_hh") : null);

    /// <summary>Computes the next hidden state from input [B, InputSize] and state [B, HiddenSize].</summary>
    public override Tensor forward(Tensor input, Tensor hidden) =>
        torch.nn.functional.gru_cell(input, hidden, Get("weight_ih"), Get("weight_hh"),
            _hasBias ? Get("bias_ih") : null, _hasBias ? Get("bias_hh") : null);
}

/// <summary>Batch normalisation over the feature dimension (dim 1) with running statistics.</summary>
public sealed class BatchNorm1d : Module<Tensor, Tensor>
{
    private readonly double _eps;
    private readonly double _momentum;

    /// <summary>Creates the layer; prefer <see cref="torch.nn.BatchNorm1d"/>.</summary>
    public BatchNorm1d(long features, double eps = 1e-5, double momentum = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        _eps = eps;
        _momentum = momentum;
        RegisterParameter("weight", torch.ones(features));
        RegisterParameter("bias", torch.zeros(features));
        RegisterBuffer("running_mean", torch.zeros(features));
        RegisterBuffer("running_var", torch.ones(features));
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        torch.nn.functional.batch_norm(input, Get("running_mean"), Get("running_var"), Get("weight"), Get("bias"),
            training, _momentum, _eps);
}

/// <summary>Dropout: in training, zeroes elements with probability p and scales the rest by 1/(1-p).</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; prefer <see cref="torch.nn.Dropout"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1].</exception>
    public Dropout(double p = 0.5)
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1].");
        P = p;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public double P { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => torch.nn.functional.dropout(input, P, training);
}

/// <summary>The exponential linear unit as a layer.</summary>
public sealed class ELU : Module<Tensor, Tensor>
{
    private readonly double _alpha;

    /// <summary>Creates the layer with the given alpha.</summary>
    public ELU(double alpha = 1.0) => _alpha = alpha;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.elu(_alpha);
}

/// <summary>Applies its layers in order, disposing intermediate results as soon as the next layer has used them.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor>[] _layers;

    /// <summary>Creates the container; prefer <see cref="torch.nn.Sequential"/>.</summary>
    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = layers;
        for (int i = 0; i < layers.Length; i++) RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), layers[i]);
    }

    /// <summary>The number of layers.</summary>
    public int Count => _layers.Length;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        Tensor current = input;
        foreach (Module<Tensor, Tensor> layer in _layers)
        {
            Tensor next = layer.forward(current);
            // Autograd keeps what it needs natively; the managed handle of an intermediate can go now.
            if (!ReferenceEquals(current, input)) current.Dispose();
            current = next;
        }
        return current;
    }
}

/// <summary>Parameter initialisers shared by the layers.</summary>
internal static class Init
{
    internal static Tensor Uniform(long[] shape, double bound)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        return (torch.rand(shape) * (2 * bound) - bound).MoveToOuterDisposeScope();
    }
}
