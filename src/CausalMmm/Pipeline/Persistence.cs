using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CausalMmm.Torch;

namespace CausalMmm.Pipeline;

/// <summary>
/// Where a component writes its fitted state when a model is saved: named JSON documents, number arrays and
/// tensor sets, each stored as one zip entry under the component's own folder and checksummed in the manifest.
/// </summary>
public sealed class ModelSaveContext
{
    private readonly Dictionary<string, byte[]> _entries;
    private readonly string _prefix;

    internal ModelSaveContext(Dictionary<string, byte[]> entries, string prefix)
    {
        _entries = entries;
        _prefix = prefix;
    }

    /// <summary>Writes <paramref name="value"/> as JSON under <paramref name="name"/>.</summary>
    public void WriteJson<T>(string name, T value) => Add(name + ".json", JsonSerializer.SerializeToUtf8Bytes(value, ModelFile.JsonOptions));

    /// <summary>Writes tensors in the <see cref="TensorSerializer"/> format (moved to the CPU first, so a GPU model loads anywhere).</summary>
    public void WriteTensors(string name, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var buffer = new MemoryStream();
        TensorSerializer.Write(buffer, tensors);
        Add(name + ".bin", buffer.ToArray());
    }

    /// <summary>Writes raw bytes (for components with a format of their own).</summary>
    public void WriteBytes(string name, byte[] bytes) => Add(name, bytes.ToArray());

    private void Add(string name, byte[] bytes)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains("..", StringComparison.Ordinal) || name.StartsWith('/'))
            throw new ArgumentException($"Entry name '{name}' must be a plain relative name.", nameof(name));
        if (!_entries.TryAdd(_prefix + name, bytes)) throw new ArgumentException($"Entry '{name}' was written twice.", nameof(name));
    }
}

/// <summary>Reads back what a component wrote into its <see cref="ModelSaveContext"/>; every entry was checksum-verified.</summary>
public sealed class ModelLoadContext
{
    private readonly IReadOnlyDictionary<string, byte[]> _entries;
    private readonly string _prefix;

    internal ModelLoadContext(IReadOnlyDictionary<string, byte[]> entries, string prefix, int version)
    {
        _entries = entries;
        _prefix = prefix;
        Version = version;
    }

    /// <summary>The component version that was saved.</summary>
    public int Version { get; }

    /// <summary>Reads a JSON entry written by <see cref="ModelSaveContext.WriteJson{T}"/>.</summary>
    /// <exception cref="InvalidDataException">The entry is missing or not valid for <typeparamref name="T"/>.</exception>
    public T ReadJson<T>(string name)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Get(name + ".json"), ModelFile.JsonOptions) ?? throw new InvalidDataException($"entry '{_prefix}{name}.json' is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"entry '{_prefix}{name}.json' is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Reads tensors written by <see cref="ModelSaveContext.WriteTensors"/>, on the CPU. The caller disposes them.</summary>
    public Dictionary<string, Tensor> ReadTensors(string name)
    {
        using var stream = new MemoryStream(Get(name + ".bin"));
        return TensorSerializer.Read(stream);
    }

    /// <summary>Reads a raw entry.</summary>
    public byte[] ReadBytes(string name) => Get(name).ToArray();

    private byte[] Get(string name) => _entries.TryGetValue(_prefix + name, out byte[]? bytes) ? bytes
        : throw new InvalidDataException($"entry '{_prefix}{name}' is missing");
}

/// <summary>
/// The component kinds <c>Load</c> can rebuild. Built-in components are registered already; a third-party
/// component registers a loader for its own kind once, before loading. Nothing else is ever instantiated from a
/// file, so a model file cannot make the loader create arbitrary types.
/// </summary>
public static class ModelRegistry
{
    private static readonly Dictionary<string, Func<ModelLoadContext, ITransformer>> Loaders = new(StringComparer.Ordinal);
    private static readonly object Gate = new();

    static ModelRegistry() => BuiltInComponents.Register();

    /// <summary>Registers the loader of <paramref name="componentKind"/>.</summary>
    /// <exception cref="ArgumentException">The kind is already registered with another loader.</exception>
    public static void Register(string componentKind, Func<ModelLoadContext, ITransformer> loader)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(componentKind);
        ArgumentNullException.ThrowIfNull(loader);
        lock (Gate)
        {
            if (Loaders.TryGetValue(componentKind, out var existing) && existing != loader)
                throw new ArgumentException($"Component kind '{componentKind}' is already registered.", nameof(componentKind));
            Loaders[componentKind] = loader;
        }
    }

    /// <summary>The registered component kinds.</summary>
    public static IReadOnlyList<string> Kinds
    {
        get { lock (Gate) return Loaders.Keys.Order().ToArray(); }
    }

    internal static ITransformer Create(string kind, ModelLoadContext context)
    {
        Func<ModelLoadContext, ITransformer>? loader;
        lock (Gate) Loaders.TryGetValue(kind, out loader);
        if (loader is null)
            throw new InvalidDataException($"it contains a component of unknown kind '{kind}' (known kinds: {string.Join(", ", Kinds)}); register a loader with ModelRegistry.Register if it comes from another library");
        return loader(context);
    }
}

