namespace CausalMmm.Simulation;

/// <summary>How <see cref="SyntheticPanelGenerator"/> draws the strength of each causal link.</summary>
public enum SyntheticLinkWeights
{
    /// <summary>
    /// w ~ U(0.8, 1.6) and a non-negative unit lag profile eta: every link pushes the same way with a shop-specific strength
    /// (the default, and what the README's Table 3 uses).
    /// </summary>
    PositiveUniform,

    /// <summary>w and every entry of eta ~ N(0, 0.1), either sign, as the paper's appendix reads ("parameters drawn from N(0, 0.1)").</summary>
    PaperNormal,

    /// <summary>
    /// w and every entry of eta ~ |N(0, 0.1)|: the paper's small magnitudes, every link pushing the same way. Beside
    /// <see cref="PaperNormal"/> it separates the effect of the weights' sign from that of their size.
    /// </summary>
    PaperNormalMagnitude,
}

/// <summary>
/// Settings of the synthetic benchmark of the CausalMMM paper (appendix A.2.1). The defaults are the
/// paper's Table 3 setting for Simulation 1 (d = 10, T = 120, R = 5, N = 50).
/// </summary>
public sealed class SyntheticPanelOptions
{
    /// <summary>Documented defaults.</summary>
    public static class Defaults
    {
        /// <summary>Shops (N): 50 in Simulation 1, 100 in Simulation 2.</summary>
        public const int Shops = 50;
        /// <summary>Channels (d).</summary>
        public const int Channels = 10;
        /// <summary>Time steps (T).</summary>
        public const int Length = 120;
        /// <summary>Latent causal graphs shared out among the shops (R).</summary>
        public const int Graphs = 5;
        /// <summary>Order of the lagged interactions (K).</summary>
        public const int LagOrder = 3;
        /// <summary>Fraction of possible channel-to-channel edges (of d(d-1)/2, as the graphs are acyclic) present.</summary>
        public const double EdgeDensity = 0.3;
        /// <summary>Probability that a channel drives the target directly.</summary>
        public const double TargetParentProbability = 0.5;
        /// <summary>Variance of the noise terms (0.01 in the paper).</summary>
        public const double NoiseVariance = 0.01;
        /// <summary>Steps simulated and discarded before the recorded series, so they start near stationarity.</summary>
        public const int BurnIn = 50;
    }

    /// <summary>Which of the paper's simulations: 1 (y = u) or 2 (y = S-curve of u with context-driven shape).</summary>
    public int Simulation { get; set; } = 1;

    /// <summary>Number of shops (N).</summary>
    public int Shops { get; set; } = Defaults.Shops;

    /// <summary>Number of channels (d); the target is an extra node.</summary>
    public int Channels { get; set; } = Defaults.Channels;

    /// <summary>Recorded time steps per shop (T).</summary>
    public int Length { get; set; } = Defaults.Length;

    /// <summary>Number of latent graphs (R); each shop gets one of them uniformly at random.</summary>
    public int Graphs { get; set; } = Defaults.Graphs;

    /// <summary>Lag order (K) of the nonlinear interactions.</summary>
    public int LagOrder { get; set; } = Defaults.LagOrder;

    /// <summary>Channels with no parents; null means max(1, d / 3).</summary>
    public int? SourceCount { get; set; }

    /// <summary>Fraction of the d(d-1)/2 possible channel-to-channel edges present in each graph.</summary>
    public double EdgeDensity { get; set; } = Defaults.EdgeDensity;

    /// <summary>Probability that a channel is a direct parent of the target (at least one always is).</summary>
    public double TargetParentProbability { get; set; } = Defaults.TargetParentProbability;

    /// <summary>How link strengths are drawn.</summary>
    public SyntheticLinkWeights LinkWeights { get; set; } = SyntheticLinkWeights.PositiveUniform;

    /// <summary>Variance of every noise term.</summary>
    public double NoiseVariance { get; set; } = Defaults.NoiseVariance;

    /// <summary>Discarded warm-up steps.</summary>
    public int BurnIn { get; set; } = Defaults.BurnIn;

    /// <summary>Seed of the generator; the same options and seed give the same panel.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>The number of source channels used: <see cref="SourceCount"/> or max(1, d / 3).</summary>
    public int EffectiveSourceCount => SourceCount ?? Math.Max(1, Channels / 3);

    internal void Validate()
    {
        if (Simulation is not (1 or 2)) throw new ArgumentException($"Simulation must be 1 or 2, got {Simulation}.", nameof(Simulation));
        if (Shops < 1) throw new ArgumentException($"Shops must be at least 1, got {Shops}.", nameof(Shops));
        if (Channels < 1) throw new ArgumentException($"Channels must be at least 1, got {Channels}.", nameof(Channels));
        if (Length < 2) throw new ArgumentException($"Length must be at least 2, got {Length}.", nameof(Length));
        if (Graphs < 1) throw new ArgumentException($"Graphs must be at least 1, got {Graphs}.", nameof(Graphs));
        if (LagOrder < 1) throw new ArgumentException($"LagOrder must be at least 1, got {LagOrder}.", nameof(LagOrder));
        if (EffectiveSourceCount < 1 || EffectiveSourceCount > Channels)
            throw new ArgumentException($"SourceCount must be in [1, {Channels}], got {EffectiveSourceCount}.", nameof(SourceCount));
        if (EdgeDensity is < 0 or > 1) throw new ArgumentException($"EdgeDensity must be in [0, 1], got {EdgeDensity}.", nameof(EdgeDensity));
        if (TargetParentProbability is < 0 or > 1) throw new ArgumentException($"TargetParentProbability must be in [0, 1], got {TargetParentProbability}.", nameof(TargetParentProbability));
        if (!(NoiseVariance >= 0)) throw new ArgumentException($"NoiseVariance must be non-negative, got {NoiseVariance}.", nameof(NoiseVariance));
        if (BurnIn < 0) throw new ArgumentException($"BurnIn must be non-negative, got {BurnIn}.", nameof(BurnIn));
    }
}
