using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Data;

/// <summary>
/// Reads the rows of an <c>IDataView</c> (long layout: one row per shop and date, one numeric column per variable) into a
/// checked <see cref="MarketingPanel"/> in one cursor pass, keeping where each input row landed so results can be put
/// back on the input rows. Rows may come in any order; the same checks as the CSV reader apply (duplicate or missing
/// dates, shops on different dates, NaN or infinite values, negative spend, context that changes), and every error names
/// the row, shop, date, column and value.
/// </summary>
internal static class PanelReader
{
    /// <summary>Day numbers in a numeric date column count from this date (so day 0 is 2000-01-01).</summary>
    internal static readonly DateOnly NumericDateEpoch = new(2000, 1, 1);

    /// <param name="data">The input.</param>
    /// <param name="roles">Its shop and date columns.</param>
    /// <param name="variables">The variables to read, with their roles.</param>
    /// <param name="component">Names the reading component in errors.</param>
    /// <param name="allowMissingOutcomes">Accept NaN targets and mediators on the last dates (the dates to forecast).</param>
    /// <param name="dateFormats">Formats of a Text date column.</param>
    /// <exception cref="PanelDataException">The data is not a valid panel; the message says where and how to fix it.</exception>
    public static AssembledPanel Read(IDataView data, PanelRoles roles, IReadOnlyList<PanelVariable> variables, string component, bool allowMissingOutcomes,
        IReadOnlyList<string>? dateFormats = null)
    {
        string source = $"the input of {component}";
        var assembler = new PanelAssembler(variables, source, allowMissingOutcomes);
        long row = 0;
        foreach ((string shop, DateOnly date, double[] values) in Rows(data, roles, variables, component, dateFormats))
        {
            var origin = new PanelAssembler.RowOrigin(null, ++row);
            for (int k = 0; k < values.Length; k++)
                assembler.CheckValue(variables[k], values[k], text: null, shop, date, origin);
            assembler.Add(shop, date, values, origin);
        }
        if (assembler.RowCount == 0)
            throw new PanelDataException("The input has no rows; it needs at least one row per shop and date.", source);
        return assembler.Build();
    }

    /// <summary>
    /// The rows of <paramref name="data"/> in cursor order: shop id, date, and the values of <paramref name="variables"/>,
    /// with no panel checks (an empty shop id or an unreadable date is still refused).
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or of a type that cannot hold its role.</exception>
    /// <exception cref="PanelDataException">A shop id is empty or a date cannot be read.</exception>
    public static IEnumerable<(string Shop, DateOnly Date, double[] Values)> Rows(IDataView data, PanelRoles roles, IReadOnlyList<PanelVariable> variables, string component,
        IReadOnlyList<string>? dateFormats = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataViewSchema schema = data.Schema;
        DataViewSchema.Column Find(string name) => schema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"{component}: the input has no column '{name}'. Columns: [{string.Join(", ", schema.Select(c => c.Name))}].");
        (string shopName, string dateName) = roles.KeysIn(schema);
        DataViewSchema.Column shopColumn = Find(shopName), dateColumn = Find(dateName);
        DataViewSchema.Column[] valueColumns = variables.Select(v => Find(v.Name)).ToArray();
        string source = $"the input of {component}";
        string[] formats = (dateFormats ?? MarketingSchema.Defaults.DateFormats).ToArray();
        return Iterate();

