using System.Globalization;
using CausalMmm.Data;
using CsvHelper;
using CsvHelper.Configuration;

namespace CausalMmm.Forecasting;

/// <summary>Where a plan's dates must fall: the day after the history's last date, then every <paramref name="StepDays"/> days.</summary>
/// <param name="HistoryEnd">The history's last date.</param>
/// <param name="StepDays">Days between consecutive dates of the history (1 daily, 7 weekly).</param>
internal sealed record PlanCalendar(DateOnly HistoryEnd, int StepDays)
{
    /// <summary>The date of planned step <paramref name="step"/> (1 = the first).</summary>
    public DateOnly DateOf(int step) => HistoryEnd.AddDays(step * StepDays);
}

/// <summary>
/// Reads and writes a <see cref="MediaPlan"/> as a wide CSV: header <c>&lt;shop column&gt;,step,&lt;series...&gt;</c> (the
/// plan's channels, then its covariates), one row per shop and step, steps numbered from 1, numbers in invariant culture and
/// round-trip format so a saved plan loads back exactly. A plan may give dates instead of steps, in the history's date
/// column and format (<c>&lt;shop column&gt;,&lt;date column&gt;,&lt;series...&gt;</c>): they must start the day (or step)
/// after the history ends and go on without gaps. Input is checked completely: a missing or unknown column, a step or date
/// that is missing, repeated or malformed, a plan that does not start right after the history, shops with different
/// numbers of steps, a value that is not a finite number, a negative spend, an empty file or one with a header only each
/// raise a <see cref="PanelDataException"/> naming the file, line, column and value, and saying how to fix it.
/// </summary>
internal static class MediaPlanCsv
{
    /// <summary>The name of the column that numbers a shop's planned steps, 1 to <see cref="MediaPlan.Steps"/>.</summary>
    public const string StepColumnName = "step";

