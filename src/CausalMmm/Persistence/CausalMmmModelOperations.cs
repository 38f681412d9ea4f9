using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm;

/// <summary>
/// <c>mlContext.Model.SaveCausalMmm</c> and <c>LoadCausalMmm</c>: a whole pipeline, ours and ML.NET's parts together, in
/// one zip file. Runs of stock ML.NET transformers (OneHotEncoding, Concatenate, NormalizeMinMax, Sdca, FastTree, ...) are
/// written by ML.NET itself (<c>ModelOperationsCatalog.Save</c>) as nested model entries; each of our components writes
/// versioned JSON state and TorchSharp weights (<see cref="Persistence.ICausalMmmTransformer"/>); the input schema is saved
/// by ML.NET. A manifest lists the parts in order with a SHA-256 per entry. The file is written under a temporary name and
/// renamed, so a crash never leaves half a model; loading checks the format and every checksum and rebuilds our parts
/// only from registered kinds (<see cref="Persistence.CausalMmmComponents"/>).
/// </summary>
public static class CausalMmmModelOperations
{
    private const string FormatName = "causalmmm-mlnet-model";
    private const int FormatVersion = 1;
    private const string ManifestEntry = "causalmmm-manifest.json";
    private const string SchemaEntry = "input-schema.mlnet";

