namespace CausalMmm.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost scope, and disposes them
/// all when it is disposed. Native memory is invisible to the GC, so loops that create temporaries
/// run inside a scope; results that must outlive it leave with <see cref="Tensor.MoveToOuterDisposeScope"/>.
/// Scopes are per thread and nest.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? t_current;

    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    private DisposeScope(DisposeScope? outer)
    {
        Outer = outer;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    public static DisposeScope? Current => t_current;

    /// <summary>The scope that was current when this one opened.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>How many tensors this scope will dispose.</summary>
    public int Count => _tensors.Count;

    internal static DisposeScope Open()
    {
        var scope = new DisposeScope(t_current);
        t_current = scope;
        return scope;
    }

    internal void Add(Tensor tensor)
    {
        _tensors.Add(tensor);
        tensor.OwningScope = this;
    }

    internal void Remove(Tensor tensor) => _tensors.Remove(tensor);

    /// <summary>Disposes every tensor still owned by this scope and makes the outer scope current.</summary>
    /// <exception cref="InvalidOperationException">Scopes were closed out of order.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        if (!ReferenceEquals(t_current, this))
        {
            throw new InvalidOperationException(
                "DisposeScope closed out of order or on another thread: close inner scopes first (use 'using var scope = torch.NewDisposeScope();').");
        }
        _disposed = true;
        t_current = Outer;
        foreach (Tensor tensor in _tensors)
        {
            tensor.OwningScope = null;
            tensor.Dispose();
        }
        _tensors.Clear();
    }
}
