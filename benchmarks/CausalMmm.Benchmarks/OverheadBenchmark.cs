using System.Diagnostics;
using System.Globalization;
using CausalMmm.Torch;

namespace CausalMmm.Benchmarks;

/// <summary>
/// Times the same three workloads through the C# binding and through a small C++ program linked to
/// the same libtorch (cmm_overhead_bench), alternating the two sides, and prints the ratio.
/// Each side reports its fastest round (an average over many iterations), the best of all passes:
/// on a shared 2-core machine noise only ever adds time, so the minimum is the stable figure.
/// </summary>
internal static class OverheadBenchmark
{
    private const int Rounds = 7;
    private const int Passes = 4;

    public static int Run(int threads, int iterations)
    {
        string native = Path.Combine(AppContext.BaseDirectory, "cmm_overhead_bench");
        if (!File.Exists(native))
        {
            Console.Error.WriteLine($"{native} is missing; build the solution in Release first (dotnet build -c Release).");
            return 2;
        }
        torch.set_num_threads(threads);
        Console.WriteLine($"Binding overhead: C# binding vs direct C++ on libtorch {torch.version}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; libtorch threads: {threads}; {Passes} alternating passes x {Rounds} rounds x {iterations} iterations; fastest round per side");
        Console.WriteLine($"command: dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- overhead --threads {threads} --iterations {iterations}");
        Console.WriteLine();

        var cpp = new Dictionary<string, double>();
        var managed = new Dictionary<string, double>();
        for (int pass = 0; pass < Passes; pass++)
        {
            Merge(cpp, RunNative(native, threads, iterations));
            Merge(managed, RunManaged(iterations));
        }

        Console.WriteLine($"{"case",-22} {"C++ (us)",10} {"C# (us)",10} {"ratio",7}");
        double worst = 0;
        foreach (string name in cpp.Keys)
        {
            double ratio = managed[name] / cpp[name];
            worst = Math.Max(worst, ratio);
            Console.WriteLine($"{name,-22} {cpp[name] / 1000,10:F2} {managed[name] / 1000,10:F2} {ratio,7:F3}");
        }
        Console.WriteLine();
        Console.WriteLine($"worst ratio {worst:F3} (target: at most 1.15)");
        return 0;
    }

    private static void Merge(Dictionary<string, double> best, Dictionary<string, double> run)
    {
        foreach ((string name, double ns) in run)
        {
            best[name] = best.TryGetValue(name, out double old) ? Math.Min(old, ns) : ns;
        }
    }

    private static Dictionary<string, double> RunNative(string path, int threads, int iterations)
    {
        var info = new ProcessStartInfo(path, new[] { threads.ToString(CultureInfo.InvariantCulture), Rounds.ToString(CultureInfo.InvariantCulture), iterations.ToString(CultureInfo.InvariantCulture) })
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // The binding sets a passive OpenMP wait policy before libtorch loads (see NativeLibraryResolver); the
        // C++ side gets the same, so both run libtorch under identical threading.
        info.Environment["OMP_WAIT_POLICY"] = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "PASSIVE";
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {path}.");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{path} exited with {process.ExitCode}.");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, double> RunManaged(int iterations)
    {
        torch.manual_seed(0);
        using DisposeScope outer = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        Tensor a = torch.randn(64, 64);
        Tensor b = torch.randn(64, 64);
        Tensor x = torch.randn(64, 256);
        Tensor h = torch.randn(64, 256);
        Tensor wIh = torch.randn(768, 256) * 0.05;
        Tensor wHh = torch.randn(768, 256) * 0.05;
        Tensor bIh = torch.randn(768) * 0.05;
        Tensor bHh = torch.randn(768) * 0.05;

        var result = new Dictionary<string, double>
        {
            ["matmul_64x64"] = Best(iterations, () =>
            {
                using Tensor c = a.matmul(b);
            }),
            ["gru_cell_b64_h256"] = Best(iterations, () =>
            {
                using Tensor next = torch.nn.functional.gru_cell(x, h, wIh, wHh, bIh, bHh);
            }),
            // 5 x (add, mul, tanh, sigmoid), each temporary collected by a per-iteration scope.
            ["elementwise_chain_20"] = Best(iterations, () =>
            {
                using DisposeScope scope = torch.NewDisposeScope();
                Tensor y = a;
                for (int k = 0; k < 5; k++)
                {
                    y = y.add(b);
                    y = y.mul(b);
                    y = y.tanh();
                    y = y.sigmoid();
                }
            }),
        };
        return result;
    }

    private static double Best(int iterations, Action body)
    {
        for (int i = 0; i < iterations; i++) body();
        var samples = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < iterations; i++) body();
            samples[r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations;
        }
        return samples.Min();
    }
}
