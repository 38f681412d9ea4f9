using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace CausalMmm.Data;

/// <summary>
/// Reads and writes marketing panels as CSV. <b>Wide</b>: one row per shop and date, one column per variable
/// (the AirMMM layout <c>shop_id,ds,context0..,x0..,pv,gmv</c>). <b>Long</b>: one row per shop, date and variable
/// (<c>shop,date,variable,value</c>). Input is checked completely: a malformed row, a non-numeric, NaN or infinite
/// value, a negative spend, a duplicate or missing date, shops on different dates, a context value that changes
/// over time, an empty file or a column without a role each raise a <see cref="PanelDataException"/> naming the
/// file, line, column and value.
/// </summary>
public static class PanelCsv
{
    /// <summary>Reads a wide CSV file.</summary>
    /// <exception cref="PanelDataException">The data is invalid; the message says where and how to fix it.</exception>
    public static MarketingPanel ReadWide(string path, MarketingSchema? schema = null)
    {
        using StreamReader reader = OpenFile(path);
        return ReadWide(reader, schema, path);
    }

    /// <summary>Reads wide CSV text; <paramref name="sourceName"/> names the source in error messages.</summary>
    /// <exception cref="PanelDataException">The data is invalid; the message says where and how to fix it.</exception>
    public static MarketingPanel ReadWide(TextReader reader, MarketingSchema? schema = null, string sourceName = "<csv>")
    {
        ArgumentNullException.ThrowIfNull(reader);
        schema ??= new MarketingSchema();
        using CsvParser parser = CreateParser(reader, sourceName);
        string[] header = ReadHeader(parser, sourceName);
        int shopColumn = FindKeyColumn(header, schema.ShopColumn, MarketingSchema.Defaults.ShopColumns, "shop", sourceName);
        int dateColumn = FindKeyColumn(header, schema.DateColumn, MarketingSchema.Defaults.DateColumns, "date", sourceName);
        var variables = new List<(int Column, PanelVariable Variable)>();
        for (int c = 0; c < header.Length; c++)
        {
            if (c == shopColumn || c == dateColumn || schema.Ignore.Contains(header[c])) continue;
            VariableRole role = schema.RoleOf(header[c]) ?? throw new PanelDataException(
                $"Column '{header[c]}' has no role and none can be inferred from its name. Give it one in the schema (Roles[\"{header[c]}\"] = VariableRole.Channel, or \"roles\": {{\"{header[c]}\": \"channel\"}} in a schema file), or list it under Ignore.",
                sourceName, 1, header[c]);
            if (role == VariableRole.Feature) throw new PanelDataException("Feature is reserved for series a transform derives; declare input columns as Channel, Mediator, Target, Context or Covariate.", sourceName, 1, header[c], role.ToString());
            variables.Add((c, new PanelVariable(header[c], role, schema.Unconstrained.Contains(header[c]))));
        }
        CheckUnknownRoleNames(schema, header, sourceName);
        var rows = new Builder(variables.Select(v => v.Variable).ToArray(), sourceName);
        while (parser.Read())
        {
            string[] record = parser.Record!;
            int line = parser.RawRow;
            if (record.Length == 1 && record[0].Length == 0) continue; // a blank line
            if (record.Length != header.Length)
                throw new PanelDataException($"Malformed row: it has {record.Length} fields but the header has {header.Length}. Check for a missing or extra separator or an unclosed quote.", sourceName, line);
            string shop = record[shopColumn].Trim();
            if (shop.Length == 0) throw new PanelDataException("The shop id is empty.", sourceName, line, header[shopColumn], "");
            DateOnly date = ParseDate(record[dateColumn], schema, sourceName, line, header[dateColumn]);
            var values = new double[variables.Count];
            for (int k = 0; k < variables.Count; k++)
                values[k] = ParseNumber(record[variables[k].Column], variables[k].Variable, sourceName, line, header[variables[k].Column]);
            rows.Add(shop, date, values, line);
        }
        return rows.Build();
    }

