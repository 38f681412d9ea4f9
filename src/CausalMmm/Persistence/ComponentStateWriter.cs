using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Persistence;

/// <summary>
/// Where one of our components writes its fitted state when a model is saved with <c>SaveCausalMmm</c>: named JSON
/// documents and TorchSharp weight sets, each one zip entry under the component's own folder, each checksummed in the
/// file's manifest. (ML.NET's own <c>ModelSaveContext</c> is internal to Microsoft's assemblies.)
/// </summary>
public sealed class ComponentStateWriter
{
    private readonly IDictionary<string, byte[]> _entries;
    private readonly string _prefix;

    internal ComponentStateWriter(IDictionary<string, byte[]> entries, string prefix)
    {
        _entries = entries;
        _prefix = prefix;
    }

    /// <summary>Writes <paramref name="value"/> as JSON (public fields and properties) under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not a plain relative name or was written already.</exception>
    public void WriteJson<T>(string name, T value) => Add(name + ".json", JsonSerializer.SerializeToUtf8Bytes(value, ComponentStateReader.JsonOptions));

    /// <summary>
    /// Writes the parameters and buffers of <paramref name="module"/> (TorchSharp's tensor format, copied to the CPU first,
    /// so a model trained on a GPU loads on a machine without one).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a plain relative name or was written already.</exception>
    public void WriteModule(string name, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            Dictionary<string, Tensor> state = module.state_dict();
            writer.Write(TensorStateMagic);
            writer.Write(state.Count);
            foreach ((string key, Tensor tensor) in state.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                writer.Write(key);
                tensor.detach().cpu().Save(writer);
            }
        }
        Add(name + ".weights", buffer.ToArray());
    }

    /// <summary>The first bytes of a weight entry, so a loader can tell it from anything else.</summary>
    internal const string TensorStateMagic = "causalmmm-tensors-1";

    private void Add(string name, byte[] bytes)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains("..", StringComparison.Ordinal) || name.StartsWith('/') || name.Contains('\\'))
            throw new ArgumentException($"Entry name '{name}' must be a plain relative name.", nameof(name));
        if (!_entries.TryAdd(_prefix + name, bytes)) throw new ArgumentException($"Entry '{name}' was written twice.", nameof(name));
    }
}
