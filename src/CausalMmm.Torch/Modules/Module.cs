namespace CausalMmm.Torch.Modules;

/// <summary>
/// A layer or model: named parameters (trainable leaves), named buffers (state such as running
/// statistics) and named child modules. Owns all of them and disposes them with itself.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<string> _parameterNames = new();
    private readonly List<string> _bufferNames = new();
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private readonly List<(string Name, Module Module)> _children = new();
    private bool _disposed;

    /// <summary>True in training mode (dropout active, batch statistics used); see <see cref="train"/>.</summary>
    public bool training { get; private set; } = true;

    /// <summary>Registers a trainable parameter: it leaves every dispose scope and records gradients.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        Register(name, value, _parameterNames);
        value.requires_grad = true;
        return value;
    }

    /// <summary>Registers non-trainable state that belongs in the state dict.</summary>
    protected Tensor RegisterBuffer(string name, Tensor value) => Register(name, value, _bufferNames);

    /// <summary>Registers a child module whose parameters appear under "name.".</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(module);
        if (_children.Any(c => c.Name == name) || _tensors.ContainsKey(name))
        {
            throw new ArgumentException($"A member named '{name}' is already registered in {GetType().Name}.", nameof(name));
        }
        _children.Add((name, module));
        return module;
    }

    /// <summary>The current tensor registered as <paramref name="name"/> (a parameter or buffer of this module).</summary>
    protected Tensor Get(string name) => _tensors[name];

    private Tensor Register(string name, Tensor value, List<string> names)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (_tensors.ContainsKey(name) || _children.Any(c => c.Name == name))
        {
            throw new ArgumentException($"A member named '{name}' is already registered in {GetType().Name}.", nameof(name));
        }
        value.DetachFromDisposeScope();
        _tensors[name] = value;
        names.Add(name);
        return value;
    }

    /// <summary>Every parameter of this module and its descendants, with dotted names.</summary>
    public IEnumerable<(string name, Tensor parameter)> named_parameters()
    {
        foreach (string n in _parameterNames) yield return (n, _tensors[n]);
        foreach ((string prefix, Module child) in _children)
        {
            foreach ((string n, Tensor p) in child.named_parameters()) yield return (prefix + "." + n, p);
        }
    }

    /// <summary>Every parameter of this module and its descendants.</summary>
    public IEnumerable<Tensor> parameters() => named_parameters().Select(p => p.parameter);

    /// <summary>Every buffer of this module and its descendants, with dotted names.</summary>
    public IEnumerable<(string name, Tensor buffer)> named_buffers()
    {
        foreach (string n in _bufferNames) yield return (n, _tensors[n]);
        foreach ((string prefix, Module child) in _children)
        {
            foreach ((string n, Tensor b) in child.named_buffers()) yield return (prefix + "." + n, b);
        }
    }

    /// <summary>The direct children, with their names.</summary>
    public IEnumerable<(string name, Module module)> named_children() => _children.Select(c => (c.Name, c.Module));

    /// <summary>
    /// Parameters and buffers by dotted name. The tensors are the module's own (not copies): do not
    /// dispose them; copy them to keep a snapshot.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> state_dict()
    {
        var dict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string n, Tensor p) in named_parameters()) dict[n] = p;
        foreach ((string n, Tensor b) in named_buffers()) dict[n] = b;
        return dict;
    }

    /// <summary>
    /// Copies values into the parameters and buffers of the same names. With <paramref name="strict"/>,
    /// missing and unexpected names are errors; shapes must always match.
    /// </summary>
    /// <exception cref="ArgumentException">A name is missing or unexpected, or a shape differs.</exception>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        IReadOnlyDictionary<string, Tensor> own = state_dict();
        if (strict)
        {
            string[] missing = own.Keys.Where(k => !source.ContainsKey(k)).ToArray();
            string[] unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToArray();
            if (missing.Length > 0 || unexpected.Length > 0)
            {
                throw new ArgumentException(
                    $"State dict does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].",
                    nameof(source));
            }
        }
        using IDisposable noGrad = torch.no_grad();
        foreach ((string name, Tensor target) in own)
        {
            if (!source.TryGetValue(name, out Tensor? value)) continue;
            long[] want = target.shape, got = value.shape;
            if (!want.SequenceEqual(got))
            {
                throw new ArgumentException(
                    $"State entry '{name}' has shape [{string.Join(", ", got)}] but {GetType().Name} expects [{string.Join(", ", want)}].",
                    nameof(source));
            }
            target.copy_(value);
        }
    }

    /// <summary>Switches this module and its descendants into (or out of) training mode.</summary>
    public Module train(bool on = true)
    {
        training = on;
        foreach ((_, Module child) in _children) child.train(on);
        return this;
    }

    /// <summary>Switches to evaluation mode: dropout off, running statistics used.</summary>
    public Module eval() => train(false);

    /// <summary>Drops the accumulated gradients of every parameter.</summary>
    public void zero_grad()
    {
        foreach (Tensor p in parameters()) p.zero_grad();
    }

    /// <summary>Moves every parameter and buffer to <paramref name="device"/> (parameters stay trainable leaves).</summary>
    public Module to(Device device)
    {
        foreach (string name in _tensors.Keys.ToArray())
        {
            Tensor old = _tensors[name];
            if (old.device == device) continue;
            bool trainable = _parameterNames.Contains(name);
            Tensor moved;
            using (torch.no_grad())
            {
                moved = old.to(device).DetachFromDisposeScope();
            }
            if (trainable) moved.requires_grad = true;
            _tensors[name] = moved;
            old.Dispose();
        }
        foreach ((_, Module child) in _children) child.to(device);
        return this;
    }

    /// <summary>Writes the state dict to <paramref name="path"/> (see <see cref="TensorSerializer"/>).</summary>
    public void save(string path) => TensorSerializer.Save(state_dict(), path);

    /// <summary>Loads a state dict written by <see cref="save"/> into this module.</summary>
    public void load(string path, bool strict = true)
    {
        Dictionary<string, Tensor> loaded = TensorSerializer.Load(path);
        try
        {
            load_state_dict(loaded, strict);
        }
        finally
        {
            foreach (Tensor t in loaded.Values) t.Dispose();
        }
    }

    /// <summary>Disposes every parameter, buffer and child module.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases owned tensors; subclasses holding other native state override and call base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        foreach (Tensor t in _tensors.Values) t.Dispose();
        foreach ((_, Module child) in _children) child.Dispose();
    }
}

/// <summary>A module with one input and one output.</summary>
public abstract class Module<TInput, TOutput> : Module
{
    /// <summary>Computes the output.</summary>
    public abstract TOutput forward(TInput input);

    /// <summary>Same as <see cref="forward"/>; reads like PyTorch's <c>module(x)</c>.</summary>
    public TOutput call(TInput input) => forward(input);
}

/// <summary>A module with two inputs and one output.</summary>
public abstract class Module<TInput1, TInput2, TOutput> : Module
{
    /// <summary>Computes the output.</summary>
    public abstract TOutput forward(TInput1 input1, TInput2 input2);

    /// <summary>Same as <see cref="forward"/>.</summary>
    public TOutput call(TInput1 input1, TInput2 input2) => forward(input1, input2);
}