    /// <summary>Reads a long CSV file (<c>shop,date,variable,value</c>; column names from the schema).</summary>
    /// <exception cref="PanelDataException">The data is invalid; the message says where and how to fix it.</exception>
    public static MarketingPanel ReadLong(string path, MarketingSchema? schema = null)
    {
        using StreamReader reader = OpenFile(path);
        return ReadLong(reader, schema, path);
    }

    /// <summary>Reads long CSV text; <paramref name="sourceName"/> names the source in error messages.</summary>
    /// <exception cref="PanelDataException">The data is invalid; the message says where and how to fix it.</exception>
    public static MarketingPanel ReadLong(TextReader reader, MarketingSchema? schema = null, string sourceName = "<csv>")
    {
        ArgumentNullException.ThrowIfNull(reader);
        schema ??= new MarketingSchema();
        using CsvParser parser = CreateParser(reader, sourceName);
        string[] header = ReadHeader(parser, sourceName);
        int shopColumn = FindKeyColumn(header, schema.ShopColumn, MarketingSchema.Defaults.ShopColumns, "shop", sourceName);
        int dateColumn = FindKeyColumn(header, schema.DateColumn, MarketingSchema.Defaults.DateColumns, "date", sourceName);
        int variableColumn = FindKeyColumn(header, schema.VariableColumn, Array.Empty<string>(), "variable", sourceName);
        int valueColumn = FindKeyColumn(header, schema.ValueColumn, Array.Empty<string>(), "value", sourceName);
        var order = new List<PanelVariable>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var cells = new Dictionary<(string Shop, DateOnly Date), Dictionary<int, (double Value, int Line)>>();
        var shopOrder = new List<string>();
        while (parser.Read())
        {
            string[] record = parser.Record!;
            int line = parser.RawRow;
            if (record.Length == 1 && record[0].Length == 0) continue;
            if (record.Length != header.Length)
                throw new PanelDataException($"Malformed row: it has {record.Length} fields but the header has {header.Length}. Check for a missing or extra separator or an unclosed quote.", sourceName, line);
            string name = record[variableColumn].Trim();
            if (schema.Ignore.Contains(name)) continue;
            if (!index.TryGetValue(name, out int k))
            {
                VariableRole role = schema.RoleOf(name) ?? throw new PanelDataException(
                    $"Variable '{name}' has no role and none can be inferred from its name. Give it one in the schema (Roles[\"{name}\"] = VariableRole.Channel), or list it under Ignore.",
                    sourceName, line, header[variableColumn], name);
                k = order.Count;
                index[name] = k;
                order.Add(new PanelVariable(name, role, schema.Unconstrained.Contains(name)));
            }
            string shop = record[shopColumn].Trim();
            if (shop.Length == 0) throw new PanelDataException("The shop id is empty.", sourceName, line, header[shopColumn], "");
            DateOnly date = ParseDate(record[dateColumn], schema, sourceName, line, header[dateColumn]);
            double value = ParseNumber(record[valueColumn], order[k], sourceName, line, header[valueColumn]);
            if (!cells.TryGetValue((shop, date), out var row))
            {
                cells[(shop, date)] = row = new Dictionary<int, (double, int)>();
                if (!shopOrder.Contains(shop)) shopOrder.Add(shop);
            }
            if (row.TryGetValue(k, out var previous))
                throw new PanelDataException($"Duplicate row: shop '{shop}', date {date:yyyy-MM-dd}, variable '{name}' already appeared on line {previous.Line}. Keep one row per shop, date and variable.", sourceName, line, header[variableColumn], name);
            row[k] = (value, line);
        }
        CheckUnknownRoleNames(schema, order.Select(v => v.Name).ToArray(), sourceName);
        var builder = new Builder(order.ToArray(), sourceName);
        foreach (var ((shop, date), row) in cells)
        {
            var values = new double[order.Count];
            int firstLine = row.Values.Min(v => v.Line);
            for (int k = 0; k < order.Count; k++)
            {
                if (!row.TryGetValue(k, out var cell))
                    throw new PanelDataException($"Missing value: shop '{shop}' on {date:yyyy-MM-dd} has no row for variable '{order[k].Name}'. Every shop and date needs every variable.", sourceName, firstLine, header[variableColumn], order[k].Name);
                values[k] = cell.Value;
            }
            builder.Add(shop, date, values, firstLine);
        }
        return builder.Build(shopOrder);
    }

