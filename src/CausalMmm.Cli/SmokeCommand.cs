using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Cli;

/// <summary>
/// Checks the whole native stack end to end: trains a small GRU regressor on generated sequences and
/// prints its loss falling.
/// </summary>
internal static class SmokeCommand
{
    /// <summary>Runs the smoke training; returns the process exit code.</summary>
    public static int Run(int epochs, ulong seed, int threads)
    {
        torch.set_num_threads(threads);
        torch.manual_seed((long)seed);
        AnsiConsole.MarkupLine($"[bold]causalmmm smoke[/]: TorchSharp, libtorch {torch.__version__}, {torch.get_num_threads()} threads, CUDA {(torch.cuda.is_available() ? "available" : "not available")}");

        const int batch = 64, steps = 20, hidden = 32;
        using var cell = nn.GRUCell(1, hidden);
        using var head = nn.Linear(hidden, 1);
        using var adam = torch.optim.Adam(cell.parameters().Concat(head.parameters()), lr: 0.01);
        using DisposeScope data = torch.NewDisposeScope();
        // Target: an exponentially decayed sum of the inputs (an adstock), which a GRU can learn.
        Tensor x = torch.rand(steps, batch, 1);
        var targets = new List<Tensor>();
        Tensor carry = torch.zeros(batch, 1);
        for (int t = 0; t < steps; t++)
        {
            carry = carry * 0.6 + x.narrow(0, t, 1).squeeze(0);
            targets.Add(carry);
        }
        Tensor y = torch.stack(targets);

        var table = new Table().AddColumn("epoch").AddColumn("loss");
        double first = double.NaN, last = double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            using DisposeScope step = torch.NewDisposeScope();
            adam.zero_grad();
            Tensor h = torch.zeros(batch, hidden);
            var outputs = new List<Tensor>();
            for (int t = 0; t < steps; t++)
            {
                h = cell.forward(x.narrow(0, t, 1).squeeze(0), h);
                outputs.Add(head.forward(h));
            }
            Tensor loss = nn.functional.mse_loss(torch.stack(outputs), y);
            loss.backward();
            adam.step();
            last = loss.item<float>();
            if (epoch == 1) first = last;
            if (epoch == 1 || epoch % Math.Max(1, epochs / 10) == 0) table.AddRow(epoch.ToString(), last.ToString("G4"));
        }
        AnsiConsole.Write(table);
        bool fell = last < first * 0.5;
        AnsiConsole.MarkupLine(fell
            ? $"[green]loss fell from {first:G4} to {last:G4}[/]"
            : $"[red]loss did not fall enough: {first:G4} -> {last:G4}[/]");
        return fell ? 0 : 1;
    }
}
