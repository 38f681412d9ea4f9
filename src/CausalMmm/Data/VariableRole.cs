namespace CausalMmm.Data;

/// <summary>What a variable of a <see cref="MarketingPanel"/> is, which decides how every component treats it.</summary>
public enum VariableRole
{
    /// <summary>Media spend or impressions of one channel; non-negative, set by the advertiser, given in a scenario.</summary>
    Channel,

    /// <summary>A series channels act through (page views, visits); forecast, never given in a scenario.</summary>
    Mediator,

    /// <summary>The outcome (GMV, sales); exactly one per panel.</summary>
    Target,

    /// <summary>A static per-shop attribute (size, category); one value per shop.</summary>
    Context,

    /// <summary>A time-varying series known in advance (holidays, promotions, prices); given in a scenario like a channel.</summary>
    Covariate,

    /// <summary>A series derived by a transform (for example an adstocked channel); its <see cref="PanelVariable.Source"/> names its input.</summary>
    Feature,
}

/// <summary>One variable of a panel: its name, role, whether negative values are allowed, and for features the variable it came from.</summary>
/// <param name="Name">Column name, unique within the panel.</param>
/// <param name="Role">What the variable is.</param>
/// <param name="Unconstrained">True when negative values are allowed even for a channel (the synthetic benchmark's series go below zero).</param>
/// <param name="Source">For a <see cref="VariableRole.Feature"/>, the variable it was computed from; otherwise null.</param>
public sealed record PanelVariable(string Name, VariableRole Role, bool Unconstrained = false, string? Source = null)
{
    /// <summary>True for roles with one value per shop and step (everything but <see cref="VariableRole.Context"/>).</summary>
    public bool IsTimeVarying => Role != VariableRole.Context;
}