    /// <summary>Writes the wide layout: <c>shop_id,ds,context...,series...</c> with <c>ds</c> as yyyyMMdd.</summary>
    public static void WriteWide(MarketingPanel panel, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(writer);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
        csv.WriteField("shop_id");
        csv.WriteField("ds");
        foreach (PanelVariable v in panel.ContextVariables) csv.WriteField(v.Name);
        foreach (PanelVariable v in panel.SeriesVariables) csv.WriteField(v.Name);
        csv.NextRecord();
        for (int s = 0; s < panel.ShopCount; s++)
        for (int t = 0; t < panel.Length; t++)
        {
            csv.WriteField(panel.ShopIds[s]);
            csv.WriteField(panel.Dates[t].ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            foreach (PanelVariable v in panel.ContextVariables) csv.WriteField(panel.GetContext(s, v.Name).ToString("R", CultureInfo.InvariantCulture));
            foreach (PanelVariable v in panel.SeriesVariables) csv.WriteField(panel[s, t, v.Name].ToString("R", CultureInfo.InvariantCulture));
            csv.NextRecord();
        }
    }

    /// <summary>Writes a wide CSV file atomically (temporary file, then rename).</summary>
    public static void WriteWide(MarketingPanel panel, string path)
    {
        string full = Path.GetFullPath(path), temporary = full + ".tmp-" + Environment.ProcessId;
        using (var writer = new StreamWriter(temporary)) WriteWide(panel, writer);
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Writes the long layout: <c>shop,date,variable,value</c>, context variables on every date.</summary>
    public static void WriteLong(MarketingPanel panel, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(writer);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
        foreach (string h in new[] { "shop", "date", "variable", "value" }) csv.WriteField(h);
        csv.NextRecord();
        for (int s = 0; s < panel.ShopCount; s++)
        for (int t = 0; t < panel.Length; t++)
        {
            string date = panel.Dates[t].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (PanelVariable v in panel.ContextVariables) WriteLongRow(csv, panel.ShopIds[s], date, v.Name, panel.GetContext(s, v.Name));
            foreach (PanelVariable v in panel.SeriesVariables) WriteLongRow(csv, panel.ShopIds[s], date, v.Name, panel[s, t, v.Name]);
        }
    }

    private static void WriteLongRow(CsvWriter csv, string shop, string date, string variable, double value)
    {
        csv.WriteField(shop);
        csv.WriteField(date);
        csv.WriteField(variable);
        csv.WriteField(value.ToString("R", CultureInfo.InvariantCulture));
        csv.NextRecord();
    }

    private static StreamReader OpenFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The data file '{Path.GetFullPath(path)}' does not exist.", path);
        return new StreamReader(path, detectEncodingFromByteOrderMarks: true);
    }

    private static CsvParser CreateParser(TextReader reader, string source)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = args => throw new PanelDataException(
                $"Malformed field: a quote appears inside an unquoted field or a quoted field is not closed ({args.Field.Trim()}). Quote fields that contain commas, and double any quote inside them.",
                source, args.Context.Parser?.RawRow),
            IgnoreBlankLines = true,
        };
        return new CsvParser(reader, configuration);
    }

    private static string[] ReadHeader(CsvParser parser, string source)
    {
        if (!parser.Read()) throw new PanelDataException("The file is empty; it needs a header row and at least one data row.", source, 1);
        string[] header = parser.Record!.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
        for (int c = 0; c < header.Length; c++)
        {
            if (header[c].Length == 0) throw new PanelDataException($"Header field {c + 1} is empty; every column needs a name.", source, 1);
            int first = Array.IndexOf(header, header[c]);
            if (first != c) throw new PanelDataException($"Column '{header[c]}' appears twice in the header (fields {first + 1} and {c + 1}).", source, 1, header[c]);
        }
        return header;
    }

    private static int FindKeyColumn(string[] header, string? requested, IReadOnlyList<string> candidates, string what, string source)
    {
        if (requested is not null)
        {
            int i = Array.IndexOf(header, requested);
            return i >= 0 ? i : throw new PanelDataException($"The {what} column '{requested}' is not in the header [{string.Join(", ", header)}]. Set the schema's {what} column to one of them.", source, 1, requested);
        }
        foreach (string candidate in candidates)
        {
            int i = Array.FindIndex(header, h => h.Equals(candidate, StringComparison.OrdinalIgnoreCase));
            if (i >= 0) return i;
        }
        throw new PanelDataException($"No {what} column found: tried [{string.Join(", ", candidates)}] in the header [{string.Join(", ", header)}]. Name it in the schema.", source, 1);
    }

    private static void CheckUnknownRoleNames(MarketingSchema schema, IReadOnlyCollection<string> names, string source)
    {
        foreach (string name in schema.Roles.Keys)
        {
            if (!names.Contains(name) && name != schema.ShopColumn && name != schema.DateColumn)
                throw new PanelDataException($"The schema gives a role to '{name}', but the data has no such variable. Variables found: [{string.Join(", ", names)}].", source, column: name);
        }
    }

    private static DateOnly ParseDate(string text, MarketingSchema schema, string source, int line, string column)
    {
        string trimmed = text.Trim();
        if (DateOnly.TryParseExact(trimmed, schema.DateFormats.ToArray(), CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date)) return date;
        throw new PanelDataException($"Not a date in any of the formats [{string.Join(", ", schema.DateFormats)}]. Fix the value or set the schema's DateFormats.", source, line, column, text);
    }

    private static double ParseNumber(string text, PanelVariable variable, string source, int line, string column)
    {
        string trimmed = text.Trim();
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new PanelDataException($"'{variable.Name}' must be a number (invariant culture: '.' as decimal point, no thousands separators).", source, line, column, text);
        if (!double.IsFinite(value))
            throw new PanelDataException($"'{variable.Name}' is {trimmed}; every value must be finite. Fill or drop the missing values before loading.", source, line, column, text);
        if (value < 0 && variable.Role == VariableRole.Channel && !variable.Unconstrained)
            throw new PanelDataException($"Channel '{variable.Name}' is negative; spend cannot be negative. Fix the value, or declare the variable unconstrained in the schema if negative values are meaningful.", source, line, column, text);
        return value;
    }

    /// <summary>Collects rows per shop and date, then checks the time index and assembles the panel.</summary>
    private sealed class Builder
    {
        private readonly PanelVariable[] _variables;
        private readonly string _source;
        private readonly Dictionary<string, SortedDictionary<DateOnly, (double[] Values, int Line)>> _shops = new(StringComparer.Ordinal);
        private readonly List<string> _shopOrder = new();

        public Builder(PanelVariable[] variables, string source)
        {
            _variables = variables;
            _source = source;
            if (variables.Count(v => v.Role == VariableRole.Target) != 1)
                throw new PanelDataException($"The data needs exactly one Target variable but has {variables.Count(v => v.Role == VariableRole.Target)} ([{string.Join(", ", variables.Where(v => v.Role == VariableRole.Target).Select(v => v.Name))}]). Set one role to Target in the schema.", source, 1);
            if (!variables.Any(v => v.Role == VariableRole.Channel))
                throw new PanelDataException("The data has no Channel variable. Mark the spend columns as Channel in the schema.", source, 1);
        }

        public void Add(string shop, DateOnly date, double[] values, int line)
        {
            if (!_shops.TryGetValue(shop, out var rows))
            {
                _shops[shop] = rows = new SortedDictionary<DateOnly, (double[], int)>();
                _shopOrder.Add(shop);
            }
            if (rows.TryGetValue(date, out var previous))
                throw new PanelDataException($"Duplicate date: shop '{shop}' already has {date:yyyy-MM-dd} on line {previous.Line}. Keep one row per shop and date (aggregate duplicates first).", _source, line, value: date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            rows[date] = (values, line);
        }

        public MarketingPanel Build(IReadOnlyList<string>? shopOrder = null)
        {
            if (_shops.Count == 0) throw new PanelDataException("The file has a header but no data rows.", _source, 2);
            string[] shops = (shopOrder ?? _shopOrder).ToArray();
            int step = InferStep();
            string reference = shops[0];
            DateOnly[] dates = _shops[reference].Keys.ToArray();
            foreach (string shop in shops)
            {
                DateOnly[] own = _shops[shop].Keys.ToArray();
                for (int t = 1; t < own.Length; t++)
                {
                    int gap = own[t].DayNumber - own[t - 1].DayNumber;
                    if (gap != step)
                        throw new PanelDataException($"Missing date: shop '{shop}' jumps from {own[t - 1]:yyyy-MM-dd} to {own[t]:yyyy-MM-dd}, but the data steps by {step} day(s); {own[t - 1].AddDays(step):yyyy-MM-dd} is missing. Add the missing rows (with zero spend if nothing ran).", _source, _shops[shop][own[t]].Line);
                }
                if (own[0] != dates[0] || own[^1] != dates[^1])
                    throw new PanelDataException($"Shop '{shop}' covers {own[0]:yyyy-MM-dd}..{own[^1]:yyyy-MM-dd} but shop '{reference}' covers {dates[0]:yyyy-MM-dd}..{dates[^1]:yyyy-MM-dd}. Every shop must cover the same dates; trim or pad them.", _source, _shops[shop][own[0]].Line);
            }
            PanelVariable[] series = _variables.Where(v => v.IsTimeVarying).ToArray();
            PanelVariable[] context = _variables.Where(v => !v.IsTimeVarying).ToArray();
            int[] seriesIndex = series.Select(v => Array.IndexOf(_variables, v)).ToArray();
            int[] contextIndex = context.Select(v => Array.IndexOf(_variables, v)).ToArray();
            var values = new double[(long)shops.Length * dates.Length * series.Length];
            var contextValues = new double[shops.Length * context.Length];
            for (int s = 0; s < shops.Length; s++)
            {
                var rows = _shops[shops[s]];
                for (int t = 0; t < dates.Length; t++)
                {
                    (double[] row, int line) = rows[dates[t]];
                    for (int k = 0; k < series.Length; k++) values[((long)s * dates.Length + t) * series.Length + k] = row[seriesIndex[k]];
                    for (int c = 0; c < context.Length; c++)
                    {
                        double v = row[contextIndex[c]];
                        if (t == 0) contextValues[s * context.Length + c] = v;
                        else if (v != contextValues[s * context.Length + c])
                            throw new PanelDataException($"Context '{context[c].Name}' of shop '{shops[s]}' changes over time ({contextValues[s * context.Length + c].ToString(CultureInfo.InvariantCulture)} on {dates[0]:yyyy-MM-dd}); context must be static per shop. Declare it a Covariate if it varies.", _source, line, context[c].Name, v.ToString(CultureInfo.InvariantCulture));
                    }
                }
            }
            try
            {
                return new MarketingPanel(shops, dates, series.Concat(context).ToArray(), values, contextValues);
            }
            catch (ArgumentException ex)
            {
                throw new PanelDataException(ex.Message, _source, inner: ex);
            }
        }

        private int InferStep()
        {
            int step = int.MaxValue;
            foreach (var rows in _shops.Values)
            {
                DateOnly? previous = null;
                foreach (DateOnly d in rows.Keys)
                {
                    if (previous is { } p) step = Math.Min(step, d.DayNumber - p.DayNumber);
                    previous = d;
                }
            }
            return step == int.MaxValue ? 1 : step;
        }
    }
}
