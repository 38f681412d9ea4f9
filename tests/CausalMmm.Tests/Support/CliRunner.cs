using System.Diagnostics;

namespace CausalMmm.Tests;

/// <summary>Runs the built <c>causalmmm</c> as a process, as an analyst does.</summary>
internal static class CliRunner
{
    /// <summary>Runs <c>causalmmm <paramref name="arguments"/></c> in <paramref name="directory"/> and returns its exit code, stdout and stderr.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string directory, string arguments)
    {
        using Process process = Start(directory, arguments);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"causalmmm {arguments} ran for more than 5 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts <c>causalmmm <paramref name="arguments"/></c> without waiting, for tests that signal it.</summary>
    public static Process Start(string directory, string arguments)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{CliPath()}\" {arguments}")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["NO_COLOR"] = "1";
        return Process.Start(start)!;
    }

    /// <summary>The CLI built beside this test assembly's configuration (the test project builds it first).</summary>
    public static string CliPath()
    {
        string here = AppContext.BaseDirectory; // .../tests/CausalMmm.Tests/bin/<Configuration>/<tfm>/
        string tfm = new DirectoryInfo(here).Name, configuration = new DirectoryInfo(here).Parent!.Name;
        DirectoryInfo? root = new(here);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "CausalMmm.MLNet.sln"))) root = root.Parent;
        Assert.NotNull(root);
        string path = Path.Combine(root!.FullName, "src", "CausalMmm.Cli", "bin", configuration, tfm, "CausalMmm.Cli.dll");
        Assert.True(File.Exists(path), $"the CLI is not built at {path}; build the solution first (bash scripts/test.sh does)");
        return path;
    }
}

/// <summary>A fact that needs a Chromium browser; it skips, with the reason, where none is installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (ChromiumPath is null)
            Skip = "No Chromium found (CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser): scripts/setup.sh --tests installs Debian's chromium package where apt can.";
    }

    /// <summary>The browser to drive: $CHROMIUM_PATH, else Debian's or Ubuntu's package.</summary>
    public static string? ChromiumPath => new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
        .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
}

/// <summary>
/// A fact that sends SIGINT to a child process. It skips where there is no SIGINT (Windows) and where this test process
/// ignores SIGINT, as one started as a background job by a non-interactive shell (<c>cmd &amp;</c>) does: a child inherits the
/// ignored signal, so the interrupt could never reach it.
/// </summary>
public sealed class InterruptibleFactAttribute : FactAttribute
{
    public InterruptibleFactAttribute()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            Skip = "SIGINT, how a terminal sends Ctrl-C, exists only on Linux and macOS.";
        else if (InterruptIgnored())
            Skip = "This test process ignores SIGINT (it was started as a background job by a non-interactive shell, `cmd &`) and its children inherit that; run the tests in the foreground.";
    }

    /// <summary>Whether SIGINT (signal 2) is in this process's ignored set, from /proc/self/status (Linux; false elsewhere).</summary>
    private static bool InterruptIgnored()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return false;
        string? line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out ulong ignored)
            && (ignored & (1UL << (2 - 1))) != 0;
    }
}
