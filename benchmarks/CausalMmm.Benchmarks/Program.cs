using System.Globalization;
using CausalMmm.Benchmarks;

// Usage: CausalMmm.Benchmarks overhead [--threads N] [--iterations N]
string command = args.Length > 0 ? args[0] : "overhead";
int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

switch (command)
{
    case "overhead":
        return OverheadBenchmark.Run(Option("--threads", 1), Option("--iterations", 2000));
    default:
        Console.Error.WriteLine($"Unknown benchmark '{command}'. Available: overhead.");
        return 2;
}