    /// <summary>Writes <paramref name="model"/> (a transformer or a chain, nested chains included) to <paramref name="filePath"/>, atomically.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputSchema">The schema of the data the model is applied to (<c>data.Schema</c>).</param>
    /// <param name="filePath">Where to write; an existing file is replaced only once the new one is complete.</param>
    /// <exception cref="ArgumentException">The model does not accept <paramref name="inputSchema"/>.</exception>
    /// <exception cref="NotSupportedException">A part is neither ours nor saveable by ML.NET.</exception>
    public static void SaveCausalMmm(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var parts = new JsonArray();
        byte[] SaveStock(ITransformer transformer, DataViewSchema schema)
        {
            using var stream = new MemoryStream();
            catalog.Save(transformer, schema, stream);
            return stream.ToArray();
        }

        // The input schema, kept the public way: an empty ML.NET chain saved with that schema.
        entries[SchemaEntry] = SaveStock(new TransformerChain<ITransformer>(), inputSchema);

        DataViewSchema schema = inputSchema, runSchema = inputSchema;
        var run = new List<ITransformer>();
        void FlushRun()
        {
            if (run.Count == 0) return;
            string name = $"parts/{parts.Count:D3}.mlnet";
            entries[name] = SaveStock(new TransformerChain<ITransformer>(run.ToArray()), runSchema);
            parts.Add(new JsonObject { ["type"] = "mlnet", ["entry"] = name, ["transformers"] = run.Count });
            run.Clear();
        }
        foreach (ITransformer transformer in Flatten(model))
        {
            if (transformer is Persistence.ICausalMmmTransformer ours)
            {
                FlushRun();
                string prefix = $"parts/{parts.Count:D3}.{ours.ComponentKind}/";
                ours.SaveState(new Persistence.ComponentStateWriter(entries, prefix));
                parts.Add(new JsonObject { ["type"] = "component", ["kind"] = ours.ComponentKind, ["version"] = ours.ComponentVersion, ["prefix"] = prefix });
            }
            else
            {
                if (run.Count == 0) runSchema = schema;
                run.Add(transformer);
            }
            schema = transformer.GetOutputSchema(schema);
        }
        FlushRun();

        var checksums = new JsonObject();
        foreach ((string name, byte[] bytes) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            checksums[name] = Convert.ToHexString(SHA256.HashData(bytes));
        var manifest = new JsonObject
        {
            ["format"] = FormatName,
            ["formatVersion"] = FormatVersion,
            ["library"] = typeof(CausalMmmModelOperations).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            ["savedUtc"] = DateTime.UtcNow.ToString("O"),
            ["parts"] = parts,
            ["partsSha256"] = PartsChecksum(parts),
            ["sha256"] = checksums,
        };

        string full = Path.GetFullPath(filePath);
        string temporary = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (FileStream file = File.Create(temporary))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                using (Stream m = zip.CreateEntry(ManifestEntry).Open())
                    m.Write(JsonSerializer.SerializeToUtf8Bytes(manifest, new JsonSerializerOptions { WriteIndented = true }));
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

    /// <summary>Reads a model written by <see cref="SaveCausalMmm"/> into this context.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="filePath">The model file.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <returns>The parts as one flat chain.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not such a model, is of an unknown version or kind, or is damaged or truncated.</exception>
    public static TransformerChain<ITransformer> LoadCausalMmm(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema) =>
        LoadCausalMmm<ITransformer>(catalog, filePath, out inputSchema);

    /// <summary>
    /// Reads a model whose last part is a <typeparamref name="TLast"/>, so its fitted parameters need no cast:
    /// <c>mlContext.Model.LoadCausalMmm&lt;RidgeTransformer&gt;(path, out _).LastTransformer.Parameters</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file cannot be read, or its last part is not a <typeparamref name="TLast"/>.</exception>
    public static TransformerChain<TLast> LoadCausalMmm<TLast>(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
        where TLast : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"The model file '{Path.GetFullPath(filePath)}' does not exist.", filePath);
        var transformers = new List<ITransformer>();
        try
        {
            var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            using (ZipArchive zip = ZipFile.OpenRead(filePath))
            {
                foreach (ZipArchiveEntry entry in zip.Entries)
                {
                    using Stream s = entry.Open();
                    using var buffer = new MemoryStream();
                    s.CopyTo(buffer);
                    entries[entry.FullName] = buffer.ToArray();
                }
            }
            if (!entries.Remove(ManifestEntry, out byte[]? manifestBytes))
                throw new InvalidDataException($"it has no {ManifestEntry}; it is not a CausalMmm model (a plain ML.NET model loads with mlContext.Model.Load)");
            JsonNode manifest = JsonNode.Parse(manifestBytes) ?? throw new InvalidDataException("its manifest is empty");
            string? format = (string?)manifest["format"];
            if (format != FormatName) throw new InvalidDataException($"it is not a CausalMmm model (format '{format ?? "none"}', expected '{FormatName}')");
            int version = (int?)manifest["formatVersion"] ?? -1;
            if (version != FormatVersion)
                throw new InvalidDataException($"its format version {version} is not supported; this library reads version {FormatVersion} (upgrade the library, or save the model again)");
            JsonObject checksums = manifest["sha256"]?.AsObject() ?? throw new InvalidDataException("its manifest lists no checksums");
            foreach ((string name, byte[] bytes) in entries)
            {
                string expected = (string?)checksums[name] ?? throw new InvalidDataException($"entry '{name}' is not listed in the manifest (the file was modified)");
                if (!Convert.ToHexString(SHA256.HashData(bytes)).Equals(expected, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"entry '{name}' does not match its SHA-256 checksum (the file was modified or damaged)");
            }
            foreach ((string name, _) in checksums)
            {
                if (!entries.ContainsKey(name)) throw new InvalidDataException($"entry '{name}' listed in the manifest is missing (the file is truncated or damaged)");
            }

            if (!entries.TryGetValue(SchemaEntry, out byte[]? schemaBytes)) throw new InvalidDataException($"entry '{SchemaEntry}' is missing (the file is damaged)");
            using (var schemaStream = new MemoryStream(schemaBytes)) catalog.Load(schemaStream, out inputSchema);
            JsonArray parts = manifest["parts"]?.AsArray() ?? throw new InvalidDataException("its manifest lists no parts");
            if (!PartsChecksum(parts).Equals((string?)manifest["partsSha256"], StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException("its list of parts does not match its checksum (the manifest was modified)");
            foreach (JsonNode? part in parts)
            {
                string type = (string?)part?["type"] ?? throw new InvalidDataException("a part has no type");
                if (type == "mlnet")
                {
                    string entry = (string?)part!["entry"] ?? throw new InvalidDataException("an ML.NET part names no entry");
                    using var stream = new MemoryStream(entries.TryGetValue(entry, out byte[]? bytes) ? bytes : throw new InvalidDataException($"entry '{entry}' is missing"));
                    transformers.AddRange(Flatten(catalog.Load(stream, out _)));
                }
                else if (type == "component")
                {
                    string kind = (string?)part!["kind"] ?? throw new InvalidDataException("a component part has no kind");
                    int componentVersion = (int?)part["version"] ?? throw new InvalidDataException($"component '{kind}' has no version");
                    string prefix = (string?)part["prefix"] ?? throw new InvalidDataException($"component '{kind}' names no entries");
                    transformers.Add(Persistence.CausalMmmComponents.Create(kind, new Persistence.ComponentStateReader(entries, prefix, componentVersion)));
                }
                else
                {
                    throw new InvalidDataException($"a part has the unknown type '{type}'");
                }
            }
            if (transformers.Count == 0 && typeof(TLast) != typeof(ITransformer)) throw new InvalidDataException("it holds no transformers");
            if (transformers.Count > 0 && transformers[^1] is not TLast)
                throw new InvalidDataException($"its last part is a {transformers[^1].GetType().Name}, not a {typeof(TLast).Name}; load it untyped with LoadCausalMmm(path, out schema)");
            return new TransformerChain<TLast>(transformers.ToArray());
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or InvalidOperationException or FormatException or ArgumentException or EndOfStreamException
                                       or NotSupportedException)
        {
            foreach (IDisposable disposable in transformers.OfType<IDisposable>()) disposable.Dispose();
            throw new InvalidDataException($"Cannot load the model '{filePath}': {ex.Message.TrimEnd('.')}.", ex);
        }
    }

    /// <summary>SHA-256 of the parts list as written (kind, version and entries of every part, in order).</summary>
    private static string PartsChecksum(JsonArray parts) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(parts.ToJsonString())));

    /// <summary>A chain's parts in order, nested chains flattened (<c>TransformerChain</c> is an <c>IEnumerable&lt;ITransformer&gt;</c>).</summary>
    internal static IEnumerable<ITransformer> Flatten(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { transformer };
}
