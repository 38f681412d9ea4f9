using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Data;

/// <summary>
/// What a component needs to know about a column to decide its role: its name, the kind of values it holds and the roles
/// its annotations declare (<see cref="PanelAnnotations"/>).
/// </summary>
internal readonly record struct ColumnInfo(string Name, ColumnValueKind Kind, VariableRole? AnnotatedRole = null, bool IsShop = false, bool IsDate = false,
    bool AnnotatedUnconstrained = false)
{
    /// <summary>A column with the roles read from the names of its annotations.</summary>
    public static ColumnInfo Create(string name, ColumnValueKind kind, IEnumerable<string> annotationNames)
    {
        (VariableRole? role, bool shop, bool date, bool unconstrained) = PanelAnnotations.Read(annotationNames);
        return new ColumnInfo(name, kind, role, shop, date, unconstrained);
    }
}

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
        schema.Where(c => !c.IsHidden).Select(c => ColumnInfo.Create(c.Name, KindOf(c.Type), c.Annotations.Schema.Select(a => a.Name))).ToArray();

    /// <summary>The columns of an estimator's input shape.</summary>
    internal static IReadOnlyList<ColumnInfo> Columns(SchemaShape shape) =>
        shape.Select(c => ColumnInfo.Create(c.Name, c.Kind != SchemaShape.Column.VectorKind.Scalar || c.IsKey ? ColumnValueKind.Other : KindOf(c.ItemType),
            c.Annotations?.Select(a => a.Name) ?? Enumerable.Empty<string>())).ToArray();

    /// <summary>The kind of a column type, as far as the reader cares.</summary>
    internal static ColumnValueKind KindOf(DataViewType type) => type switch
    {
        _ when type == NumberDataViewType.Single || type == NumberDataViewType.Double || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64 => ColumnValueKind.Number,
        TextDataViewType => ColumnValueKind.Text,
        DateTimeDataViewType => ColumnValueKind.DateTime,
        _ => ColumnValueKind.Other,
    };

    /// <summary>
    /// Resolves the roles of <paramref name="columns"/>: a setting in <paramref name="options"/> wins, then a role the
    /// column's annotations carry (<see cref="PanelAnnotations"/>), then a role in <paramref name="schema"/>, then inference
    /// from the name (when the schema allows it). Columns that get no role are
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

        string? annotatedShop = byName.Values.Where(c => c.IsShop).Select(c => c.Name).FirstOrDefault();
        string? annotatedDate = byName.Values.Where(c => c.IsDate).Select(c => c.Name).FirstOrDefault();
        string shop = Key(options.ShopColumnName ?? annotatedShop ?? schema.ShopColumn, MarketingSchema.Defaults.ShopColumns, "shop", nameof(options.ShopColumnName),
            kind => kind is ColumnValueKind.Text or ColumnValueKind.Number);
        string date = Key(options.DateColumnName ?? annotatedDate ?? schema.DateColumn, MarketingSchema.Defaults.DateColumns, "date", nameof(options.DateColumnName),
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
            if (column.Kind != ColumnValueKind.Number || IsReservedOrDerived(column.Name)) continue;
            if (column.AnnotatedRole is { } annotated)
            {
                if (annotated != VariableRole.Feature && !settled.Contains(annotated)) roles.Add((column.Name, annotated));
                else skipped.Add(column.Name);
                continue;
            }
            if (schema.Ignore.Contains(column.Name)) continue;
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
        foreach (string name in options.UnconstrainedColumnNames ?? Array.Empty<string>())
        {
            // Only channels are checked for negative values: a flag on anything else would change nothing.
            if (!byName.ContainsKey(name))
                throw new ArgumentException($"{component}: UnconstrainedColumnNames names '{name}', but the input has no such column. Columns: [{available}].");
            if (!channels.Contains(name, StringComparer.Ordinal))
                throw new ArgumentException($"{component}: UnconstrainedColumnNames names '{name}', which is not a channel; only channels are checked for negative values "
                    + $"(covariates, mediators and the target may be negative anyway). Channels: [{string.Join(", ", channels)}].");
        }
        string[] unconstrained = (options.UnconstrainedColumnNames ?? Array.Empty<string>()).Concat(schema.Unconstrained)
            .Concat(byName.Values.Where(c => c.AnnotatedUnconstrained).Select(c => c.Name)).Distinct(StringComparer.Ordinal).ToArray();
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
        Need(KeyIn(columns.Select(c => (c.Name, c.IsShop)), Shop), "shop", k => k is ColumnValueKind.Text or ColumnValueKind.Number);
        Need(KeyIn(columns.Select(c => (c.Name, c.IsDate)), Date), "date", k => k is ColumnValueKind.DateTime or ColumnValueKind.Number or ColumnValueKind.Text);
        foreach (string name in only ?? Variables().Select(v => v.Name)) Need(name, "a variable", k => k == ColumnValueKind.Number);
    }

    /// <summary>
    /// The key column to read: <paramref name="recorded"/> (the name a component was fitted with) when the input has it,
    /// else the column annotated as that key (a file read with its own key names, e.g. <c>ds</c> where a model saved
    /// before roles travelled as annotations recorded <c>date</c>), else <paramref name="recorded"/> for the error to name.
    /// </summary>
    internal static string KeyIn(IEnumerable<(string Name, bool IsKey)> columns, string recorded)
    {
        string? annotated = null;
        foreach ((string name, bool isKey) in columns)
        {
            if (name == recorded) return recorded;
            if (isKey) annotated ??= name;
        }
        return annotated ?? recorded;
    }

    /// <summary>The shop and date columns of <paramref name="schema"/> for these roles (see <see cref="KeyIn"/>).</summary>
    internal (string Shop, string Date) KeysIn(DataViewSchema schema)
    {
        IReadOnlyList<ColumnInfo> columns = Columns(schema);
        return (KeyIn(columns.Select(c => (c.Name, c.IsShop)), Shop), KeyIn(columns.Select(c => (c.Name, c.IsDate)), Date));
    }

    private static bool IsReservedOrDerived(string name) =>
        ReservedNames.Contains(name, StringComparer.Ordinal) || DerivedSuffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase));
}
