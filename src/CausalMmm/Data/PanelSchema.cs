namespace CausalMmm.Data;

/// <summary>The variables of a <see cref="MarketingPanel"/> with their roles, in panel order.</summary>
public sealed record PanelSchema
{
    /// <summary>Creates a schema.</summary>
    /// <exception cref="ArgumentException">A name appears twice.</exception>
    public PanelSchema(IEnumerable<PanelVariable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        Variables = variables.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (PanelVariable v in Variables)
        {
            if (!seen.Add(v.Name)) throw new ArgumentException($"The variable '{v.Name}' appears twice; names must be unique.", nameof(variables));
        }
    }

    /// <summary>Every variable, in panel order (a panel lists its time-varying variables first, then its context).</summary>
    public IReadOnlyList<PanelVariable> Variables { get; }

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
        new(Variables.Where(v => v.IsTimeVarying).Concat(added).Concat(Variables.Where(v => !v.IsTimeVarying)));

    /// <summary>Structural equality: the same variables in the same order.</summary>
    public bool Equals(PanelSchema? other) => other is not null && Variables.SequenceEqual(other.Variables);

    /// <summary>A hash consistent with <see cref="Equals(PanelSchema?)"/>.</summary>
    public override int GetHashCode() => Variables.Count;

    /// <summary>One entry per variable, for error messages and logs.</summary>
    public override string ToString() => string.Join(", ", Variables.Select(v => $"{v.Name}:{v.Role}"));
}
