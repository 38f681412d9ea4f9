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
        PanelVariable[] declared = variables.Select(v => v.Variable).ToArray();
        CheckTargetAndChannels(declared, sourceName);
        var rows = new PanelAssembler(declared, sourceName);
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
            var origin = new PanelAssembler.RowOrigin(line, null);
            var values = new double[variables.Count];
            for (int k = 0; k < variables.Count; k++)
            {
                string text = record[variables[k].Column];
                values[k] = ParseNumber(text, variables[k].Variable, sourceName, line, header[variables[k].Column]);
                rows.CheckValue(variables[k].Variable, values[k], text, shop, date, origin);
            }
            rows.Add(shop, date, values, origin);
        }
        return rows.Build().Panel;
    }

    /// <summary>Reads a long CSV file (<c>shop,date,variable,value</c>; column names from the schema).</summary>
    /// <exception cref="PanelDataException">The data is invalid; the message says where and how to fix it.</exception>
    public static MarketingPanel ReadLong(string path, MarketingSchema? schema = null)
    {
        using StreamReader reader = OpenFile(path);
        return ReadLong(reader, schema, path);
    }

    /// <summary>
    /// The names of the shop and date columns of a CSV file as its header spells them (found as the readers find them),
    /// so the data view keeps them.
    /// </summary>
    internal static (string Shop, string Date) KeyColumnNames(string path, MarketingSchema schema)
    {
        using StreamReader reader = OpenFile(path);
        using CsvParser parser = CreateParser(reader, path);
        string[] header = ReadHeader(parser, path);
        return (header[FindKeyColumn(header, schema.ShopColumn, MarketingSchema.Defaults.ShopColumns, "shop", path)],
            header[FindKeyColumn(header, schema.DateColumn, MarketingSchema.Defaults.DateColumns, "date", path)]);
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
            PanelAssembler.CheckValue(order[k], value, record[valueColumn], shop, date, new PanelAssembler.RowOrigin(line, null), sourceName, allowMissingOutcomes: false);
            if (!cells.TryGetValue((shop, date), out var row))
            {
                cells[(shop, date)] = row = new Dictionary<int, (double, int)>();
            }
            if (row.TryGetValue(k, out var previous))
                throw new PanelDataException($"Duplicate row: shop '{shop}', date {date:yyyy-MM-dd}, variable '{name}' already appeared on line {previous.Line}. Keep one row per shop, date and variable.", sourceName, line, header[variableColumn], name);
            row[k] = (value, line);
        }
        CheckUnknownRoleNames(schema, order.Select(v => v.Name).ToArray(), sourceName);
        CheckTargetAndChannels(order, sourceName);
        var builder = new PanelAssembler(order.ToArray(), sourceName);
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
            builder.Add(shop, date, values, new PanelAssembler.RowOrigin(firstLine, null));
        }
        return builder.Build().Panel;
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
        try
        {
            using (var writer = new StreamWriter(temporary)) WriteWide(panel, writer);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary); // a failed write leaves neither a half file nor its temporary
        }
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
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new PanelDataException($"'{variable.Name}' must be a number (invariant culture: '.' as decimal point, no thousands separators).", source, line, column, text);
        return value;
    }

    private static void CheckTargetAndChannels(IReadOnlyList<PanelVariable> variables, string source)
    {
        int targets = variables.Count(v => v.Role == VariableRole.Target);
        if (targets != 1)
            throw new PanelDataException($"The data needs exactly one Target variable but has {targets} ([{string.Join(", ", variables.Where(v => v.Role == VariableRole.Target).Select(v => v.Name))}]). Set one role to Target in the schema.", source, 1);
        if (!variables.Any(v => v.Role == VariableRole.Channel))
            throw new PanelDataException("The data has no Channel variable. Mark the spend columns as Channel in the schema.", source, 1);
    }
}
