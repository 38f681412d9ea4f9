namespace CausalMmm.Data;

/// <summary>
/// Input data that cannot be loaded. Says where (file, line, column), which value, and how to fix it;
/// the location properties are null when they do not apply.
/// </summary>
public sealed class PanelDataException : FormatException
{
    /// <summary>Creates the exception; the message is built from the location and the problem.</summary>
    public PanelDataException(string problem, string? filePath = null, int? line = null, string? column = null, string? value = null, Exception? inner = null)
        : base(Format(problem, filePath, line, column, value), inner)
    {
        Problem = problem;
        FilePath = filePath;
        Line = line;
        Column = column;
        Value = value;
    }

    /// <summary>What is wrong and how to fix it, without the location.</summary>
    public string Problem { get; }

    /// <summary>The file, when the data came from one.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line number in the file (the header is line 1).</summary>
    public int? Line { get; }

    /// <summary>The column name.</summary>
    public string? Column { get; }

    /// <summary>The offending value as it appeared in the file.</summary>
    public string? Value { get; }

    private static string Format(string problem, string? file, int? line, string? column, string? value)
    {
        var where = new List<string>();
        if (file is not null) where.Add(file);
        if (line is not null) where.Add($"line {line}");
        if (column is not null) where.Add($"column '{column}'");
        if (value is not null) where.Add($"value '{value}'");
        return where.Count == 0 ? problem : $"{string.Join(", ", where)}: {problem}";
    }
}
