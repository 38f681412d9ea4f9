using CausalMmm.Data;

namespace CausalMmm.Transforms;

/// <summary>Schema checks and default input choices shared by the components.</summary>
internal static class SchemaRules
{
    /// <summary>The channel (or covariate) a feature was ultimately derived from.</summary>
    public static string RootOf(PanelSchema schema, string name)
    {
        PanelVariable? v = schema.Find(name);
        for (int guard = 0; v?.Source is not null && guard < 64; guard++) v = schema.Find(v.Source);
        return v?.Name ?? name;
    }

    /// <summary>
    /// For every channel, the most derived series of it (the adstocked channel after an Adstock, the saturated one
    /// after a Hill), so chained transforms and regressions pick up each other's outputs without configuration.
    /// </summary>
    public static string[] LatestPerChannel(PanelSchema schema) =>
        schema.WithRole(VariableRole.Channel)
            .Select(c => schema.Variables.Last(v => v.IsTimeVarying && RootOf(schema, v.Name) == c.Name).Name)
            .ToArray();

    /// <summary>Checks that every name is a time-varying variable of the schema.</summary>
    /// <exception cref="ArgumentException">One is missing or is context; the message names the component and the fix.</exception>
    public static void RequireSeries(PanelSchema schema, IEnumerable<string> names, string component)
    {
        foreach (string name in names)
        {
            PanelVariable? v = schema.Find(name);
            if (v is null)
                throw new ArgumentException($"{component}: the input has no variable '{name}'. Time-varying variables: [{string.Join(", ", schema.Variables.Where(x => x.IsTimeVarying).Select(x => x.Name))}].");
            if (!v.IsTimeVarying)
                throw new ArgumentException($"{component}: '{name}' is a Context variable; it needs a time-varying series.");
        }
    }

    /// <summary>Checks that outputs do not collide with existing variables.</summary>
    public static void RequireNew(PanelSchema schema, IEnumerable<string> names, string component)
    {
        foreach (string name in names)
        {
            if (schema.Find(name) is not null)
                throw new ArgumentException($"{component}: the output '{name}' already exists in the input; choose another OutputSuffix or drop the repeated transform.");
        }
    }

    /// <summary>The causal model's nodes: channels, covariates, mediators, the target (the order of <see cref="MarketingPanel.ToNumeric"/>).</summary>
    public static string[] CausalNodes(PanelSchema schema) =>
        GivenSeries(schema).Concat(schema.WithRole(VariableRole.Mediator).Select(v => v.Name)).Append(schema.Target.Name).ToArray();

    /// <summary>Channels then covariates: the series a scenario gives.</summary>
    public static string[] GivenSeries(PanelSchema schema) =>
        schema.WithRole(VariableRole.Channel).Concat(schema.WithRole(VariableRole.Covariate)).Select(v => v.Name).ToArray();

    /// <summary>Checks that the schema's causal nodes and channel count are those a fitted model was trained on.</summary>
    /// <exception cref="ArgumentException">They differ; the message lists both.</exception>
    public static void RequireNodes(PanelSchema schema, IReadOnlyList<string> nodes, int givenCount, string component)
    {
        RequireSeries(schema, nodes, component);
        RequireChannelsAndTarget(schema, component);
        string[] actual = CausalNodes(schema);
        if (!actual.SequenceEqual(nodes) || GivenSeries(schema).Length != givenCount)
            throw new ArgumentException($"{component}: the input's series and roles [{string.Join(", ", actual.Select(n => $"{n}:{schema.Find(n)!.Role}"))}] differ from those it was fitted on [{string.Join(", ", nodes)}] (the first {givenCount} given as channels or covariates).");
    }

    /// <summary>Checks that the schema has a target and at least one channel.</summary>
    public static void RequireChannelsAndTarget(PanelSchema schema, string component)
    {
        if (schema.WithRole(VariableRole.Channel).Count == 0) throw new ArgumentException($"{component}: the input has no Channel variable; mark spend columns as Channel.");
        if (schema.WithRole(VariableRole.Target).Count != 1) throw new ArgumentException($"{component}: the input needs exactly one Target variable.");
    }
}
