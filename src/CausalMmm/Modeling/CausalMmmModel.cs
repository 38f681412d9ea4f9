using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using CausalMmm.Data;
using CausalMmm.Torch;

namespace CausalMmm.Modeling;

/// <summary>
/// A trained CausalMMM: per-shop causal graphs, autonomous and scenario forecasts on the original scale.
/// Inference never reads data after the forecast origin: the encoder and the scaling see only the
/// <see cref="EncoderWindow"/> steps before it. Safe to use from several threads at once (calls are serialised).
/// </summary>
public sealed class CausalMmmModel : IDisposable
{
    private const string FormatName = "causalmmm-model";
    private const int FormatVersion = 1;
    private readonly double[] _contextMean;
    private readonly double[] _contextScale;
    private readonly object _gate = new();

    internal CausalMmmModel(CausalMmmOptions options, IReadOnlyList<string> nodeNames, int channelCount, IReadOnlyList<string> contextNames,
        double[] contextMean, double[] contextScale, int window)
    {
        Options = options;
        NodeNames = nodeNames.ToArray();
        ChannelCount = channelCount;
        ContextNames = contextNames.ToArray();
        _contextMean = contextMean;
        _contextScale = contextScale;
        EncoderWindow = window;
        Network = new CausalMmmNetwork(nodeNames.Count, window, contextNames.Count, options);
    }

    /// <summary>The options the model was trained with.</summary>
    public CausalMmmOptions Options { get; }

    /// <summary>Series names: channels, mediators, target.</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>Number of channel series (given in a scenario forecast).</summary>
    public int ChannelCount { get; }

    /// <summary>Context variable names the model expects.</summary>
    public IReadOnlyList<string> ContextNames { get; }

    /// <summary>Steps of history the encoder reads before a forecast origin.</summary>
    public int EncoderWindow { get; }

    /// <summary>How training went (null for a model built by hand).</summary>
    public TrainingSummary? Summary { get; internal set; }

    internal CausalMmmNetwork Network { get; }

    /// <summary>
    /// Edge probabilities per shop: [i, j] is the probability that node i Granger-causes node j, read from the
    /// <see cref="EncoderWindow"/> steps before <paramref name="origin"/> (default: the panel's end).
    /// </summary>
    public IReadOnlyList<double[,]> EdgeProbabilities(NumericPanel panel, int? origin = null)
    {
        lock (_gate)
        {
            int end = CheckPanel(panel, origin ?? panel.Length);
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGrad = torch.no_grad();
            PanelScaling scaling = PanelScaling.Measure(panel, end - EncoderWindow, end);
            float[] flat = Network.EdgeProbabilities(scaling.ToTensor(panel, end - EncoderWindow, end).to(Network.Device)).ToArray<float>();
            int e = Network.Edges.EdgeCount;
            return Enumerable.Range(0, panel.ShopCount).Select(s => Network.Edges.ToMatrix(flat.AsSpan(s * e, e))).ToArray();
        }
    }

    /// <summary>
    /// Autonomous forecast: every node forecast recursively for <paramref name="horizon"/> steps after
    /// <paramref name="origin"/> (the first forecast is for step <paramref name="origin"/>). Returns per shop
    /// [step, node] on the original scale.
    /// </summary>
    public IReadOnlyList<double[,]> Forecast(NumericPanel panel, int origin, int horizon) => Run(panel, origin, horizon, plan: null, fixedEdges: null);

    /// <summary>
    /// Like <see cref="Forecast"/> and <see cref="ForecastScenario"/>, but with the graph of every shop given
    /// (<paramref name="fixedEdges"/>[shop] in <see cref="EdgeIndex"/> order) instead of read by the encoder.
    /// </summary>
    internal IReadOnlyList<double[,]> ForecastWithEdges(NumericPanel panel, int origin, int horizon, IReadOnlyList<double[,]>? plan, float[][] fixedEdges)
    {
        if (plan is not null) CheckPlan(panel, plan);
        return Run(panel, origin, plan?[0].GetLength(0) ?? horizon, plan, fixedEdges);
    }

    /// <summary>
    /// Scenario forecast: the channel spends of the next steps are given
    /// (<paramref name="channelPlan"/>[shop][step, channel], original scale); mediators and the target are
    /// forecast. Returns per shop [step, node], with the given channels copied through.
    /// </summary>
    /// <exception cref="ArgumentException">The plan does not cover every shop, step and channel.</exception>
    public IReadOnlyList<double[,]> ForecastScenario(NumericPanel panel, int origin, IReadOnlyList<double[,]> channelPlan)
    {
        CheckPlan(panel, channelPlan);
        return Run(panel, origin, channelPlan[0].GetLength(0), channelPlan, fixedEdges: null);
    }