/// <summary>
/// The model file: one zip with <c>manifest.json</c> (format name and version, library version, the components
/// with their kinds and versions, and the SHA-256 of every other entry) and each component's entries under
/// <c>components/{index}/</c>. Written to a temporary file and renamed, so a crash never leaves half a model.
/// </summary>
internal static class ModelFile
{
    public const string FormatName = "causalmmm-pipeline";
    public const int FormatVersion = 1;
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, IncludeFields = false };

    public static void Save(ITransformer model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        IReadOnlyList<ITransformer> components = model is ITransformerChain chain ? chain.Transformers : new[] { model };
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var list = new JsonArray();
        for (int i = 0; i < components.Count; i++)
        {
            ITransformer component = components[i];
            if (component is ITransformerChain) throw new ArgumentException("Nested transformer chains cannot be saved; flatten them with Append.", nameof(model));
            component.Save(new ModelSaveContext(entries, $"components/{i}/"));
            list.Add(new JsonObject { ["kind"] = component.ComponentKind, ["version"] = component.ComponentVersion });
        }
        var checksums = new JsonObject();
        foreach ((string name, byte[] bytes) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            checksums[name] = Convert.ToHexString(SHA256.HashData(bytes));
        var manifest = new JsonObject
        {
            ["format"] = FormatName,
            ["formatVersion"] = FormatVersion,
            ["library"] = typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            ["savedUtc"] = DateTime.UtcNow.ToString("O"),
            ["isChain"] = model is ITransformerChain,
            ["components"] = list,
            ["sha256"] = checksums,
        };
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp-" + Environment.ProcessId + "-" + Environment.CurrentManagedThreadId;
        try
        {
            using (FileStream file = File.Create(temporary))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                using (Stream m = zip.CreateEntry("manifest.json").Open())
                    m.Write(JsonSerializer.SerializeToUtf8Bytes(manifest, JsonOptions));
                foreach ((string name, byte[] bytes) in entries)
                {
                    using Stream e = zip.CreateEntry(name).Open();
                    e.Write(bytes);
                }
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    public static ITransformer Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The model file '{Path.GetFullPath(path)}' does not exist.", path);
        try
        {
            var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            using (ZipArchive zip = ZipFile.OpenRead(path))
            {
                foreach (ZipArchiveEntry entry in zip.Entries)
                {
                    using Stream s = entry.Open();
                    using var buffer = new MemoryStream();
                    s.CopyTo(buffer);
                    entries[entry.FullName] = buffer.ToArray();
                }
            }
            if (!entries.Remove("manifest.json", out byte[]? manifestBytes)) throw new InvalidDataException("it has no manifest.json");
            JsonNode manifest = JsonNode.Parse(manifestBytes) ?? throw new InvalidDataException("its manifest is empty");
            string? format = (string?)manifest["format"];
            if (format != FormatName) throw new InvalidDataException($"it is not a CausalMmm model (format '{format ?? "none"}', expected '{FormatName}')");
            int version = (int?)manifest["formatVersion"] ?? -1;
            if (version != FormatVersion)
                throw new InvalidDataException($"its format version {version} is not supported; this library reads version {FormatVersion} (upgrade the library or re-save the model)");
            JsonObject checksums = manifest["sha256"]?.AsObject() ?? throw new InvalidDataException("its manifest lists no checksums");
            foreach ((string name, byte[] bytes) in entries)
            {
                string? expected = (string?)checksums[name];
                if (expected is null) throw new InvalidDataException($"entry '{name}' is not listed in the manifest (the file was modified)");
                if (!Convert.ToHexString(SHA256.HashData(bytes)).Equals(expected, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"entry '{name}' does not match its SHA-256 checksum (the file was modified or damaged)");
            }
            foreach ((string name, _) in checksums)
            {
                if (!entries.ContainsKey(name)) throw new InvalidDataException($"entry '{name}' listed in the manifest is missing (the file is truncated or damaged)");
            }
            JsonArray list = manifest["components"]?.AsArray() ?? throw new InvalidDataException("its manifest lists no components");
            var components = new List<ITransformer>();
            for (int i = 0; i < list.Count; i++)
            {
                string kind = (string?)list[i]?["kind"] ?? throw new InvalidDataException($"component {i} has no kind");
                int componentVersion = (int?)list[i]?["version"] ?? throw new InvalidDataException($"component {i} has no version");
                components.Add(ModelRegistry.Create(kind, new ModelLoadContext(entries, $"components/{i}/", componentVersion)));
            }
            if (components.Count == 0) throw new InvalidDataException("it holds no components");
            bool isChain = (bool?)manifest["isChain"] ?? true;
            return isChain || components.Count > 1 ? new TransformerChain<ITransformer>(components) : components[0];
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or InvalidOperationException or FormatException or ArgumentException or EndOfStreamException)
        {
            throw new InvalidDataException($"Cannot load the model '{path}': {ex.Message.TrimEnd('.')}.", ex);
        }
    }
}
