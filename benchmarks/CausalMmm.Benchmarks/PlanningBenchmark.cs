using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Simulation;
using Microsoft.ML;
using Microsoft.ML.Data;
using CausalMmm.CausalDiscovery;

namespace CausalMmm.Benchmarks;

/// <summary>
/// Planning-grade check on known truth. The marketing simulator (same-day media, adstock, Hill, page views feeding GMV)
/// knows the GMV a shop would have under any plan. For +50% and -50% of each channel over the days after the history
/// (the rest of the plan repeats the last days), compare each model's forecast change in total GMV with the true
/// change: the median relative error over shops and plans, and how often the sign is right.
/// </summary>
internal static class PlanningBenchmark
{
    public static int Run(int shops, int length, int channels, int days, int epochs, int seed, SameDayResponse[] responses, string overrides = "")
    {
        Console.WriteLine($"Planning check: marketing simulator, {shops} shops x {length} days, {channels} channels, seed {seed}; plans of {days} days, each channel +50% and -50%");
        Console.WriteLine($"command: dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- planning --shops {shops} --length {length} --channels {channels} --days {days} --epochs {epochs} --seed {seed} --same-day {string.Join(',', responses)}{(overrides.Length > 0 ? $" --set {overrides}" : "")}");
        Action<CausalMmmOptions> apply = OptionOverrides.Parse(overrides);
        MarketingWorld world = MarketingSimulator.SimulateWorld(new MarketingSimulationOptions { Shops = shops, Length = length, Channels = channels, Seed = seed });
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView history = PanelDataView.Create(world.Panel);
        var models = responses.Select(r => ($"CausalMMM ({Label(r)})", (ITransformer)CausalPipeline(mmm, epochs, r, apply).Fit(history)))
            .Append(("Adstock+Hill+Ridge", mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(history))).ToArray();
        MediaPlan baseline = mmm.Planning.RepeatLast(history, days);
        string[] channelNames = baseline.Roles.Channels;
        MarketingPanel panel = world.Panel;

        double[] TrueTotals(MediaPlan plan) => panel.ShopIds.Select((id, s) =>
        {
            double[,] planned = plan[id];
            double[][] spend = Enumerable.Range(0, channels).Select(c =>
                panel.GetSeries(s, channelNames[c]).Concat(Enumerable.Range(0, days).Select(h => planned[h, c])).ToArray()).ToArray();
            return world.TrueGmv(id, spend).Skip(length).Sum();
        }).ToArray();

        // The plans, their inputs and their true outcomes do not depend on the model: made once for all models.
        double[] trueBase = TrueTotals(baseline);
        IDataView baseInput = baseline.AppendTo(history);
        var plans = channelNames.SelectMany(channel => new[] { 1.5, 0.5 }.Select(factor =>
        {
            MediaPlan plan = baseline.Scale(channel, factor);
            return (Label: $"{channel}x{factor:0.0}", Input: plan.AppendTo(history), Truth: TrueTotals(plan));
        })).ToArray();
        Console.WriteLine();
        Console.WriteLine($"{"model",-22} {"median |error| / |truth|",24} {"sign right",11} {"median forecast / truth",24}   per plan: median relative error (median forecast / truth)");
        foreach ((string name, ITransformer model) in models)
        {
            double[] Forecast(IDataView input)
            {
                ShopTotals totals = new(ml.Data.FilterRowsByColumn(model.Transform(input), "t", lowerBound: length));
                return panel.ShopIds.Select(id => totals[id]).ToArray();
            }
            double[] forecastBase = Forecast(baseInput);
            var errors = new List<double>();
            var ratios = new List<double>();
            int right = 0, total = 0;
            var perPlan = new List<string>();
            foreach ((string label, IDataView input, double[] truth) in plans)
            {
                double[] forecast = Forecast(input);
                var planErrors = new List<double>();
                var planRatios = new List<double>();
                for (int s = 0; s < panel.ShopCount; s++)
                {
                    double trueChange = truth[s] - trueBase[s], forecastChange = forecast[s] - forecastBase[s];
                    planErrors.Add(Math.Abs(forecastChange - trueChange) / Math.Max(Math.Abs(trueChange), 1e-9));
                    ratios.Add(forecastChange / trueChange);
                    planRatios.Add(forecastChange / trueChange);
                    if (Math.Sign(forecastChange) == Math.Sign(trueChange)) right++;
                    total++;
                }
                errors.AddRange(planErrors);
                perPlan.Add($"{label} {Median(planErrors):P0} ({Median(planRatios):0.00})");
            }
            Console.WriteLine($"{name,-22} {Median(errors),24:P1} {(double)right / total,11:P1} {Median(ratios),24:0.00}   {string.Join(", ", perPlan)}");
        }
        Console.WriteLine("Targets (issue 10): median relative error <= 20%, sign right >= 95%.");

        // How consistently each CausalMMM fit finds the true edges: a shop's effect through an edge scales with its probability.
        Console.WriteLine();
        Console.WriteLine("Learned probability of each true edge over shops (min / median / max):");
        foreach ((string name, ITransformer model) in models)
        {
            if (model is not IEnumerable<ITransformer> chain || chain.FirstOrDefault() is not CausalGraphTransformer graph) continue;
            CausalGraphSet graphs = graph.Graphs(history);
            var cells = new List<string>();
            bool[,] truth = world.TrueGraphs[panel.ShopIds[0]];
            string[] nodes = panel.SeriesVariables.Select(v => v.Name).ToArray();
            for (int i = 0; i < nodes.Length; i++)
            for (int j = 0; j < nodes.Length; j++)
            {
                if (!truth[i, j]) continue;
                // Channels act on the same day in the simulator, page views the day after.
                bool sameDay = i < channels;
                double[] p = panel.ShopIds.Select(id => graphs.Edges(id, threshold: 0).FirstOrDefault(e => e.From == nodes[i] && e.To == nodes[j] && e.SameDay == sameDay)?.Probability ?? 0)
                    .Order().ToArray();
                cells.Add($"{nodes[i]}->{nodes[j]}{(sameDay ? " (same day)" : "")} {p[0]:0.00}/{p[p.Length / 2]:0.00}/{p[^1]:0.00}");
            }
            Console.WriteLine($"  {name}: {string.Join(", ", cells)}");
            // Edges the truth does not have, into page views or GMV, that most shops learn.
            var spurious = panel.ShopIds.SelectMany(id => graphs.Edges(id, threshold: 0))
                .Where(e => Array.IndexOf(nodes, e.To) >= channels && !(truth[Array.IndexOf(nodes, e.From), Array.IndexOf(nodes, e.To)] && e.SameDay == Array.IndexOf(nodes, e.From) < channels))
                .GroupBy(e => (e.From, e.To, e.SameDay)).Select(g => (g.Key, Median: g.Select(e => e.Probability).Order().ElementAt(g.Count() / 2)))
                .Where(g => g.Median >= 0.5).OrderByDescending(g => g.Median).Select(g => $"{g.Key.From}->{g.Key.To}{(g.Key.SameDay ? " (same day)" : "")} {g.Median:0.00}");
            Console.WriteLine($"    edges into pv or gmv that the truth lacks, median probability >= 0.5: {string.Join(", ", spurious.DefaultIfEmpty("none"))}");
        }

        // The forecaster's response curves on the scaled series, beside the simulator's decay and shape per channel.
        Console.WriteLine();
        Console.WriteLine("Learned response curves of the forecaster (decay / half-saturation / shape / gain; the simulator's decay and shape per channel in brackets):");
        foreach ((string name, ITransformer model) in models)
        {
            if (model is not IEnumerable<ITransformer> chain || chain.LastOrDefault() is not MarketingResponseTransformer forecaster) continue;
            IReadOnlyList<string> nodes = forecaster.NodeNames;
            var curves = forecaster.Model.Network.Decoder.CurveParameters()
                .Select(c => $"{nodes[c.Sender]}->{nodes[c.Receiver]} {c.Decay:0.00}/{c.HalfSaturation:0.00}/{c.Shape:0.00}/{c.Gain:0.00} [{world.Decay(c.Sender):0.00}, {world.Shape(c.Sender):0.0}]");
            Console.WriteLine($"  {name}: {string.Join(", ", curves.DefaultIfEmpty("none (learned messages)"))}");
        }
        return 0;
    }

