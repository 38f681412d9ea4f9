using System.IO.Compression;
using System.Text;
using CausalMmm.Forecasting;
using CausalMmm.Persistence;
using CausalMmm.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

public sealed class PersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cmm-model-").FullName;
    private readonly MLContext _ml = new(seed: 1);
    private readonly IDataView _data = MarketingData.View();

    private string SavedPipeline()
    {
        CausalMmmCatalog mmm = _ml.CausalMmm();
        var model = mmm.Transforms.Adstock(decay: 0.5).Append(mmm.Transforms.Hill(halfSaturation: 1.0, slope: 1.0)).Append(mmm.Forecasting.Trainers.Ridge()).Fit(_data);
        string path = Path.Combine(_directory, "model.zip");
        _ml.Model.SaveCausalMmm(model, _data.Schema, path);
        return path;
    }

    private static void Rewrite(string path, Func<string, byte[], byte[]?> edit)
    {
        var entries = new List<(string, byte[])>();
        using (ZipArchive zip = ZipFile.OpenRead(path))
        {
            foreach (ZipArchiveEntry e in zip.Entries)
            {
                using var buffer = new MemoryStream();
                using (Stream s = e.Open()) s.CopyTo(buffer);
                byte[]? bytes = edit(e.FullName, buffer.ToArray());
                if (bytes is not null) entries.Add((e.FullName, bytes));
            }
        }
        File.Delete(path);
        using ZipArchive output = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach ((string name, byte[] bytes) in entries)
        {
            using Stream s = output.CreateEntry(name).Open();
            s.Write(bytes);
        }
    }

    private TransformerChain<ITransformer> Load(string path) => new MLContext(seed: 9).Model.LoadCausalMmm(path, out _);

    [Fact]
    public void A_pipeline_reloads_with_typed_parameters_and_identical_output()
    {
        CausalMmmCatalog mmm = _ml.CausalMmm();
        var fitted = mmm.Transforms.Adstock().Append(mmm.Forecasting.Trainers.Ridge()).Fit(_data);
        string path = Path.Combine(_directory, "typed.zip");
        _ml.Model.SaveCausalMmm(fitted, _data.Schema, path);
        TransformerChain<RidgeTransformer> loaded = new MLContext(seed: 2).Model.LoadCausalMmm<RidgeTransformer>(path, out DataViewSchema schema);
        Assert.Equal(_data.Schema.Count, schema.Count);
        Assert.Equal(fitted.LastTransformer.Parameters.Features, loaded.LastTransformer.Parameters.Features);
        Assert.Equal(fitted.LastTransformer.Parameters.Shops["s0"].Coefficients, loaded.LastTransformer.Parameters.Shops["s0"].Coefficients);
        Assert.Equal(((AdstockTransformer)fitted.First()).Parameters.Channels, ((AdstockTransformer)loaded.First()).Parameters.Channels);
        Assert.Equal(MarketingData.Fingerprint(fitted.Transform(_data)), MarketingData.Fingerprint(loaded.Transform(_data)));
        var wrongType = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadCausalMmm<HillTransformer>(path, out _));
        Assert.Contains("RidgeTransformer", wrongType.Message);
    }

    [Fact]
    public void A_tampered_entry_is_refused()
    {
        string path = SavedPipeline();
        Rewrite(path, (name, bytes) => name.EndsWith("parameters.json", StringComparison.Ordinal) && name.Contains("Ridge", StringComparison.Ordinal)
            ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"Intercept\": ", "\"Intercept\": 1")) : bytes);
        var error = Assert.Throws<InvalidDataException>(() => Load(path));
        Assert.Contains("CausalMmm.Ridge/parameters.json", error.Message);
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void A_tampered_stock_part_is_refused()
    {
        CausalMmmCatalog mmm = _ml.CausalMmm();
        var model = mmm.Transforms.Adstock(decay: 0.5).Append(_ml.Transforms.Concatenate("Features", "x0_adstock", "x1_adstock"))
            .Append(_ml.Regression.Trainers.Sdca(labelColumnName: "gmv", maximumNumberOfIterations: 5)).Fit(_data);
        string path = Path.Combine(_directory, "stock.zip");
        _ml.Model.SaveCausalMmm(model, _data.Schema, path);
        Rewrite(path, (name, bytes) => name.EndsWith(".mlnet", StringComparison.Ordinal) && name.StartsWith("parts/", StringComparison.Ordinal) ? bytes.Append((byte)0).ToArray() : bytes);
        var error = Assert.Throws<InvalidDataException>(() => Load(path));
        Assert.Contains("parts/001.mlnet", error.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        string path = SavedPipeline();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_missing_entry_is_refused()
    {
        string path = SavedPipeline();
        Rewrite(path, (name, bytes) => name.Contains("CausalMmm.Hill", StringComparison.Ordinal) ? null : bytes);
        var error = Assert.Throws<InvalidDataException>(() => Load(path));
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void Unknown_versions_kinds_and_files_are_refused()
    {
        string path = SavedPipeline();
        Rewrite(path, (name, bytes) => name == "causalmmm-manifest.json" ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"formatVersion\": 1", "\"formatVersion\": 99")) : bytes);
        Assert.Contains("version 99", Assert.Throws<InvalidDataException>(() => Load(path)).Message);

        // The list of parts is checksummed too: swapping a part's kind is tampering.
        path = SavedPipeline();
        Rewrite(path, (name, bytes) => name == "causalmmm-manifest.json" ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"kind\": \"CausalMmm.Hill\"", "\"kind\": \"Evil.Payload\"")) : bytes);
        Assert.Contains("list of parts does not match its checksum", Assert.Throws<InvalidDataException>(() => Load(path)).Message);

        // A well-formed file naming a kind nobody registered is refused, and nothing is instantiated from its name.
        string unregistered = Path.Combine(_directory, "unregistered.zip");
        _ml.Model.SaveCausalMmm(new Passthrough(1, "Tests.NeverRegistered"), _data.Schema, unregistered);
        var unknownKind = Assert.Throws<InvalidDataException>(() => Load(unregistered));
        Assert.Contains("unknown kind 'Tests.NeverRegistered'", unknownKind.Message);
        Assert.Contains("CausalMmmComponents.Register", unknownKind.Message);

        string notAModel = Path.Combine(_directory, "notes.zip");
        File.WriteAllText(notAModel, "just text");
        Assert.Throws<InvalidDataException>(() => Load(notAModel));
        Assert.Throws<FileNotFoundException>(() => Load(Path.Combine(_directory, "absent.zip")));

        // A plain ML.NET model is not ours: the error says how to load it.
        string plain = Path.Combine(_directory, "plain.zip");
        _ml.Model.Save(_ml.Transforms.Concatenate("Features", "x0", "x1").Fit(_data), _data.Schema, plain);
        Assert.Contains("mlContext.Model.Load", Assert.Throws<InvalidDataException>(() => Load(plain)).Message);
    }

    [Fact]
    public void Saving_replaces_the_file_atomically_and_leaves_no_temporary_files()
    {
        string path = SavedPipeline();
        SavedPipeline();
        Assert.Single(Directory.GetFiles(_directory));
        Assert.NotEmpty(Load(path));
    }

    [Fact]
    public void A_third_party_component_can_register_its_own_loader()
    {
        CausalMmmComponents.Register(Passthrough.KindName, reader => new Passthrough(reader.ReadJson<int>("factor")));
        string path = Path.Combine(_directory, "custom.zip");
        _ml.Model.SaveCausalMmm(new Passthrough(2), _data.Schema, path);
        Assert.Equal(2, Assert.IsType<Passthrough>(Assert.Single(Load(path))).Factor);
        Assert.Contains(Passthrough.KindName, CausalMmmComponents.Kinds);
        Assert.Throws<ArgumentException>(() => CausalMmmComponents.Register(Passthrough.KindName, _ => new Passthrough(3)));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Passthrough : ICausalMmmTransformer
    {
        public const string KindName = "Tests.Passthrough";

        public Passthrough(int factor, string kind = KindName)
        {
            Factor = factor;
            ComponentKind = kind;
        }

        public int Factor { get; }
        public string ComponentKind { get; }
        public int ComponentVersion => 1;
        public bool IsRowToRowMapper => false;
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;
        public IDataView Transform(IDataView input) => input;
        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();
        public void SaveState(ComponentStateWriter writer) => writer.WriteJson("factor", Factor);
        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException();
    }
}
