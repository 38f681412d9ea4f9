using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Data;

/// <summary>
/// The column annotations that carry a panel's roles with its data view, so the components downstream of
/// <c>mmm.Data.LoadPanelCsv(path, schema)</c> (or <c>ToDataView</c>, <c>WithRoles</c>) read the roles without a second
/// schema. Each role is an annotation of its own, a Boolean <c>true</c> named <c>CausalMmm.Role.Channel</c>,
/// <c>CausalMmm.Role.Shop</c>, ...; the annotation's presence marks the role. The role is in the annotation's name, so an estimator's <c>GetOutputSchema</c>, which
/// sees only the names of annotations (<see cref="SchemaShape"/>), reads it as well as <c>Fit</c> does. Stock ML.NET
/// transforms pass annotations of the columns they do not change through, so roles survive <c>FilterRowsByColumn</c>,
/// <c>Concatenate</c> and the like.
/// </summary>
/// <remarks>
/// Precedence when a component resolves roles: its own column options, then these annotations, then the catalog's
/// <see cref="MarketingSchema"/>, then the column names. Unconstrained flags add up from all of them.
/// </remarks>
public static class PanelAnnotations
{
    /// <summary>The prefix of every role annotation's name.</summary>
    public const string RolePrefix = "CausalMmm.Role.";

    /// <summary>The annotation that marks the shop key column.</summary>
    public const string Shop = RolePrefix + "Shop";

    /// <summary>The annotation that marks the date column.</summary>
    public const string Date = RolePrefix + "Date";

    /// <summary>
    /// The annotation of the date column that lists the date formats its source file was read with (a vector of text), so
    /// a plan CSV written in the history's own format (<c>LoadPlanCsv</c>) is read without a second schema.
    /// </summary>
    public const string DateFormats = "CausalMmm.DateFormats";

    /// <summary>The annotation that marks a variable allowed to go below zero (even a channel).</summary>
    public const string Unconstrained = "CausalMmm.Unconstrained";

    /// <summary>The annotation that marks a column with <paramref name="role"/>, e.g. <c>CausalMmm.Role.Channel</c>.</summary>
    public static string Role(VariableRole role) => RolePrefix + role;

    /// <summary>
    /// <paramref name="data"/> with its columns annotated by <paramref name="roles"/>: the shop and date keys, each
    /// variable's role and the unconstrained flags. Annotations a column already has are kept unless they are role
    /// annotations (those are replaced, so a column never holds two roles).
    /// </summary>
    /// <param name="data">The view to annotate.</param>
    /// <param name="roles">The roles to attach.</param>
    /// <param name="dateFormats">The date formats the data was read with, attached to the date column as
    /// <see cref="DateFormats"/>; null keeps what the column already has.</param>
    /// <exception cref="ArgumentException">A column of <paramref name="roles"/> is not in <paramref name="data"/>.</exception>
    public static IDataView Annotate(IDataView data, PanelRoles roles, IReadOnlyList<string>? dateFormats = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(roles);
        var marks = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Mark(string column, string annotation)
        {
            if (data.Schema.GetColumnOrNull(column) is null)
                throw new ArgumentException($"The column '{column}' ({annotation}) is not in the data. Columns: [{string.Join(", ", data.Schema.Select(c => c.Name))}].", nameof(roles));
            if (!marks.TryGetValue(column, out List<string>? list)) marks[column] = list = new List<string>();
            list.Add(annotation);
        }
        Mark(roles.Shop, Shop);
        Mark(roles.Date, Date);
        foreach (PanelVariable v in roles.Variables()) Mark(v.Name, Role(v.Role));
        foreach (string name in roles.Unconstrained)
            if (data.Schema.GetColumnOrNull(name) is not null) Mark(name, Unconstrained);
        return new AnnotatedDataView(data, marks, dateFormats is null ? null : (roles.Date, dateFormats.ToArray()));
    }

