namespace CausalMmm.Data;

/// <summary>
/// The shape of data flowing through a pipeline: the variables with their roles, and which results
/// (graphs, forecasts) are attached. Estimators and transformers map one schema to the next in
/// <c>GetOutputSchema</c>, so a pipeline can be checked before anything is fitted.
/// </summary>
public sealed record PanelSchema
{
    /// <summary>Creates a schema.</summary>
    public PanelSchema(IEnumerable<PanelVariable> variables, bool hasGraphs = false, IEnumerable<string>? forecastVariables = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        Variables = variables.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (PanelVariable v in Variables)
        {
            if (!seen.Add(v.Name)) throw new ArgumentException($"The variable '{v.Name}' appears twice; names must be unique.", nameof(variables));
        }
        HasGraphs = hasGraphs;
        ForecastVariables = (forecastVariables ?? Array.Empty<string>()).ToArray();
    }

    /// <summary>Every variable, in panel order (a panel lists its time-varying variables first, then its context).</summary>
    public IReadOnlyList<PanelVariable> Variables { get; }

    /// <summary>True when per-shop causal graphs are attached (output of a causal-graph transformer).</summary>
    public bool HasGraphs { get; }

    /// <summary>Variables that have a forecast attached; empty when there is none.</summary>
    public IReadOnlyList<string> ForecastVariables { get; }

    /// <summary>The variables with <paramref name="role"/>, in panel order.</summary>
    public IReadOnlyList<PanelVariable> WithRole(VariableRole role) => Variables.Where(v => v.Role == role).ToArray();

    /// <summary>The variable called <paramref name="name"/>, or null.</summary>
    public PanelVariable? Find(string name) => Variables.FirstOrDefault(v => v.Name == name);

    /// <summary>The target variable.</summary>
    /// <exception cref="InvalidOperationException">The schema has no target.</exception>
    public PanelVariable Target => Variables.FirstOrDefault(v => v.Role == VariableRole.Target)
        ?? throw new InvalidOperationException("The panel has no Target variable; declare one in the schema (for example gmv).");

    /// <summary>A copy with <paramref name="added"/> time-varying variables placed after the existing ones (context variables stay last).</summary>
    public PanelSchema WithVariables(IEnumerable<PanelVariable> added) =>
        new(Variables.Where(v => v.IsTimeVarying).Concat(added).Concat(Variables.Where(v => !v.IsTimeVarying)), HasGraphs, ForecastVariables);

    /// <summary>A copy marked as carrying graphs.</summary>
    public PanelSchema WithGraphs() => new(Variables, true, ForecastVariables);

    /// <summary>A copy marked as carrying forecasts of <paramref name="variables"/>.</summary>
    public PanelSchema WithForecasts(IEnumerable<string> variables) => new(Variables, HasGraphs, variables);

    /// <summary>Structural equality: the same variables in the same order and the same attachments.</summary>
    public bool Equals(PanelSchema? other) => other is not null && Variables.SequenceEqual(other.Variables)
        && HasGraphs == other.HasGraphs && ForecastVariables.SequenceEqual(other.ForecastVariables);

    /// <summary>A hash consistent with <see cref="Equals(PanelSchema?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Variables.Count, HasGraphs, ForecastVariables.Count);

    /// <summary>One line per variable, for error messages and logs.</summary>
    public override string ToString() => string.Join(", ", Variables.Select(v => $"{v.Name}:{v.Role}"))
        + (HasGraphs ? " +graphs" : "") + (ForecastVariables.Count > 0 ? $" +forecasts({string.Join(",", ForecastVariables)})" : "");
}
