using CausalMmm.Data;
using CausalMmm.Transforms;
using Microsoft.ML;

namespace CausalMmm.Tests.Api;

/// <summary>Adstock and Hill recover the parameters of data generated with them.</summary>
public sealed class RecoveryTests
{
    private static IDataView Generate(Func<int, double[], double[]>[] responses, double[] betas, int shops = 8, int length = 150, int seed = 3)
    {
        var random = new Random(seed);
        int c = responses.Length;
        var variables = Enumerable.Range(0, c).Select(i => new PanelVariable($"x{i}", VariableRole.Channel)).Append(new PanelVariable("gmv", VariableRole.Target)).ToArray();
        var series = new double[shops * length * (c + 1)];
        for (int s = 0; s < shops; s++)
        {
            double size = 1 + 3 * random.NextDouble();
            var y = Enumerable.Range(0, length).Select(_ => 10 * size + 0.01 * (random.NextDouble() - 0.5)).ToArray();
            for (int k = 0; k < c; k++)
            {
                double[] x = Enumerable.Range(0, length).Select(_ => random.NextDouble() < 0.4 ? 0 : size * 5 * random.NextDouble()).ToArray();
                double[] r = responses[k](s, x);
                for (int t = 0; t < length; t++)
                {
                    series[(s * length + t) * (c + 1) + k] = x[t];
                    y[t] += betas[k] * size * r[t];
                }
            }
            for (int t = 0; t < length; t++) series[(s * length + t) * (c + 1) + c] = y[t];
        }
        return PanelDataView.Create(new MarketingPanel(Enumerable.Range(0, shops).Select(i => $"s{i}").ToArray(),
            Enumerable.Range(0, length).Select(t => new DateOnly(2024, 1, 1).AddDays(t)).ToArray(), variables, series));
    }

    [Fact]
    public void Geometric_adstock_recovers_each_channels_decay()
    {
        double[] decays = { 0.2, 0.5, 0.8 };
        var responses = decays.Select(d => (Func<int, double[], double[]>)((_, x) => new AdstockChannel("", "", AdstockKind.Geometric, d, 0, 13, false).Apply(x))).ToArray();
        IDataView panel = Generate(responses, new[] { 1.0, 0.8, 1.2 });
        AdstockTransformer fitted = new MLContext(seed: 1).CausalMmm().Transforms.Adstock().Fit(panel);
        for (int k = 0; k < decays.Length; k++) Assert.InRange(fitted.Parameters[$"x{k}"].Decay, decays[k] - 0.03, decays[k] + 0.03);
        Assert.All(fitted.Parameters.Channels, c => Assert.True(c.Fitted));
    }

    [Fact]
    public void Delayed_adstock_recovers_decay_and_delay()
    {
        var truth = new AdstockChannel("", "", AdstockKind.Delayed, 0.6, 3, 10, false);
        IDataView panel = Generate(new Func<int, double[], double[]>[] { (_, x) => truth.Apply(x) }, new[] { 1.0 });
        AdstockTransformer fitted = new MLContext(seed: 1).CausalMmm().Transforms.Adstock(kind: AdstockKind.Delayed, maxLag: 10).Fit(panel);
        Assert.InRange(fitted.Parameters["x0"].Decay, 0.55, 0.65);
        Assert.InRange(fitted.Parameters["x0"].Delay, 2.8, 3.2);
    }

    [Fact]
    public void A_fixed_decay_is_kept_and_marked_as_given()
    {
        AdstockTransformer fitted = new MLContext(seed: 1).CausalMmm().Transforms.Adstock(decay: 0.4).Fit(MarketingData.View());
        Assert.All(fitted.Parameters.Channels, c => { Assert.Equal(0.4, c.Decay); Assert.False(c.Fitted); });
    }

    [Fact]
    public void Hill_recovers_half_saturation_and_slope()
    {
        (double K, double S)[] truth = { (0.5, 1.0), (1.5, 3.0) };
        var curves = truth.Select(p => new HillChannel("", "", p.K, p.S, false)).ToArray();
        var responses = curves.Select(curve => (Func<int, double[], double[]>)((_, x) =>
        {
            double mean = HillEstimator.ShopMean(x);
            return x.Select(v => curve.Response(v, mean)).ToArray();
        })).ToArray();
        IDataView panel = Generate(responses, new[] { 2.0, 1.5 });
        HillTransformer fitted = new MLContext(seed: 1).CausalMmm().Transforms.Hill().Fit(panel);
        for (int k = 0; k < truth.Length; k++)
        {
            Assert.InRange(fitted.Parameters[$"x{k}"].HalfSaturation, truth[k].K * 0.9, truth[k].K * 1.1);
            Assert.InRange(fitted.Parameters[$"x{k}"].Slope, truth[k].S * 0.85, truth[k].S * 1.15);
        }
    }

    [Fact]
    public void Hill_responses_are_monotone_and_half_at_the_half_saturation_point()
    {
        var curve = new HillChannel("x", "x_hill", 2.0, 1.7, false);
        Assert.Equal(0.5, curve.Response(2.0 * 3.0, 3.0), 12);
        double previous = -1;
        foreach (double v in new[] { -1.0, 0, 0.5, 1, 2, 5, 50 })
        {
            double r = curve.Response(v, 1.0);
            Assert.True(r >= previous && r < 1);
            previous = r;
        }
    }
}