    /// <summary>The date formats the date column of <paramref name="schema"/> carries (<see cref="DateFormats"/>); empty when none.</summary>
    internal static string[] ReadDateFormats(DataViewSchema schema)
    {
        foreach (DataViewSchema.Column column in schema)
        {
            if (column.IsHidden || column.Annotations.Schema.GetColumnOrNull(Date) is null) continue;
            if (column.Annotations.Schema.GetColumnOrNull(DateFormats) is not { Type: VectorDataViewType { ItemType: TextDataViewType } }) return Array.Empty<string>();
            VBuffer<ReadOnlyMemory<char>> formats = default;
            column.Annotations.GetValue(DateFormats, ref formats);
            return formats.DenseValues().Select(f => f.ToString()).Where(f => f.Length > 0).ToArray();
        }
        return Array.Empty<string>();
    }

    /// <summary>The roles a column's annotations declare.</summary>
    internal static (VariableRole? Role, bool IsShop, bool IsDate, bool Unconstrained) Read(IEnumerable<string> annotationNames)
    {
        VariableRole? role = null;
        bool shop = false, date = false, unconstrained = false;
        foreach (string name in annotationNames)
        {
            if (name == Shop) shop = true;
            else if (name == Date) date = true;
            else if (name == Unconstrained) unconstrained = true;
            else if (name.StartsWith(RolePrefix, StringComparison.Ordinal) && Enum.TryParse(name[RolePrefix.Length..], out VariableRole r) && Enum.IsDefined(r)) role = r;
        }
        return (role, shop, date, unconstrained);
    }
}

/// <summary>
/// A data view that adds Boolean annotations to some of its source's columns and is otherwise the source: same rows,
/// columns, indices and values; cursors are the source's, seen through the annotated schema.
/// </summary>
internal sealed class AnnotatedDataView : IDataView
{
    private readonly IDataView _source;

    public AnnotatedDataView(IDataView source, IReadOnlyDictionary<string, List<string>> marks, (string Column, string[] Formats)? dateFormats = null)
    {
        _source = source;
        var builder = new DataViewSchema.Builder();
        foreach (DataViewSchema.Column column in source.Schema)
        {
            if (!marks.TryGetValue(column.Name, out List<string>? added) || column.IsHidden)
            {
                builder.AddColumn(column.Name, column.Type, column.Annotations);
                continue;
            }
            var annotations = new DataViewSchema.Annotations.Builder();
            bool formats = dateFormats is { } d && d.Column == column.Name;
            annotations.Add(column.Annotations, name => !name.StartsWith(PanelAnnotations.RolePrefix, StringComparison.Ordinal) && name != PanelAnnotations.Unconstrained
                && !(formats && name == PanelAnnotations.DateFormats));
            foreach (string name in added.Distinct(StringComparer.Ordinal))
                annotations.AddPrimitiveValue(name, BooleanDataViewType.Instance, true);
            if (formats)
            {
                ReadOnlyMemory<char>[] values = dateFormats!.Value.Formats.Select(f => f.AsMemory()).ToArray();
                annotations.Add(PanelAnnotations.DateFormats, new VectorDataViewType(TextDataViewType.Instance, values.Length),
                    (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(values.Length, values));
            }
            builder.AddColumn(column.Name, column.Type, annotations.ToAnnotations());
        }
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => _source.CanShuffle;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, _source.GetRowCursor(Source(columnsNeeded), rand));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        _source.GetRowCursorSet(Source(columnsNeeded), n, rand).Select(c => (DataViewRowCursor)new Cursor(this, c)).ToArray();

    private IEnumerable<DataViewSchema.Column> Source(IEnumerable<DataViewSchema.Column> columns) => columns.Select(c => _source.Schema[c.Index]);

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly AnnotatedDataView _parent;
        private readonly DataViewRowCursor _inner;

        public Cursor(AnnotatedDataView parent, DataViewRowCursor inner)
        {
            _parent = parent;
            _inner = inner;
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _inner.Position;

        public override long Batch => _inner.Batch;

        public override bool MoveNext() => _inner.MoveNext();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _inner.GetGetter<TValue>(_inner.Schema[column.Index]);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _inner.IsColumnActive(_inner.Schema[column.Index]);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
