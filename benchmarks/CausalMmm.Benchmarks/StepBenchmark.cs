using System.Diagnostics;
using CausalMmm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Benchmarks;

/// <summary>
/// The time of one CausalMMM training step at the paper's Table 3 size (d = 10 channels plus the target, T = 120,
/// a batch of 8 shops, the default hidden size): encoder, Gumbel-softmax edges, decoder, negative ELBO, backward,
/// gradient clipping and the Adam update, exactly as <see cref="CausalMmmTrainer"/> runs them. Median of the timed steps
/// after warm-up, at each requested libtorch thread count.
/// </summary>
internal static class StepBenchmark
{
    /// <summary>The glibc settings of scripts/env.sh (see there for why); glibc reads them only when a process starts.</summary>
    private static readonly (string Name, string Value)[] AllocatorSettings = { ("MALLOC_MMAP_THRESHOLD_", "268435456"), ("MALLOC_TRIM_THRESHOLD_", "536870912") };

    /// <summary>
    /// Runs the step benchmark twice in child processes, with glibc's default allocator settings and with those of
    /// scripts/env.sh, so one command shows both figures.
    /// </summary>
    public static int RunBothAllocators(string[] args)
    {
        string[] childArgs = args.Append("--child").ToArray();
        foreach (bool tuned in new[] { false, true })
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
            // Under `dotnet CausalMmm.Benchmarks.dll` the process is dotnet itself and needs the assembly first.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(StepBenchmark).Assembly.Location);
            foreach (string a in childArgs) start.ArgumentList.Add(a);
            foreach ((string name, string value) in AllocatorSettings)
            {
                if (tuned) start.Environment[name] = value;
                else start.Environment.Remove(name);
            }
            Console.WriteLine(tuned ? "-- with scripts/env.sh's allocator settings:" : "-- with glibc's default allocator settings:");
            using Process child = Process.Start(start)!;
            child.WaitForExit();
            if (child.ExitCode != 0) return child.ExitCode;
        }
        return 0;
    }

    public static int Run(int channels, int batch, int length, int hidden, int steps, int[] threadCounts, MessageSource messages)
    {
        int n = channels + 1;
        var options = CausalMmmOptions.Paper() with { HiddenSize = hidden, BatchSize = batch, Seed = 1, Messages = messages };
        Console.WriteLine($"CausalMMM training step: d={channels} (n={n}), T={length}, batch {batch}, hidden {hidden}, messages from {messages}; median of {steps} steps after 3 warm-up steps");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; TorchSharp, libtorch {torch.__version__}; "
            + $"MALLOC_MMAP_THRESHOLD_={Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") ?? "(unset: glibc's default; see scripts/env.sh)"}");
        Console.WriteLine($"command: dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- step --threads {string.Join(',', threadCounts)}");
        foreach (int threads in threadCounts)
        {
            torch.set_num_threads(threads);
            torch.manual_seed(1);
            using var network = new CausalMmmNetwork(n, channels, length, contextCount: 2, options);
            using var adam = torch.optim.Adam(network.parameters(), lr: options.LearningRate);
            using var noise = new Generator(1);
            using DisposeScope data = torch.NewDisposeScope();
            Tensor values = torch.rand(new long[] { batch, length, n }, generator: noise);
            Tensor context = torch.randn(new long[] { batch, 2 }, generator: noise);
            var milliseconds = new List<double>();
            for (int step = 0; step < steps + 3; step++)
            {
                var clock = Stopwatch.StartNew();
                using (DisposeScope scope = torch.NewDisposeScope())
                {
                    adam.zero_grad();
                    Tensor loss = CausalMmmTrainer.NegativeElbo(network, values, context, options, noise);
                    loss.backward();
                    nn.utils.clip_grad_norm_(network.parameters(), options.GradientClipNorm);
                    adam.step();
                }
                if (step >= 3) milliseconds.Add(clock.Elapsed.TotalMilliseconds);
            }
            milliseconds.Sort();
            Console.WriteLine($"  {threads} thread(s): {milliseconds[milliseconds.Count / 2],7:F1} ms/step (fastest {milliseconds[0]:F1}, slowest {milliseconds[^1]:F1})");
        }
        return 0;
    }
}
