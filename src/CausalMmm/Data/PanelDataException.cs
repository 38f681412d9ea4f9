using System.Globalization;

namespace CausalMmm.Data;

/// <summary>
/// Input data that cannot be used. Says where (file and line for a CSV; shop, date and row for an <c>IDataView</c>; the
/// column), which value, and how to fix it. Location properties are null when they do not apply.
/// </summary>
public sealed class PanelDataException : FormatException
{
    /// <summary>Creates the exception; the message is built from the location and the problem.</summary>
    /// <param name="problem">What is wrong and how to fix it.</param>
    /// <param name="filePath">The file (or data source) name.</param>
    /// <param name="line">The 1-based line of a file (the header is line 1).</param>
    /// <param name="column">The column name.</param>
    /// <param name="value">The offending value as it appeared in the data.</param>
    /// <param name="inner">The exception that caused this one.</param>
    /// <param name="shop">The shop the row belongs to.</param>
    /// <param name="date">The date of the row.</param>
    /// <param name="row">The 1-based row of an <c>IDataView</c> (in its cursor order).</param>
    public PanelDataException(string problem, string? filePath = null, int? line = null, string? column = null, string? value = null, Exception? inner = null,
        string? shop = null, DateOnly? date = null, long? row = null)
        : base(Format(problem, filePath, line, column, value, shop, date, row), inner)
    {
        Row = row;
        Problem = problem;
        FilePath = filePath;
        Line = line;
        Column = column;
        Value = value;
        Shop = shop;
        Date = date;
    }

    /// <summary>What is wrong and how to fix it, without the location.</summary>
    public string Problem { get; }

    /// <summary>The file, when the data came from one; for an <c>IDataView</c>, the component that read it.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line number in the file (the header is line 1).</summary>
    public int? Line { get; }

    /// <summary>The column name.</summary>
    public string? Column { get; }

    /// <summary>The offending value as it appeared in the data.</summary>
    public string? Value { get; }

    /// <summary>The 1-based row of an <c>IDataView</c>, in the order its cursor returns rows.</summary>
    public long? Row { get; }

    /// <summary>The shop of the offending row.</summary>
    public string? Shop { get; }

    /// <summary>The date of the offending row.</summary>
    public DateOnly? Date { get; }

    private static string Format(string problem, string? file, int? line, string? column, string? value, string? shop, DateOnly? date, long? row)
    {
        var where = new List<string>();
        if (file is not null) where.Add(file);
        if (line is not null) where.Add($"line {line}");
        if (row is not null) where.Add($"row {row}");
        if (shop is not null) where.Add($"shop '{shop}'");
        if (date is not null) where.Add($"date {date.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        if (column is not null) where.Add($"column '{column}'");
        if (value is not null) where.Add($"value '{value}'");
        return where.Count == 0 ? problem : $"{string.Join(", ", where)}: {problem}";
    }
}