        IEnumerable<(string, DateOnly, double[])> Iterate()
        {
            using DataViewRowCursor cursor = data.GetRowCursor(valueColumns.Append(shopColumn).Append(dateColumn).Distinct());
            Func<string> shopOf = ShopGetter(cursor, shopColumn, component);
            Func<(DateOnly Date, string Text)> dateOf = DateGetter(cursor, dateColumn, formats, component);
            Func<double>[] valueOf = valueColumns.Select(c => NumberGetter(cursor, c, component)).ToArray();
            long row = 0;
            while (cursor.MoveNext())
            {
                row++;
                string shop = shopOf();
                if (shop.Length == 0) throw new PanelDataException("The shop id is empty; every row needs a shop.", source, column: shopName, value: "", row: row);
                (DateOnly date, string dateText) = dateOf();
                if (date == default)
                    throw new PanelDataException($"The date '{dateText}' cannot be read: give a DateTime, a whole day number, or text in one of the formats [{string.Join(", ", formats)}].",
                        source, column: dateName, value: dateText, shop: shop, row: row);
                var values = new double[valueOf.Length];
                for (int k = 0; k < valueOf.Length; k++) values[k] = valueOf[k]();
                yield return (shop, date, values);
            }
        }
    }

    /// <summary>A getter of the shop id as text: trimmed text, or a number in invariant culture (so every reader agrees on the ids).</summary>
    internal static Func<string> ShopGetter(DataViewRow row, DataViewSchema.Column column, string component)
    {
        if (column.Type is TextDataViewType)
        {
            ValueGetter<ReadOnlyMemory<char>> getter = row.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> value = default;
            return () =>
            {
                getter(ref value);
                return value.ToString().Trim();
            };
        }
        Func<double> number = NumberGetter(row, column, component);
        return () => number().ToString(CultureInfo.InvariantCulture);
    }

    private static Func<(DateOnly, string)> DateGetter(DataViewRow row, DataViewSchema.Column column, string[] formats, string component)
    {
        switch (column.Type)
        {
            case DateTimeDataViewType:
            {
                ValueGetter<DateTime> getter = row.GetGetter<DateTime>(column);
                DateTime value = default;
                return () =>
                {
                    getter(ref value);
                    DateOnly date = DateOnly.FromDateTime(value);
                    return (date, date == default ? value.ToString("O", CultureInfo.InvariantCulture) : ""); // the text only serves the error
                };
            }
            case TextDataViewType:
            {
                ValueGetter<ReadOnlyMemory<char>> getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> value = default;
                return () =>
                {
                    getter(ref value);
                    string text = value.ToString().Trim();
                    return DateOnly.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date) ? (date, text) : (default, text);
                };
            }
            default:
            {
                Func<double> number = NumberGetter(row, column, component);
                return () =>
                {
                    double day = number();
                    // Days before 0001-01-01 cannot be a DateOnly: they are unreadable dates like any other, not an overflow.
                    DateOnly date = double.IsFinite(day) && day == Math.Floor(day) && Math.Abs(day) < 1e6 && day >= DateOnly.MinValue.DayNumber - NumericDateEpoch.DayNumber
                        ? NumericDateEpoch.AddDays((int)day) : default;
                    return (date, date == default ? day.ToString("R", CultureInfo.InvariantCulture) : ""); // the text only serves the error
                };
            }
        }
    }

    /// <summary>A getter that widens Single, Double, Int32 and Int64 to double.</summary>
    internal static Func<double> NumberGetter(DataViewRow row, DataViewSchema.Column column, string component)
    {
        DataViewType type = column.Type;
        if (type == NumberDataViewType.Single)
        {
            ValueGetter<float> g = row.GetGetter<float>(column);
            float v = 0;
            return () => { g(ref v); return v; };
        }
        if (type == NumberDataViewType.Double)
        {
            ValueGetter<double> g = row.GetGetter<double>(column);
            double v = 0;
            return () => { g(ref v); return v; };
        }
        if (type == NumberDataViewType.Int32)
        {
            ValueGetter<int> g = row.GetGetter<int>(column);
            int v = 0;
            return () => { g(ref v); return v; };
        }
        if (type == NumberDataViewType.Int64)
        {
            ValueGetter<long> g = row.GetGetter<long>(column);
            long v = 0;
            return () => { g(ref v); return v; };
        }
        throw new ArgumentException($"{component}: column '{column.Name}' is {type}; it must be a numeric scalar (Single, Double, Int32 or Int64). Convert it with mlContext.Transforms.Conversion.ConvertType.");
    }
}
