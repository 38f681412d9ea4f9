using System.Diagnostics;
using CausalMmm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Benchmarks;

/// <summary>
/// Where a CausalMMM training step spends its time: encoder forward, decoder forward, loss backward and the
/// optimiser step, for one batch of the Table 3 shape (or --channels d, --batch B, --hidden H), median of 10 steps.
/// </summary>
internal static class ProfileBenchmark
{
    public static int Run(int channels, int batch, int hidden, int length, int threads)
    {
        torch.set_num_threads(threads);
        torch.manual_seed(1);
        int n = channels + 1;
        var options = CausalMmmOptions.Paper() with { HiddenSize = hidden };
        using var network = new CausalMmmNetwork(n, channels, length, 2, options);
        using var adam = torch.optim.Adam(network.parameters(), lr: 1e-3);
        using var noise = new Generator(1);
        var parts = new Dictionary<string, List<double>> { ["encoder"] = new(), ["decoder"] = new(), ["loss+backward"] = new(), ["adam"] = new() };
        for (int step = 0; step < 12; step++)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            Tensor values = torch.rand(new long[] { batch, length, n });
            Tensor context = torch.randn(new long[] { batch, 2 });
            adam.zero_grad();
            var clock = Stopwatch.StartNew();
            Tensor logits = network.EdgeLogits(values)!;
            Tensor edges = CausalMmmTrainer.GumbelSoftmax(logits, 0.5, noise).narrow(-1, 1, 1).squeeze(-1);
            _ = logits.sum().item<float>();
            double encoder = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            (Tensor means, _) = network.Decoder.Forward(values, edges, context);
            _ = means.sum().item<float>();
            double decoder = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            Tensor loss = (means.narrow(1, 0, length - 1) - values.narrow(1, 1, length - 1)).pow(2).sum();
            loss.backward();
            double backward = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            adam.step();
            double optimiser = clock.Elapsed.TotalMilliseconds;
            if (step < 2) continue; // warm-up
            parts["encoder"].Add(encoder);
            parts["decoder"].Add(decoder);
            parts["loss+backward"].Add(backward);
            parts["adam"].Add(optimiser);
        }
        // The decoder's pieces on their own: the per-edge message tensor [B, T, E, H] and the recurrence.
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            var edgesIndex = network.Edges;
            Tensor values = torch.rand(new long[] { batch, length, n });
            Tensor w = torch.rand(new long[] { batch, edgesIndex.EdgeCount });
            var fc = nn.Linear(2, hidden);
            var gru = nn.GRU(hidden + 1, hidden);
            double Time(Func<Tensor> f)
            {
                var samples = new List<double>();
                for (int i = 0; i < 7; i++)
                {
                    using DisposeScope inner = torch.NewDisposeScope();
                    var c = Stopwatch.StartNew();
                    _ = f().sum().item<float>();
                    samples.Add(c.Elapsed.TotalMilliseconds);
                }
                return samples.Order().ElementAt(3);
            }
            Tensor pairs = torch.stack(new[] { values.index_select(2, edgesIndex.SenderIndex), values.index_select(2, edgesIndex.ReceiverIndex) }, -1);
            Console.WriteLine($"  pieces (forward only): pairs {Time(() => torch.stack(new[] { values.index_select(2, edgesIndex.SenderIndex), values.index_select(2, edgesIndex.ReceiverIndex) }, -1)):F1} ms, "
                + $"linear 2->H {Time(() => fc.forward(pairs)):F1} ms, linear+tanh {Time(() => fc.forward(pairs).tanh()):F1} ms, "
                + $"+weights+mean {Time(() => edgesIndex.MeanIncoming(fc.forward(pairs).tanh() * w.unsqueeze(1).unsqueeze(-1), 2)):F1} ms");
            Tensor seq = torch.rand(new long[] { length, batch * n, hidden + 1 });
            Tensor h0 = torch.zeros(new long[] { batch * n, hidden });
            Console.WriteLine($"  GRU sequence {Time(() => gru.forward(seq, h0.unsqueeze(0)).Item1):F1} ms");
            fc.Dispose();
            gru.Dispose();
        }
        Console.WriteLine($"CausalMMM training step, d={channels} (n={n}), batch {batch}, T={length}, hidden {hidden}, {threads} threads: median ms");
        foreach ((string name, List<double> ms) in parts) Console.WriteLine($"  {name,-14} {ms.Order().ElementAt(ms.Count / 2),8:F1}");
        return 0;
    }
}
