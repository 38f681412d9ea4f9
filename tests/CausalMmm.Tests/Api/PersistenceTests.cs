using System.IO.Compression;
using System.Text;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Pipeline;
using CausalMmm.Transforms;

namespace CausalMmm.Tests.Api;

public sealed class PersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cmm-model-").FullName;
    private readonly MmmContext _ctx = new(seed: 1);
    private readonly MarketingPanel _panel = MarketingData.Panel().SplitByTime(7).Test;

    private string SavedPipeline()
    {
        var model = _ctx.Transforms.Adstock(decay: 0.5).Append(_ctx.Transforms.Hill(1.0, 1.0)).Append(_ctx.Forecasting.Trainers.Ridge()).Fit(_panel);
        string path = Path.Combine(_directory, "model.zip");
        _ctx.Model.Save(model, path);
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

    [Fact]
    public void A_pipeline_reloads_with_typed_parameters_and_identical_output()
    {
        var fitted = _ctx.Transforms.Adstock().Append(_ctx.Forecasting.Trainers.Ridge()).Fit(_panel);
        string path = Path.Combine(_directory, "typed.zip");
        _ctx.Model.Save(fitted, path);
        TransformerChain<RidgeTransformer> loaded = _ctx.Model.Load<RidgeTransformer>(path);
        Assert.Equal(fitted.LastTransformer.Parameters.Features, loaded.LastTransformer.Parameters.Features);
        Assert.Equal(fitted.LastTransformer.Parameters.Shops["s0"].Coefficients, loaded.LastTransformer.Parameters.Shops["s0"].Coefficients);
        Assert.Equal(((AdstockTransformer)fitted.Transformers[0]).Parameters.Channels, ((AdstockTransformer)loaded.Transformers[0]).Parameters.Channels);
        Assert.Equal(MarketingData.Fingerprint(fitted.Transform(_panel)), MarketingData.Fingerprint(loaded.Transform(_panel)));
        var wrongType = Assert.Throws<InvalidDataException>(() => _ctx.Model.Load<HillTransformer>(path));
        Assert.Contains("RidgeTransformer", wrongType.Message);
    }

    [Fact]
    public void A_tampered_entry_is_refused()
    {
        string path = SavedPipeline();
        Rewrite(path, (name, bytes) => name.EndsWith("parameters.json", StringComparison.Ordinal) && name.StartsWith("components/2/", StringComparison.Ordinal)
            ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"Intercept\": ", "\"Intercept\": 1")) : bytes);
        var error = Assert.Throws<InvalidDataException>(() => _ctx.Model.Load(path));
        Assert.Contains("components/2/parameters.json", error.Message);
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        string path = SavedPipeline();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => _ctx.Model.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_missing_entry_is_refused()
    {
        string path = SavedPipeline();
        Rewrite(path, (name, bytes) => name.StartsWith("components/1/", StringComparison.Ordinal) ? null : bytes);
        var error = Assert.Throws<InvalidDataException>(() => _ctx.Model.Load(path));
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void Unknown_versions_kinds_and_files_are_refused()
    {
        string path = SavedPipeline();
        Rewrite(path, (name, bytes) => name == "manifest.json" ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"formatVersion\": 1", "\"formatVersion\": 99")) : bytes);
        Assert.Contains("version 99", Assert.Throws<InvalidDataException>(() => _ctx.Model.Load(path)).Message);

        path = SavedPipeline();
        Rewrite(path, (name, bytes) => name == "manifest.json" ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("CausalMmm.Hill", "Evil.Payload")) : bytes);
        var unknownKind = Assert.Throws<InvalidDataException>(() => _ctx.Model.Load(path));
        Assert.Contains("unknown kind 'Evil.Payload'", unknownKind.Message);

        string notAModel = Path.Combine(_directory, "notes.zip");
        File.WriteAllText(notAModel, "just text");
        Assert.Throws<InvalidDataException>(() => _ctx.Model.Load(notAModel));
        Assert.Throws<FileNotFoundException>(() => _ctx.Model.Load(Path.Combine(_directory, "absent.zip")));
    }

    [Fact]
    public void Saving_replaces_the_file_atomically_and_leaves_no_temporary_files()
    {
        string path = SavedPipeline();
        SavedPipeline();
        Assert.Single(Directory.GetFiles(_directory));
        Assert.NotNull(_ctx.Model.Load(path));
    }

    [Fact]
    public void A_third_party_component_can_register_its_own_loader()
    {
        ModelRegistry.Register(Doubler.KindName, _ => new Doubler());
        string path = Path.Combine(_directory, "custom.zip");
        _ctx.Model.Save(new Doubler(), path);
        Assert.IsType<Doubler>(_ctx.Model.Load(path));
        Assert.Contains(Doubler.KindName, ModelRegistry.Kinds);
    }

    private sealed class Doubler : ITransformer
    {
        public const string KindName = "Tests.Doubler";
        public string ComponentKind => KindName;
        public int ComponentVersion => 1;
        public PanelSchema GetOutputSchema(PanelSchema inputSchema) => inputSchema;
        public MarketingPanel Transform(MarketingPanel input) => input;
        public void Save(ModelSaveContext context) => context.WriteJson("settings", new { factor = 2 });
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
