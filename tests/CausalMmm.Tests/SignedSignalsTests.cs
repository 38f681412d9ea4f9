using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Simulation;

namespace CausalMmm.Tests;

/// <summary>
/// Channels read as signed signals or as spend (<see cref="CausalMmmOptions.SignedSignals"/> left to the data): a fit that
/// learns edges on signals centred at zero takes the edge prior ranked by Linear Granger, a spend panel keeps the flat
/// prior its plans were measured with, and a fixed graph, a forced setting or a prior the user chose is not second-guessed.
/// </summary>
public sealed class SignedSignalsTests
{
    /// <summary>A small graph panel: centred (values of either sign) or shifted positive, as spend would be.</summary>
    private static NumericPanel Panel(bool centred) => GraphSimulator.Simulate(new GraphSimulationOptions
    {
        Nodes = 4, Roots = 2, Shops = 4, Length = 40, DistinctGraphs = 1, MinLag = 2, MaxLag = 2, Centred = centred, Seed = 3,
    }).Panel;

    private static CausalMmmOptions Quick() => new() { Epochs = 2, HiddenSize = 4, BatchSize = 4 };

    [Fact]
    public void The_share_counts_the_channels_in_the_window_only_not_covariates_or_later_nodes()
    {
        // Shop 0: channel -1, 2, -3, 4 over four steps; the covariate and the target are always negative.
        var values = new double[] { -1, -5, -9, 2, -5, -9, -3, -5, -9, 4, -5, -9 };
        var panel = new NumericPanel(new[] { "s0" }, new[] { "x", "promo", "y" }, 2, values, 4) { CovariateCount = 1 };
        Assert.Equal(0.5, CausalMmmTrainer.NegativeChannelShare(panel, 0, 4));
        Assert.Equal(0.0, CausalMmmTrainer.NegativeChannelShare(panel, 1, 1));
        Assert.Equal(2.0 / 3, CausalMmmTrainer.NegativeChannelShare(panel, 0, 3), 12);

        // The marketing simulator's spends (the planning, demo and Quickstart panels) never go below zero.
        NumericPanel marketing = MarketingSimulator.Simulate(new MarketingSimulationOptions { Shops = 4, Length = 60, Seed = 2 }).Panel.ToNumeric();
        Assert.Equal(0.0, CausalMmmTrainer.NegativeChannelShare(marketing, 0, marketing.Length));
    }

    [Fact]
    public void Signals_centred_at_zero_get_the_ranked_prior_and_spend_does_not()
    {
        NumericPanel signed = Panel(centred: true), spend = Panel(centred: false);
        using CausalMmmModel onSigned = CausalMmmTrainer.Fit(signed, Quick());
        using CausalMmmModel onSpend = CausalMmmTrainer.Fit(spend, Quick());

        Assert.True(onSigned.Summary!.NegativeChannelShare > CausalMmmOptions.Defaults.SignedChannelShare, $"share {onSigned.Summary.NegativeChannelShare}");
        Assert.Equal(CausalMmmOptions.SignedSignalsPrior, onSigned.Options.GrangerPrior);
        Assert.Contains("signed signals, chosen from the data", CausalTraining.SignalsLine(onSigned));

        Assert.True(onSpend.Summary!.NegativeChannelShare < 0.01, $"share {onSpend.Summary.NegativeChannelShare}");
        Assert.Equal(GrangerPrior.None, onSpend.Options.GrangerPrior);
        Assert.Contains("spend, chosen from the data", CausalTraining.SignalsLine(onSpend));
    }

    [Fact]
    public void A_forced_setting_a_chosen_prior_and_a_fixed_graph_are_kept()
    {
        NumericPanel signed = Panel(centred: true);

        CausalMmmOptions forcedOff = Quick();
        forcedOff.SignedSignals = false;
        using (CausalMmmModel model = CausalMmmTrainer.Fit(signed, forcedOff))
        {
            Assert.Equal(GrangerPrior.None, model.Options.GrangerPrior);
            Assert.Null(model.Summary!.NegativeChannelShare);
            Assert.Contains("set by the options", CausalTraining.SignalsLine(model));
        }

        CausalMmmOptions ownPrior = Quick();
        ownPrior.GrangerPrior = GrangerPrior.Lagged;
        using (CausalMmmModel model = CausalMmmTrainer.Fit(signed, ownPrior))
        {
            Assert.Equal((GrangerPrior.Lagged, (double?)null), (model.Options.GrangerPrior, model.Summary!.NegativeChannelShare));
            Assert.Contains("set by the options", CausalTraining.SignalsLine(model));
        }

        // Without the encoder's Granger scores there is nothing to rank by.
        CausalMmmOptions noScores = Quick();
        noScores.EncoderGrangerScores = false;
        using (CausalMmmModel model = CausalMmmTrainer.Fit(signed, noScores))
            Assert.Equal((GrangerPrior.None, (double?)null), (model.Options.GrangerPrior, model.Summary!.NegativeChannelShare));

        CausalMmmOptions forcedOn = Quick();
        forcedOn.SignedSignals = true;
        using (CausalMmmModel model = CausalMmmTrainer.Fit(Panel(centred: false), forcedOn))
            Assert.Equal(CausalMmmOptions.SignedSignalsPrior, model.Options.GrangerPrior);

        // The forecaster on a fixed graph learns no edges, so it has nothing to choose.
        using var edges = new EdgeIndex(signed.NodeCount, signed.ChannelCount, Quick().SameDayMedia, Quick().SameDayMediators);
        float[][] fixedEdges = Enumerable.Range(0, signed.ShopCount).Select(_ => Enumerable.Repeat(0.5f, edges.TotalEdgeCount).ToArray()).ToArray();
        using (CausalMmmModel model = CausalMmmTrainer.Fit(signed, Quick(), fixedEdges, progress: null, CancellationToken.None))
            Assert.Equal((GrangerPrior.None, (double?)null), (model.Options.GrangerPrior, model.Summary!.NegativeChannelShare));
    }
}