    private void CheckPlan(NumericPanel panel, IReadOnlyList<double[,]> channelPlan)
    {
        ArgumentNullException.ThrowIfNull(channelPlan);
        if (channelPlan.Count != panel.ShopCount)
            throw new ArgumentException($"The plan covers {channelPlan.Count} shops but the panel has {panel.ShopCount}.", nameof(channelPlan));
        int horizon = channelPlan[0].GetLength(0);
        for (int s = 0; s < channelPlan.Count; s++)
        {
            if (channelPlan[s].GetLength(0) != horizon || channelPlan[s].GetLength(1) != ChannelCount)
                throw new ArgumentException($"Plan of shop '{panel.ShopIds[s]}' is {channelPlan[s].GetLength(0)}x{channelPlan[s].GetLength(1)}; every shop needs {horizon} steps x {ChannelCount} channels.", nameof(channelPlan));
        }
        if (horizon < 1) throw new ArgumentException("The plan must cover at least one step.", nameof(channelPlan));
    }

    private IReadOnlyList<double[,]> Run(NumericPanel panel, int origin, int horizon, IReadOnlyList<double[,]>? plan, float[][]? fixedEdges)
    {
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be at least 1 step.");
        lock (_gate)
        {
            int end = CheckPanel(panel, origin);
            int start = end - EncoderWindow, n = NodeNames.Count, shops = panel.ShopCount;
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGrad = torch.no_grad();
            PanelScaling scaling = PanelScaling.Measure(panel, start, end);
            Device device = Network.Device;
            Tensor history = scaling.ToTensor(panel, start, end).to(device);
            Tensor context = ContextTensor(panel).to(device);
            Tensor edges = fixedEdges is null ? Network.EdgeProbabilities(history)
                : CausalMmmTrainer.EdgeTensor(fixedEdges, Network.Edges.EdgeCount, panel.ShopIds).to(device);
            (Tensor means, Tensor state) = Network.Decoder.Forward(history, edges, context);
            Tensor next = means.narrow(1, EncoderWindow - 1, 1).squeeze(1); // prediction for step `origin`
            var result = Enumerable.Range(0, shops).Select(_ => new double[horizon, n]).ToArray();
            for (int h = 0; h < horizon; h++)
            {
                float[] predicted = next.ToArray<float>();
                var input = new float[shops * n];
                for (int s = 0; s < shops; s++)
                for (int j = 0; j < n; j++)
                {
                    bool given = plan is not null && j < ChannelCount;
                    double scaled = given ? scaling.Scale(s, j, plan![s][h, j]) : predicted[s * n + j];
                    input[s * n + j] = (float)scaled;
                    result[s][h, j] = given ? plan![s][h, j] : scaling.Unscale(s, j, scaled);
                }
                if (h + 1 == horizon) break;
                (next, state) = Network.Decoder.Step(torch.tensor(input, new long[] { shops, n }, device), state, edges, context);
            }
            return result;
        }
    }

    internal Tensor ContextTensor(NumericPanel panel)
    {
        int c = ContextNames.Count;
        var data = new float[panel.ShopCount * Math.Max(c, 1)];
        for (int s = 0; s < panel.ShopCount; s++)
        for (int k = 0; k < c; k++)
            data[s * c + k] = (float)((panel.Context(s, k) - _contextMean[k]) / _contextScale[k]);
        return torch.tensor(data, new long[] { panel.ShopCount, Math.Max(c, 1) });
    }

    private int CheckPanel(NumericPanel panel, int origin)
    {
        ArgumentNullException.ThrowIfNull(panel);
        if (!panel.NodeNames.SequenceEqual(NodeNames))
            throw new ArgumentException($"The panel's series [{string.Join(", ", panel.NodeNames)}] differ from the model's [{string.Join(", ", NodeNames)}].", nameof(panel));
        if (!panel.ContextNames.SequenceEqual(ContextNames))
            throw new ArgumentException($"The panel's context [{string.Join(", ", panel.ContextNames)}] differs from the model's [{string.Join(", ", ContextNames)}].", nameof(panel));
        if (origin < EncoderWindow || origin > panel.Length)
            throw new ArgumentOutOfRangeException(nameof(origin), origin, $"The origin must leave {EncoderWindow} steps of history (the encoder window) and lie within the panel: [{EncoderWindow}, {panel.Length}].");
        return origin;
    }