    /// <summary>Graph learning then the forecaster, both with same-day edges acting through <paramref name="response"/> and the overrides applied.</summary>
    internal static IEstimator<ITransformer> CausalPipeline(CausalMmmCatalog mmm, int epochs, SameDayResponse response, Action<CausalMmmOptions> apply)
    {
        CausalMmmOptions Model() => CausalDiscoveryCatalogExtensions.Marketing(o => { o.Epochs = epochs; o.SameDayResponse = response; apply(o); });
        return mmm.CausalDiscovery.Trainers.CausalGraph(new CausalDiscovery.CausalGraphEstimator.Options { Model = Model() })
            .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Model() }));
    }

    /// <summary>A short row label for a same-day response kind.</summary>
    internal static string Label(SameDayResponse response) => response == SameDayResponse.SaturatingCurve ? "curves" : "messages";

    private static double Median(List<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Total Score per shop over a view's rows.</summary>
    private sealed class ShopTotals
    {
        private readonly Dictionary<string, double> _totals = new(StringComparer.Ordinal);

        public ShopTotals(IDataView scored)
        {
            string[] shops = scored.GetColumn<ReadOnlyMemory<char>>("shop_id").Select(m => m.ToString()).ToArray();
            float[] score = scored.GetColumn<float>("Score").ToArray();
            for (int r = 0; r < shops.Length; r++) _totals[shops[r]] = _totals.GetValueOrDefault(shops[r]) + score[r];
        }

        public double this[string shop] => _totals[shop];
    }
}
