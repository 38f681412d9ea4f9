using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Persistence;

/// <summary>Reads back what a component wrote into its <see cref="ComponentStateWriter"/>; every entry has passed its checksum.</summary>
public sealed class ComponentStateReader
{
    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, IncludeFields = true };

    private readonly IReadOnlyDictionary<string, byte[]> _entries;
    private readonly string _prefix;

    internal ComponentStateReader(IReadOnlyDictionary<string, byte[]> entries, string prefix, int version)
    {
        _entries = entries;
        _prefix = prefix;
        Version = version;
    }

    /// <summary>The component's state version as saved; a loader refuses versions it does not know.</summary>
    public int Version { get; }

    /// <summary>True when the component wrote a JSON entry called <paramref name="name"/> (for entries a state version makes optional).</summary>
    public bool Has(string name) => _entries.ContainsKey(_prefix + name + ".json");

    /// <summary>Reads a JSON entry written by <see cref="ComponentStateWriter.WriteJson{T}"/>.</summary>
    /// <exception cref="InvalidDataException">The entry is missing or does not hold a <typeparamref name="T"/>.</exception>
    public T ReadJson<T>(string name)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Get(name + ".json"), JsonOptions) ?? throw new InvalidDataException($"entry '{_prefix}{name}.json' is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"entry '{_prefix}{name}.json' is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Loads weights written by <see cref="ComponentStateWriter.WriteModule"/> into <paramref name="module"/>, which must
    /// have exactly the saved parameters and shapes.
    /// </summary>
    /// <exception cref="InvalidDataException">The entry is missing, damaged, or does not fit the module.</exception>
    public void ReadModule(string name, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        string entry = _prefix + name + ".weights";
        var loaded = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(Get(name + ".weights")));
            if (reader.ReadString() != ComponentStateWriter.TensorStateMagic) throw new InvalidDataException($"entry '{entry}' is not a weight set");
            int count = reader.ReadInt32();
            Dictionary<string, Tensor> expected = module.state_dict();
            if (count != expected.Count) throw new InvalidDataException($"entry '{entry}' holds {count} tensors but the model has {expected.Count}");
            for (int i = 0; i < count; i++)
            {
                string key = reader.ReadString();
                Tensor tensor = TensorExtensionMethods.Load(reader).DetachFromDisposeScope();
                loaded[key] = tensor;
                if (!expected.TryGetValue(key, out Tensor? target))
                    throw new InvalidDataException($"entry '{entry}' holds tensor '{key}', which the model does not have");
                if (!target.shape.SequenceEqual(tensor.shape) || target.dtype != tensor.dtype)
                    throw new InvalidDataException($"tensor '{key}' in '{entry}' is {tensor.dtype}[{string.Join(", ", tensor.shape)}] but the model expects {target.dtype}[{string.Join(", ", target.shape)}]");
            }
            module.load_state_dict(loaded, strict: true);
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"entry '{entry}' cannot be read: {ex.Message}", ex);
        }
        finally
        {
            foreach (Tensor t in loaded.Values) t.Dispose();
        }
    }

    private byte[] Get(string name) => _entries.TryGetValue(_prefix + name, out byte[]? bytes) ? bytes
        : throw new InvalidDataException($"entry '{_prefix}{name}' is missing");
}
