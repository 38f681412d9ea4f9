using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>The encoder and decoder together, with the edge bookkeeping they share.</summary>
internal sealed class CausalMmmNetwork : nn.Module
{
    public CausalMmmNetwork(int nodes, int givenCount, int window, int contextCount, CausalMmmOptions options) : base(nameof(CausalMmmNetwork))
    {
        Edges = new EdgeIndex(nodes, givenCount, options.SameDayMedia);
        Variant = options.Variant;
        if (Variant != CausalMmmVariant.FullGraph)
        {
            Encoder = new CausalRelationalEncoder(Edges, window, options.HiddenSize, options.Encoder, options.EncoderGrangerScores);
            register_module("encoder", Encoder);
        }
        Decoder = new MarketingResponseDecoder(Edges, contextCount, options);
        register_module("decoder", Decoder);
    }

    public EdgeIndex Edges { get; }

    public CausalMmmVariant Variant { get; }

    public CausalRelationalEncoder? Encoder { get; }

    public MarketingResponseDecoder Decoder { get; }

    /// <summary>Where the parameters live.</summary>
    public Device Device => parameters().First().device;

    /// <summary>Moves parameters, buffers and the edge indexes to <paramref name="device"/>.</summary>
    public void MoveTo(Device device)
    {
        this.to(device);
        Edges.MoveTo(device);
    }

    /// <summary>Edge logits [B, E (+ Ec), 2] from a scaled history window [B, W, n]; null for CM-FULL.</summary>
    /// <remarks><paramref name="grangerScores"/>: the window's <see cref="CausalRelationalEncoder.GrangerScores"/>, when already computed.</remarks>
    public Tensor? EdgeLogits(Tensor window, Tensor? grangerScores = null) => Encoder?.Forward(window, grangerScores);

    /// <summary>The Granger scores [B, E] the encoder reads from <paramref name="window"/>, or null when it reads none.</summary>
    public Tensor? GrangerScores(Tensor window) => Encoder is { ReadsGrangerScores: true } encoder ? encoder.GrangerScores(window) : null;

    /// <summary>Edge probabilities [B, E (+ Ec)]: softmax of the logits, or all ones for CM-FULL.</summary>
    public Tensor EdgeProbabilities(Tensor window)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? logits = EdgeLogits(window);
        Tensor p = logits is null
            ? torch.ones(new[] { window.size(0), (long)Edges.TotalEdgeCount }, window.dtype, window.device)
            : logits.softmax(-1).narrow(-1, 1, 1).squeeze(-1);
        return p.MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Edges.Dispose();
        base.Dispose(disposing);
    }
}
