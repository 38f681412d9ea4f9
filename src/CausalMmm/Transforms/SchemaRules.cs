using CausalMmm.Data;

namespace CausalMmm.Transforms;

/// <summary>Default input choices and output checks shared by the transforms and baselines.</summary>
internal static class SchemaRules
{
    /// <summary>
    /// For every channel, its most derived column present: the last in schema order among the channel itself and the
    /// channel with our transforms' suffixes (<c>x0_adstock</c>, <c>x0_hill</c>, <c>x0_adstock_hill</c>), so chained
    /// transforms and regressions pick up each other's outputs without configuration.
    /// </summary>
    public static string[] LatestPerChannel(IReadOnlyList<ColumnInfo> columns, IEnumerable<string> channels) =>
        channels.Select(c => columns.Where(column => column.Kind == ColumnValueKind.Number && IsDerivedFrom(column.Name, c)).Select(column => column.Name).LastOrDefault() ?? c)
            .ToArray();

    /// <summary>True when <paramref name="name"/> is <paramref name="channel"/> followed by zero or more of our derived suffixes.</summary>
    public static bool IsDerivedFrom(string name, string channel)
    {
        if (!name.StartsWith(channel, StringComparison.Ordinal)) return false;
        string rest = name[channel.Length..];
        while (rest.Length > 0)
        {
            string? suffix = PanelRoles.DerivedSuffixes.FirstOrDefault(s => rest.StartsWith(s, StringComparison.Ordinal));
            if (suffix is null) return false;
            rest = rest[suffix.Length..];
        }
        return true;
    }

    /// <summary>Checks that every input is a numeric column and no output collides with an existing column.</summary>
    /// <exception cref="ArgumentException">An input is missing or not numeric, or an output exists already.</exception>
    public static void RequireInputsAndNewOutputs(IReadOnlyList<ColumnInfo> columns, IEnumerable<string> inputs, IEnumerable<string> outputs, string component)
    {
        var byName = new Dictionary<string, ColumnInfo>(StringComparer.Ordinal);
        foreach (ColumnInfo c in columns) byName[c.Name] = c;
        foreach (string input in inputs)
        {
            if (!byName.TryGetValue(input, out ColumnInfo column))
                throw new ArgumentException($"{component}: the input has no column '{input}'. Columns: [{string.Join(", ", byName.Keys)}].");
            if (column.Kind != ColumnValueKind.Number)
                throw new ArgumentException($"{component}: column '{input}' is {column.Kind}; it must be a numeric scalar.");
        }
        foreach (string output in outputs)
        {
            if (byName.ContainsKey(output))
                throw new ArgumentException($"{component}: the output '{output}' already exists in the input; choose another OutputSuffix or drop the repeated transform.");
        }
    }
}