    /// <summary>
    /// Saves to one zip: manifest.json (format, version, options, schema, context standardisation, training
    /// summary, SHA-256 of the weights) and weights.bin (<see cref="TensorSerializer"/>). Written to a temporary
    /// file and renamed, so a crash never leaves half a model.
    /// </summary>
    public void Save(string path)
    {
        lock (_gate)
        {
            using var weights = new MemoryStream();
            TensorSerializer.Write(weights, Network.state_dict());
            byte[] weightBytes = weights.ToArray();
            var manifest = new Manifest(FormatName, FormatVersion, Options, NodeNames.ToArray(), ChannelCount, ContextNames.ToArray(),
                _contextMean, _contextScale, EncoderWindow, Summary, Convert.ToHexString(SHA256.HashData(weightBytes)));
            string full = Path.GetFullPath(path);
            string temporary = full + ".tmp-" + Environment.ProcessId;
            using (FileStream file = File.Create(temporary))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                using (Stream m = zip.CreateEntry("manifest.json").Open()) JsonSerializer.Serialize(m, manifest, JsonOptions);
                using (Stream w = zip.CreateEntry("weights.bin").Open()) w.Write(weightBytes);
            }
            File.Move(temporary, full, overwrite: true);
        }
    }

    /// <summary>Loads a model written by <see cref="Save"/>, checking format, version and checksum.</summary>
    /// <exception cref="InvalidDataException">The file is not a CausalMMM model, is of an unknown version, or is corrupt.</exception>
    public static CausalMmmModel Load(string path)
    {
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            ZipArchiveEntry manifestEntry = zip.GetEntry("manifest.json") ?? throw new InvalidDataException("it has no manifest.json entry");
            ZipArchiveEntry weightsEntry = zip.GetEntry("weights.bin") ?? throw new InvalidDataException("it has no weights.bin entry");
            Manifest manifest;
            using (Stream m = manifestEntry.Open())
                manifest = JsonSerializer.Deserialize<Manifest>(m, JsonOptions) ?? throw new InvalidDataException("its manifest is empty");
            if (manifest.Format != FormatName) throw new InvalidDataException($"it is a '{manifest.Format}' file, not a '{FormatName}'");
            if (manifest.Version != FormatVersion) throw new InvalidDataException($"its format version {manifest.Version} is not supported (this library reads version {FormatVersion})");
            using var weights = new MemoryStream();
            using (Stream w = weightsEntry.Open()) w.CopyTo(weights);
            if (!Convert.ToHexString(SHA256.HashData(weights.ToArray())).Equals(manifest.WeightsSha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException("the weights do not match the checksum in the manifest (the file was modified or damaged)");
            var model = new CausalMmmModel(manifest.Options, manifest.NodeNames, manifest.ChannelCount, manifest.ContextNames,
                manifest.ContextMean, manifest.ContextScale, manifest.EncoderWindow) { Summary = manifest.Summary };
            try
            {
                weights.Position = 0;
                Dictionary<string, Tensor> state = TensorSerializer.Read(weights);
                try
                {
                    model.Network.load_state_dict(state);
                }
                finally
                {
                    foreach (Tensor t in state.Values) t.Dispose();
                }
                model.Network.eval();
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or ArgumentException)
        {
            throw new InvalidDataException($"Cannot load the model at '{path}': {ex.Message}.", ex);
        }
    }

    /// <summary>Writes the model into a pipeline file's component entries (the pipeline checksums them).</summary>
    internal void WriteTo(Pipeline.ModelSaveContext context)
    {
        lock (_gate)
        {
            context.WriteJson("model", new Manifest(FormatName, FormatVersion, Options, NodeNames.ToArray(), ChannelCount, ContextNames.ToArray(),
                _contextMean, _contextScale, EncoderWindow, Summary, ""));
            context.WriteTensors("weights", Network.state_dict());
        }
    }

    /// <summary>Reads a model written by <see cref="WriteTo"/>.</summary>
    internal static CausalMmmModel ReadFrom(Pipeline.ModelLoadContext context)
    {
        Manifest manifest = context.ReadJson<Manifest>("model");
        if (manifest.Format != FormatName || manifest.Version != FormatVersion)
            throw new InvalidDataException($"its network is '{manifest.Format}' version {manifest.Version}; this library reads '{FormatName}' version {FormatVersion}");
        var model = new CausalMmmModel(manifest.Options, manifest.NodeNames, manifest.ChannelCount, manifest.ContextNames,
            manifest.ContextMean, manifest.ContextScale, manifest.EncoderWindow) { Summary = manifest.Summary };
        try
        {
            Dictionary<string, Tensor> state = context.ReadTensors("weights");
            try
            {
                model.Network.load_state_dict(state);
            }
            finally
            {
                foreach (Tensor t in state.Values) t.Dispose();
            }
            model.Network.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Releases the network's native tensors.</summary>
    public void Dispose() => Network.Dispose();

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private sealed record Manifest(string Format, int Version, CausalMmmOptions Options, string[] NodeNames, int ChannelCount, string[] ContextNames,
        double[] ContextMean, double[] ContextScale, int EncoderWindow, TrainingSummary? Summary, string WeightsSha256);
}
