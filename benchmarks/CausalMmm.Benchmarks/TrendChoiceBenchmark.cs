using System.Globalization;
using CausalMmm.Modeling;
using CausalMmm.Simulation;

namespace CausalMmm.Benchmarks;

/// <summary>
/// Prints, for the marketing simulator's flat and drifting configurations the other benchmarks use, the statistic a
/// fit reads to choose a trend (<see cref="CausalMmmOptions.Trend"/> left to the data): per panel, the median over shops
/// of the target's trend share over the training window (the squared partial correlation of time with the target once
/// the given series and the day of the week are regressed out), with its 10th and 90th percentiles. Seconds to run: no
/// model is fitted.
/// </summary>
internal static class TrendChoiceBenchmark
{
    public static int Run(int seeds)
    {
        var configurations = new (string Name, int Holdout, MarketingSimulationOptions Options)[]
        {
            ("demo-sized flat (20 x 150, weekly 0.1)", 28, new() { Shops = 20, Length = 150 }),
            ("planning (40 x 182, promotions)", 0, new() { Shops = 40, Length = 182 }),
            ("sample defaults (20 x 120)", 0, new()),
            ("drifting (40 x 182: drift 0.01, trend 0.002, yearly 0.15, weekly 0.1)", 28, new() { Shops = 40, Length = 182, LevelDrift = 0.01, Trend = 0.002, YearlySeasonality = 0.15 }),
            ("drift only (40 x 182: drift 0.01)", 28, new() { Shops = 40, Length = 182, LevelDrift = 0.01 }),
            ("trend only (40 x 182: trend 0.002)", 28, new() { Shops = 40, Length = 182, Trend = 0.002 }),
            ("yearly only (40 x 182: yearly 0.15)", 28, new() { Shops = 40, Length = 182, YearlySeasonality = 0.15 }),
            ("weekly steps, drifting (40 x 109 weeks)", 13, new() { Shops = 40, Length = 109, Frequency = SimulationFrequency.Weekly, LevelDrift = 0.01, Trend = 0.002, YearlySeasonality = 0.15 }),
        };
        Console.WriteLine($"Trend choice statistic: median over shops of the target's trend share over the training window (10th, 90th percentile); the trend is on from {CausalMmmOptions.Defaults.TrendShareThreshold}; seeds 1-{seeds}");
        Console.WriteLine($"command: dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- trendchoice --seeds {seeds}");
        foreach (var (name, holdout, options) in configurations)
        {
            var cells = new List<string>();
            for (int seed = 1; seed <= seeds; seed++)
            {
                options.Seed = seed;
                var panel = MarketingSimulator.SimulateWorld(options).Panel.ToNumeric();
                double[] shares = LinearTrend.TargetTrendShares(panel, 0, panel.Length - holdout)?.Order().ToArray() ?? throw new InvalidOperationException($"{name}: too short for the statistic");
                double median = MathNet.Numerics.Statistics.Statistics.Median(shares); // as the fit takes it (LinearTrend.MedianTargetTrendShare)
                cells.Add(string.Create(CultureInfo.InvariantCulture, $"{median:F3} ({Quantile(shares, 0.1):F2}, {Quantile(shares, 0.9):F2})"));
            }
            Console.WriteLine($"  {name,-75} {string.Join("  ", cells)}");
        }
        return 0;
    }

    private static double Quantile(double[] sorted, double q) => sorted[(int)Math.Round(q * (sorted.Length - 1))];
}