    /// <summary>
    /// Writes <paramref name="plan"/> to <paramref name="path"/> atomically: into a temporary file in the same folder, then
    /// moved over the target, so a reader never sees half a plan.
    /// </summary>
    /// <exception cref="ArgumentException">A column of the plan is named like the step column, so the file could not be read back.</exception>
    public static void Write(MediaPlan plan, string path)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(path);
        CheckWritable(plan);
        string full = Path.GetFullPath(path), temporary = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var writer = new StreamWriter(temporary)) Write(plan, writer);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            if (File.Exists(temporary)) File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="plan"/>'s CSV text to <paramref name="writer"/> (left open).</summary>
    /// <exception cref="ArgumentException">A column of the plan is named like the step column, so the text could not be read back.</exception>
    public static void Write(MediaPlan plan, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(writer);
        CheckWritable(plan);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
        csv.WriteField(plan.Roles.Shop);
        csv.WriteField(StepColumnName);
        foreach (string series in plan.Series) csv.WriteField(series);
        csv.NextRecord();
        foreach (string shop in plan.ShopIds.OrderBy(s => s, StringComparer.Ordinal))
        {
            double[,] values = plan[shop];
            for (int h = 0; h < plan.Steps; h++)
            {
                csv.WriteField(shop);
                csv.WriteField((h + 1).ToString(CultureInfo.InvariantCulture));
                for (int k = 0; k < plan.Series.Count; k++) csv.WriteField(values[h, k].ToString("R", CultureInfo.InvariantCulture));
                csv.NextRecord();
            }
        }
    }

    /// <summary>
    /// Reads a plan written by <see cref="Write(MediaPlan, string)"/> for the columns <paramref name="roles"/> describe:
    /// the header must hold <see cref="PanelRoles.Shop"/>, <c>step</c> and every series of <see cref="PanelRoles.GivenSeries"/>
    /// and nothing else; every shop needs steps 1..N, the same N for all; values must be finite numbers, spends non-negative
    /// (unless the channel is unconstrained).
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="roles">The columns of the history the plan is for.</param>
    /// <param name="dateFormats">The date formats <see cref="MediaPlan.AppendTo"/> reads the history's text dates with; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="PanelDataException">The file is not a valid plan; the message names the file, line, column and value, and how to fix it.</exception>
    /// <param name="calendar">Where the history ends and how far apart its dates are, asked for only when the plan has dates; null reads steps only.</param>
    public static MediaPlan Read(string path, PanelRoles roles, string[]? dateFormats = null, Func<PlanCalendar>? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(roles);
        if (!File.Exists(path)) throw new FileNotFoundException($"The plan file '{Path.GetFullPath(path)}' does not exist.", path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return Read(reader, roles, path, dateFormats, calendar);
    }

    /// <summary>Reads plan CSV text as <see cref="Read(string, PanelRoles, string[], Func{PlanCalendar})"/> does a file; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="PanelDataException">The text is not a valid plan; the message names the source, line, column and value, and how to fix it.</exception>
    public static MediaPlan Read(TextReader reader, PanelRoles roles, string source, string[]? dateFormats = null, Func<PlanCalendar>? calendarOf = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(source);
        IReadOnlyList<string> series = roles.GivenSeries;
        string expected = string.Join(",", new[] { roles.Shop, StepColumnName }.Concat(series))
            + (calendarOf is null ? "" : $" (or {string.Join(",", new[] { roles.Shop, roles.Date }.Concat(series))} with dates from the day after the history)");
        string[] formats = dateFormats is { Length: > 0 } ? dateFormats : new[] { "yyyy-MM-dd" };
        using var parser = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = args => throw new PanelDataException(
                $"Malformed field: a quote appears inside an unquoted field or a quoted field is not closed ({args.Field.Trim()}). Quote fields that contain commas, and double any quote inside them.",
                source, args.Context.Parser?.RawRow),
            IgnoreBlankLines = true,
        });

        string[] header = ReadHeader(parser, source, expected);
        int shopColumn = Array.IndexOf(header, roles.Shop);
        if (shopColumn < 0)
            throw new PanelDataException($"The shop column '{roles.Shop}' is not in the header [{string.Join(", ", header)}]. A plan file's header is {expected}.", source, 1, roles.Shop);
        int stepColumn = Array.IndexOf(header, StepColumnName);
        // The history's date column, or one named as dates usually are (the file the history came from may call it 'ds'),
        // never one of the plan's series (a covariate may be called 'week').
        int dateColumn = Array.IndexOf(header, roles.Date);
        if (dateColumn < 0 && stepColumn < 0)
            dateColumn = Array.FindIndex(header, h => MarketingSchema.Defaults.DateColumns.Contains(h, StringComparer.OrdinalIgnoreCase) && !series.Contains(h, StringComparer.Ordinal));
        if (stepColumn >= 0 && dateColumn >= 0)
            throw new PanelDataException($"The header has both '{StepColumnName}' and the date column '{header[dateColumn]}'; give one of them. A plan file's header is {expected}.", source, 1, header[dateColumn]);
        bool dated = stepColumn < 0 && dateColumn >= 0;
        PlanCalendar? calendar = dated ? calendarOf?.Invoke() : null;
        if (dated && calendar is null)
            throw new PanelDataException($"The plan gives dates ('{header[dateColumn]}'), which are placed after the history it continues; read it with mlContext.CausalMmm().Planning.LoadPlanCsv(path, history), or number the steps in a '{StepColumnName}' column.",
                source, 1, header[dateColumn]);
        if (dated) stepColumn = dateColumn;
        if (stepColumn < 0)
            throw new PanelDataException($"The '{StepColumnName}' column (1, 2, ... for each shop's planned dates){(calendarOf is null ? "" : $" or the date column '{roles.Date}'")} is not in the header [{string.Join(", ", header)}]. A plan file's header is {expected}.", source, 1, StepColumnName);
        string stepName = header[stepColumn];
        // How a planned step is named in messages: its number, or its date in a dated plan.
        string At(int h) => dated ? calendar!.DateOf(h).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : $"step {h}";
        string[] unknown = header.Where((h, c) => c != shopColumn && c != stepColumn && !series.Contains(h, StringComparer.Ordinal)).ToArray();
        string[] missing = series.Where(s => !header.Contains(s, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
            throw new PanelDataException(
                $"Column{(unknown.Length > 1 ? "s" : "")} [{string.Join(", ", unknown)}] {(unknown.Length > 1 ? "are" : "is")} not a series of the plan"
                + (missing.Length > 0 ? $", and [{string.Join(", ", missing)}] {(missing.Length > 1 ? "are" : "is")} missing (a misspelt name?)" : "")
                + $". The plan's series are the history's channels and covariates [{string.Join(", ", series)}]; a plan file's header is {expected}. Rename or remove the column.",
                source, 1, unknown[0]);
        if (missing.Length > 0)
            throw new PanelDataException(
                $"The header has no column for [{string.Join(", ", missing)}]; a plan gives every channel and covariate of the history [{string.Join(", ", series)}]. A plan file's header is {expected}; add the column.",
                source, 1, missing[0]);
        int[] seriesColumns = series.Select(s => Array.IndexOf(header, s)).ToArray();
        var constrained = roles.Channels.Except(roles.Unconstrained, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);

        var shops = new Dictionary<string, Dictionary<int, (double[] Values, int Line)>>(StringComparer.Ordinal);
        while (parser.Read())
        {
            string[] record = parser.Record!;
            int line = parser.RawRow;
            if (record.Length == 1 && record[0].Length == 0) continue; // a blank line
            if (record.Length != header.Length)
                throw new PanelDataException($"Malformed row: it has {record.Length} fields but the header has {header.Length}. Check for a missing or extra separator or an unclosed quote.", source, line);
            string shop = record[shopColumn].Trim();
            if (shop.Length == 0) throw new PanelDataException("The shop id is empty; give the shop of every row.", source, line, roles.Shop, "");
            string stepText = record[stepColumn];
            int step;
            if (dated)
            {
                if (!DateOnly.TryParseExact(stepText.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
                    throw new PanelDataException($"The date is not in the history's format ({string.Join(" or ", formats)}).", source, line, stepName, stepText, shop: shop);
                int offset = date.DayNumber - calendar!.HistoryEnd.DayNumber;
                if (offset <= 0)
                    throw new PanelDataException($"The date is not after the history, which ends on {calendar.HistoryEnd:yyyy-MM-dd}; a plan starts on {calendar.DateOf(1):yyyy-MM-dd}.", source, line, stepName, stepText, shop: shop);
                if (offset % calendar.StepDays != 0)
                    throw new PanelDataException($"The date falls between the plan's dates: the history's dates are {calendar.StepDays} days apart, so the plan's are {calendar.DateOf(1):yyyy-MM-dd}, {calendar.DateOf(2):yyyy-MM-dd}, ...",
                        source, line, stepName, stepText, shop: shop);
                step = offset / calendar.StepDays;
            }
            else if (!int.TryParse(stepText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
                throw new PanelDataException("The step must be a whole number from 1 (the first planned date) upwards.", source, line, StepColumnName, stepText, shop: shop);
            if (!shops.TryGetValue(shop, out var steps)) shops[shop] = steps = new Dictionary<int, (double[], int)>();
            if (steps.TryGetValue(step, out var previous))
                throw new PanelDataException($"Shop '{shop}' has {At(step)} twice (first on line {previous.Line}). Keep one row per shop and {(dated ? "date" : "step")}.", source, line, stepName, stepText, shop: shop);
            var values = new double[series.Count];
            for (int k = 0; k < series.Count; k++)
            {
                string text = record[seriesColumns[k]];
                if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    throw new PanelDataException($"'{series[k]}' must be a number (invariant culture: '.' as decimal point, no thousands separators).", source, line, series[k], text, shop: shop);
                if (!double.IsFinite(value))
                    throw new PanelDataException($"'{series[k]}' is {text.Trim()}; every planned value must be a finite number.", source, line, series[k], text, shop: shop);
                if (value < 0 && constrained.Contains(series[k]))
                    throw new PanelDataException($"Channel '{series[k]}' is negative; a planned spend cannot be negative. Fix the value, or declare the channel unconstrained if negative values are meaningful.",
                        source, line, series[k], text, shop: shop);
                values[k] = value;
            }
            steps[step] = (values, line);
        }
        if (shops.Count == 0)
            throw new PanelDataException($"The file has a header but no rows; add one row per shop and step under the header {expected}.", source, 1);

        // Every shop needs steps 1..N with the same N: the longest shop sets N, and any gap or shortfall is reported where it shows.
        (string longestShop, int length) = shops.Select(p => (p.Key, Last: p.Value.Keys.Max())).OrderByDescending(p => p.Last).ThenBy(p => p.Key, StringComparer.Ordinal).First();
        int longestLine = shops[longestShop][length].Line;
        var plan = new Dictionary<string, double[,]>(StringComparer.Ordinal);
        foreach ((string shop, Dictionary<int, (double[] Values, int Line)> rows) in shops.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var values = new double[length, series.Count];
            for (int h = 1; h <= length; h++)
            {
                if (!rows.TryGetValue(h, out var row))
                {
                    string Text(int k) => dated ? At(k) : k.ToString(CultureInfo.InvariantCulture);
                    int[] later = rows.Keys.Where(k => k > h).ToArray();
                    if (later.Length > 0)
                    {
                        int next = later.Min();
                        throw new PanelDataException(
                            dated && h == 1
                                ? $"Shop '{shop}' starts on {At(next)}, but a plan starts the day after the history ends: {At(1)}. Add the rows from {At(1)}."
                                : dated
                                    ? $"Shop '{shop}' has no row for {At(h)}: it goes from {At(h - 1)} to {At(next)}. Every shop needs every date from {At(1)} to {At(length)}, one row each; add the missing row."
                                    : $"Shop '{shop}' has no step {h}: it goes from step {h - 1} to step {next}. Every shop needs steps 1..{length}, one row each; add the missing row.",
                            source, rows[next].Line, stepName, Text(next), shop: shop);
                    }
                    int last = rows.Keys.Max();
                    throw new PanelDataException(
                        $"Shop '{shop}' stops at {At(last)}, but shop '{longestShop}' goes on to {At(length)} (line {longestLine}); every shop needs the same {(dated ? $"dates {At(1)} to {At(length)}" : $"steps 1..{length}")}. Add the missing rows, or drop the extra {(dated ? "dates" : "steps")} of the longer shops.",
                        source, rows[last].Line, stepName, Text(last), shop: shop);
                }
                for (int k = 0; k < series.Count; k++) values[h - 1, k] = row.Values[k];
            }
            plan[shop] = values;
        }
        return MediaPlan.Create(roles, plan, dateFormats);
    }

    private static void CheckWritable(MediaPlan plan)
    {
        if (plan.Roles.Shop == StepColumnName || plan.Series.Contains(StepColumnName, StringComparer.Ordinal))
            throw new ArgumentException($"The plan has a column named '{StepColumnName}', which a plan file uses to number the steps; rename that column of the history.", nameof(plan));
    }

    private static string[] ReadHeader(CsvParser parser, string source, string expected)
    {
        if (!parser.Read()) throw new PanelDataException($"The file is empty; it needs the header {expected} and one row per shop and step.", source, 1);
        string[] header = parser.Record!.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
        for (int c = 0; c < header.Length; c++)
        {
            if (header[c].Length == 0) throw new PanelDataException($"Header field {c + 1} is empty; every column needs a name. A plan file's header is {expected}.", source, 1);
            int first = Array.IndexOf(header, header[c]);
            if (first != c) throw new PanelDataException($"Column '{header[c]}' appears twice in the header (fields {first + 1} and {c + 1}); keep one.", source, 1, header[c]);
        }
        return header;
    }
}
