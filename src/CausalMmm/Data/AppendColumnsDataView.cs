using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Data;

/// <summary>A column a panel transformer adds: Single per row, or a Single vector shared by the rows of a shop.</summary>
internal sealed record AppendedColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null)
{
    /// <summary>A Single column.</summary>
    public static AppendedColumn Scalar(string name) => new(name, NumberDataViewType.Single);
}

/// <summary>The values of one appended column over the input rows.</summary>
internal abstract record AppendedValues
{
    /// <summary>One Single per input row.</summary>
    public sealed record Scalars(float[] Values) : AppendedValues;

    /// <summary>A vector per input row, stored once per item (shop): row r holds <c>Items[RowItem[r]]</c>.</summary>
    public sealed record Vectors(int[] RowItem, float[][] Items) : AppendedValues;
}

/// <summary>
/// The input data view plus columns computed over the whole panel, once per <c>Transform</c> call, lazily on the first
/// cursor that asks for one of them. Input columns stream through untouched (same index, type and annotations). An added
/// column's value for the row at cursor position p is the value computed for input row p: this holds because the input
/// is read in order without shuffling, which is also why this view cannot shuffle (<see cref="CanShuffle"/> is false).
/// Panel transformers are not row-to-row mappers: carry-over and forecasts read a shop's other rows.
/// </summary>
internal sealed class AppendColumnsDataView : IDataView
{
    private readonly IDataView _source;
    private readonly int _sourceCount;
    private readonly Lazy<AppendedValues[]> _values;

    public AppendColumnsDataView(IDataView source, IReadOnlyList<AppendedColumn> columns, Func<AppendedValues[]> compute)
    {
        _source = source;
        _sourceCount = source.Schema.Count;
        _values = new Lazy<AppendedValues[]>(() =>
        {
            AppendedValues[] values = compute();
            if (values.Length != columns.Count) throw new InvalidOperationException($"{values.Length} computed columns for {columns.Count} declared.");
            return values;
        }, LazyThreadSafetyMode.ExecutionAndPublication);
        Schema = OutputSchema(source.Schema, columns);
    }

    /// <summary>Every input column (same index, type and annotations), then the added columns (which hide inputs of the same name).</summary>
    public static DataViewSchema OutputSchema(DataViewSchema input, IEnumerable<AppendedColumn> columns)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (AppendedColumn column in columns) builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var sourceNeeded = needed.Where(i => i < _sourceCount).Select(i => _source.Schema[i]);
        return new Cursor(this, _source.GetRowCursor(sourceNeeded), needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly AppendColumnsDataView _parent;
        private readonly DataViewRowCursor _source;
        private readonly HashSet<int> _active;

        public Cursor(AppendColumnsDataView parent, DataViewRowCursor source, HashSet<int> active)
        {
            _parent = parent;
            _source = source;
            _active = active;
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _source.Position;

        public override long Batch => _source.Batch;

        public override bool MoveNext() => _source.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _source.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _parent._sourceCount ? _source.IsColumnActive(_source.Schema[column.Index]) : _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _parent._sourceCount) return _source.GetGetter<TValue>(_source.Schema[column.Index]);
            if (!_active.Contains(column.Index)) throw new InvalidOperationException($"Column '{column.Name}' was not requested by this cursor.");
            AppendedValues values = _parent._values.Value[column.Index - _parent._sourceCount];
            DataViewRowCursor source = _source;
            switch (values)
            {
                case AppendedValues.Scalars scalars when typeof(TValue) == typeof(float):
                {
                    float[] data = scalars.Values;
                    ValueGetter<float> getter = (ref float value) => value = data[source.Position];
                    return (ValueGetter<TValue>)(Delegate)getter;
                }
                case AppendedValues.Vectors vectors when typeof(TValue) == typeof(VBuffer<float>):
                {
                    ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
                    {
                        float[] item = vectors.Items[vectors.RowItem[source.Position]];
                        VBufferEditor<float> editor = VBufferEditor.Create(ref value, item.Length);
                        item.CopyTo(editor.Values);
                        value = editor.Commit();
                    };
                    return (ValueGetter<TValue>)(Delegate)getter;
                }
                default:
                    throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}.");
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _source.Dispose();
            base.Dispose(disposing);
        }
    }
}
