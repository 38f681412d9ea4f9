using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Data;

/// <summary>What a component needs to know about a column to decide its role: its name and the kind of values it holds.</summary>
internal readonly record struct ColumnInfo(string Name, ColumnValueKind Kind);

/// <summary>The kinds of column a panel reader understands.</summary>
internal enum ColumnValueKind
{
    /// <summary>A scalar Single, Double, Int32 or Int64.</summary>
    Number,

    /// <summary>A scalar Text column.</summary>
    Text,

    /// <summary>A scalar DateTime column.</summary>
    DateTime,

    /// <summary>Anything else (vectors, keys, booleans): never given a role.</summary>
    Other,
}

/// <summary>
/// The columns of a panel with their roles, resolved once from the options, the catalog's schema and the column names.
/// Fitted transformers keep it, so they read exactly the columns they were fitted on.
/// </summary>
/// <param name="Shop">The shop key column.</param>
/// <param name="Date">The date column.</param>
/// <param name="Target">The target (label), or null when the component needs none.</param>
/// <param name="Channels">Channel columns, in input order.</param>
/// <param name="Covariates">Covariate columns.</param>
/// <param name="Mediators">Mediator columns.</param>
/// <param name="Context">Context columns.</param>
/// <param name="Unconstrained">Channels allowed to be negative.</param>
public sealed record PanelRoles(string Shop, string Date, string? Target, string[] Channels, string[] Covariates, string[] Mediators, string[] Context,
    string[] Unconstrained)
{
    /// <summary>The column the reader adds for filtering history and holdout: the step index from a panel's first date.</summary>
    public const string StepColumnName = "t";

    /// <summary>Suffixes of the columns our transforms add; names ending in them are never inferred as inputs.</summary>
    internal static readonly string[] DerivedSuffixes = { "_adstock", "_hill" };

    /// <summary>Names our transformers write; never inferred as inputs.</summary>
    internal static readonly string[] ReservedNames = { StepColumnName, "Score", "Graph", "Label", "Features" };

    /// <summary>Channels then covariates: the series a scenario gives, and the first nodes of the causal model.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> GivenSeries => Channels.Concat(Covariates).ToArray();

    /// <summary>The causal model's nodes: channels, covariates, mediators, then the target.</summary>
    /// <exception cref="InvalidOperationException">These roles have no target.</exception>
    [JsonIgnore]
    public IReadOnlyList<string> CausalNodes => Target is null
        ? throw new InvalidOperationException("These roles have no target.")
        : Channels.Concat(Covariates).Concat(Mediators).Append(Target).ToArray();

    /// <summary>Every variable with its role, in the order a panel stores them (time-varying first, then context).</summary>
    internal IReadOnlyList<PanelVariable> Variables()
    {
        var unconstrained = new HashSet<string>(Unconstrained, StringComparer.Ordinal);
        var list = new List<PanelVariable>();
        list.AddRange(Channels.Select(c => new PanelVariable(c, VariableRole.Channel, unconstrained.Contains(c))));
        list.AddRange(Covariates.Select(c => new PanelVariable(c, VariableRole.Covariate)));
        list.AddRange(Mediators.Select(c => new PanelVariable(c, VariableRole.Mediator)));
        if (Target is not null) list.Add(new PanelVariable(Target, VariableRole.Target));
        list.AddRange(Context.Select(c => new PanelVariable(c, VariableRole.Context)));
        return list;
    }

    /// <summary>These roles restricted to the given series only (no target, mediators or context): what a channel transform reads.</summary>
    internal PanelRoles GivenOnly() => this with { Target = null, Mediators = Array.Empty<string>(), Context = Array.Empty<string>() };

    /// <summary>The columns of a data view's schema.</summary>
    internal static IReadOnlyList<ColumnInfo> Columns(DataViewSchema schema) =>
        schema.Where(c => !c.IsHidden).Select(c => new ColumnInfo(c.Name, KindOf(c.Type))).ToArray();

    /// <summary>The columns of an estimator's input shape.</summary>
    internal static IReadOnlyList<ColumnInfo> Columns(SchemaShape shape) =>
        shape.Select(c => new ColumnInfo(c.Name, c.Kind != SchemaShape.Column.VectorKind.Scalar || c.IsKey ? ColumnValueKind.Other : KindOf(c.ItemType))).ToArray();

    /// <summary>The kind of a column type, as far as the reader cares.</summary>
    internal static ColumnValueKind KindOf(DataViewType type) => type switch
    {
        _ when type == NumberDataViewType.Single || type == NumberDataViewType.Double || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64 => ColumnValueKind.Number,
        TextDataViewType => ColumnValueKind.Text,
        DateTimeDataViewType => ColumnValueKind.DateTime,
        _ => ColumnValueKind.Other,
    };

    /// <summary>
    /// Resolves the roles of <paramref name="columns"/>: a setting in <paramref name="options"/> wins, then a role in
    /// <paramref name="schema"/>, then inference from the name (when the schema allows it). Columns that get no role are
    /// ignored and listed in <paramref name="ignored"/>, so the component can say so in the log.
    /// </summary>
    /// <param name="columns">The input's columns.</param>
    /// <param name="options">The component's column settings.</param>
    /// <param name="schema">The catalog's schema.</param>
    /// <param name="requireTarget">The component needs a target (trainers) or not (channel transforms).</param>
    /// <param name="component">Names the component in errors.</param>
    /// <param name="ignored">The numeric columns that got no role.</param>
    /// <exception cref="ArgumentException">A key column is missing, a named column is missing or not numeric, or the target or channels are missing.</exception>
    internal static PanelRoles Resolve(IReadOnlyList<ColumnInfo> columns, PanelColumnOptions options, MarketingSchema schema, bool requireTarget, string component,
        out IReadOnlyList<string> ignored)
    {
        var byName = new Dictionary<string, ColumnInfo>(StringComparer.Ordinal);
        foreach (ColumnInfo c in columns) byName[c.Name] = c; // the last column of a name is the visible one
        string available = string.Join(", ", byName.Values.Select(c => $"{c.Name}:{c.Kind}"));

        string shop = Key(options.ShopColumnName ?? schema.ShopColumn, MarketingSchema.Defaults.ShopColumns, "shop", nameof(options.ShopColumnName),
            kind => kind is ColumnValueKind.Text or ColumnValueKind.Number);
        string date = Key(options.DateColumnName ?? schema.DateColumn, MarketingSchema.Defaults.DateColumns, "date", nameof(options.DateColumnName),
            kind => kind is ColumnValueKind.DateTime or ColumnValueKind.Number or ColumnValueKind.Text);

        var explicitRoles = new Dictionary<string, VariableRole>(StringComparer.Ordinal);
        void Declare(IEnumerable<string>? names, VariableRole role, string optionName)
        {
            foreach (string name in names ?? Array.Empty<string>())
            {
                if (!byName.TryGetValue(name, out ColumnInfo column))
                    throw new ArgumentException($"{component}: {optionName} names '{name}', but the input has no such column. Columns: [{available}].");
                if (column.Kind != ColumnValueKind.Number)
                    throw new ArgumentException($"{component}: {optionName} names '{name}', which is {column.Kind}; a {role} column must be a numeric scalar (Single, Double, Int32 or Int64). Convert it with mlContext.Transforms.Conversion.ConvertType.");
                if (explicitRoles.TryGetValue(name, out VariableRole other) && other != role)
                    throw new ArgumentException($"{component}: '{name}' is given two roles, {other} and {role}; give each column one role.");
                explicitRoles[name] = role;
            }
        }
        Declare(options.LabelColumnName is null ? null : new[] { options.LabelColumnName }, VariableRole.Target, nameof(options.LabelColumnName));
        Declare(options.ChannelColumnNames, VariableRole.Channel, nameof(options.ChannelColumnNames));
        Declare(options.MediatorColumnNames, VariableRole.Mediator, nameof(options.MediatorColumnNames));
        Declare(options.CovariateColumnNames, VariableRole.Covariate, nameof(options.CovariateColumnNames));
        Declare(options.ContextColumnNames, VariableRole.Context, nameof(options.ContextColumnNames));
        var settled = new HashSet<VariableRole>();
        if (options.LabelColumnName is not null) settled.Add(VariableRole.Target);
        if (options.ChannelColumnNames is not null) settled.Add(VariableRole.Channel);
        if (options.MediatorColumnNames is not null) settled.Add(VariableRole.Mediator);
        if (options.CovariateColumnNames is not null) settled.Add(VariableRole.Covariate);
        if (options.ContextColumnNames is not null) settled.Add(VariableRole.Context);

        var roles = new List<(string Name, VariableRole Role)>();
        var skipped = new List<string>();
        foreach (ColumnInfo column in byName.Values)
        {
            if (column.Name == shop || column.Name == date) continue;
            if (explicitRoles.TryGetValue(column.Name, out VariableRole role))
            {
                roles.Add((column.Name, role));
                continue;
            }
            if (column.Kind != ColumnValueKind.Number || IsReservedOrDerived(column.Name) || schema.Ignore.Contains(column.Name)) continue;
            VariableRole? found = schema.RoleOf(column.Name);
            if (found is { } r && r != VariableRole.Feature && !settled.Contains(r)) roles.Add((column.Name, r));
            else skipped.Add(column.Name);
        }

        string[] Of(VariableRole role) => roles.Where(r => r.Role == role).Select(r => r.Name).ToArray();
        string[] targets = Of(VariableRole.Target);
        if (targets.Length > 1)
            throw new ArgumentException($"{component}: the input has {targets.Length} target columns [{string.Join(", ", targets)}]; set LabelColumnName to the one to model.");
        if (requireTarget && targets.Length == 0)
            throw new ArgumentException($"{component}: no target column. Set LabelColumnName (for example \"gmv\"); columns: [{available}].");
        string[] channels = Of(VariableRole.Channel);
        if (channels.Length == 0)
            throw new ArgumentException($"{component}: no channel column. Set ChannelColumnNames to the spend columns; columns: [{available}].");
        string[] unconstrained = (options.UnconstrainedColumnNames ?? Array.Empty<string>()).Concat(schema.Unconstrained).Distinct(StringComparer.Ordinal).ToArray();
        ignored = skipped;
        return new PanelRoles(shop, date, targets.FirstOrDefault(), channels, Of(VariableRole.Covariate), Of(VariableRole.Mediator), Of(VariableRole.Context), unconstrained);

        string Key(string? requested, IReadOnlyList<string> candidates, string what, string optionName, Func<ColumnValueKind, bool> accepts)
        {
            if (requested is not null)
            {
                if (!byName.TryGetValue(requested, out ColumnInfo column))
                    throw new ArgumentException($"{component}: the {what} column '{requested}' is not in the input. Columns: [{available}]. Set {optionName}.");
                if (!accepts(column.Kind))
                    throw new ArgumentException($"{component}: the {what} column '{requested}' is {column.Kind}, which cannot hold a {what}.");
                return requested;
            }
            foreach (string candidate in candidates)
            {
                ColumnInfo? match = byName.Values.Where(c => c.Name.Equals(candidate, StringComparison.OrdinalIgnoreCase) && accepts(c.Kind)).Cast<ColumnInfo?>().FirstOrDefault();
                if (match is { } m) return m.Name;
            }
            throw new ArgumentException($"{component}: no {what} column: tried [{string.Join(", ", candidates)}] among [{available}]. Set {optionName}.");
        }
    }

    /// <summary>Checks that the input still has every column of these roles with a numeric type (for fitted transformers).</summary>
    /// <exception cref="ArgumentException">A column is missing or of another kind; the message names it.</exception>
    internal void Require(IReadOnlyList<ColumnInfo> columns, string component, IEnumerable<string>? only = null)
    {
        var byName = new Dictionary<string, ColumnInfo>(StringComparer.Ordinal);
        foreach (ColumnInfo c in columns) byName[c.Name] = c;
        string available = string.Join(", ", byName.Values.Select(c => $"{c.Name}:{c.Kind}"));
        void Need(string name, string what, Func<ColumnValueKind, bool> accepts)
        {
            if (!byName.TryGetValue(name, out ColumnInfo c))
                throw new ArgumentException($"{component}: the input has no column '{name}' ({what}), which it was fitted with. Columns: [{available}].");
            if (!accepts(c.Kind)) throw new ArgumentException($"{component}: column '{name}' ({what}) is {c.Kind} in the input, not a numeric scalar.");
        }
        Need(Shop, "shop", k => k is ColumnValueKind.Text or ColumnValueKind.Number);
        Need(Date, "date", k => k is ColumnValueKind.DateTime or ColumnValueKind.Number or ColumnValueKind.Text);
        foreach (string name in only ?? Variables().Select(v => v.Name)) Need(name, "a variable", k => k == ColumnValueKind.Number);
    }

    private static bool IsReservedOrDerived(string name) =>
        ReservedNames.Contains(name, StringComparer.Ordinal) || DerivedSuffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase));
}
