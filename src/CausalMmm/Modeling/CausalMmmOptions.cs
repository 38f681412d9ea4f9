using CausalMmm.Data;

namespace CausalMmm.Modeling;

/// <summary>The model variants the CausalMMM paper reports (its full model and three ablations).</summary>
public enum CausalMmmVariant
{
    /// <summary>The full model: causal relational encoder, recurrent decoder, saturation module.</summary>
    CausalMmm,

    /// <summary>CM-FULL: no encoder; every edge of the complete graph carries messages.</summary>
    FullGraph,

    /// <summary>CM-MARKOV: the decoder sees only the last step (no recurrent state, so no carry-over).</summary>
    Markov,

    /// <summary>CM-RW: no saturation module; the target is predicted like any other node.</summary>
    NoSaturation,
}

/// <summary>What the decoder's edge messages are computed from.</summary>
public enum MessageSource
{
    /// <summary>
    /// The recurrent hidden states of the two nodes at the previous step, h_ij = f_edge([h_i, h_j]), as the paper's text
    /// under equation 1 and its reference code do: a sender's whole history reaches the receiver.
    /// </summary>
    HiddenStates,

    /// <summary>
    /// The two nodes' observed values at the step, f_edge([x_i, x_j]): a sender's history reaches the receiver only through
    /// the receiver's own state. Cheaper (teacher forcing runs as one batched pass), kept for the ablation.
    /// </summary>
    ObservedValues,

    /// <summary>
    /// Both: f_edge([h_i, x_i, h_j, x_j]). A hidden state summarises the steps before the current one, so messages from
    /// hidden states alone reach the receiver's prediction one step late; adding the current values restores lag 1.
    /// </summary>
    HiddenStatesAndValues,
}

/// <summary>How a given series (a channel's spend) acts on a mediator or the target on the same day, with same-day edges.</summary>
public enum SameDayResponse
{
    /// <summary>
    /// A learned message: an MLP of the day's value, averaged over the given senders and fed to the prediction head with
    /// the node's state. Flexible, but nothing makes it monotone or saturating, and carry-over must come through the
    /// recurrent state.
    /// </summary>
    Message,

    /// <summary>
    /// A response curve per edge, added to the receiver's prediction: z_ij * beta_ij * Hill(adstock_ij(x_i)), with a
    /// geometric adstock (decay in (0, 0.95), over the last 28 steps), a Hill curve (half-saturation and shape learned)
    /// and a non-negative gain. The edge's probability gates it, so the effect still flows only through the learned
    /// graph; carry-over and diminishing returns are built in, and more spend never lowers the response. A given series
    /// that is never negative is scaled from zero (divided by its maximum) rather than from its minimum, so zero spend
    /// means no response. Covariates that act negatively on the same day (a price) are not representable this way: use
    /// <see cref="Message"/> for them. Signed linear covariate responses are an internal experiment of model format 13
    /// (docs/benchmarks.md, "A public real panel").
    /// </summary>
    SaturatingCurve,
}

/// <summary>Which edges' prior comes from each shop's Linear Granger scores (<see cref="CausalMmmOptions.GrangerPrior"/>).</summary>
public enum GrangerPrior
{
    /// <summary>Every edge has the flat <see cref="CausalMmmOptions.EdgePrior"/> (same-day mediator edges their own).</summary>
    None,

    /// <summary>The lagged edges' prior follows the shop's Granger ranking; same-day edges keep the flat prior.</summary>
    Lagged,

    /// <summary>
    /// The lagged edges and every same-day edge (from the given series and between mediators) follow the Granger
    /// ranking of their sender-receiver pair. This is the prior a fit chooses for signed signals (see
    /// <see cref="CausalMmmOptions.GrangerPrior"/>).
    /// </summary>
    LaggedAndSameDay,

    /// <summary>
    /// The lagged edges follow the lagged Granger ranking; the same-day edges from the given series follow their own
    /// ranking by a same-day score (the sender's coefficients at lags 0-3 with the day's spend in the regression), so a
    /// spend that acts on its day is not ranked by carry-over it may not have. Same-day mediator edges keep
    /// <see cref="CausalMmmOptions.MediatorEdgePrior"/>.
    /// </summary>
    LaggedAndContemporaneous,

    /// <summary>
    /// The lagged edges follow the lagged Granger ranking, except a given series' lagged edge into a receiver on which
    /// its same-day coefficient outweighs its lagged ones (a spend that acts on its day, in a regression of the receiver
    /// on every node's lags and the day's given series): that edge keeps the flat <see cref="CausalMmmOptions.EdgePrior"/>,
    /// so carry-over of a same-day effect is left to the same-day edge rather than drawn into a lagged one. Same-day
    /// edges keep their flat priors. Without same-day edges from the given series (<see cref="CausalMmmOptions.SameDayMedia"/>
    /// off, as in <see cref="CausalMmmOptions.Paper"/>) it is <see cref="Lagged"/>.
    /// </summary>
    LaggedUnlessSameDay,
}

/// <summary>How the encoder reads a shop's history to embed each directed edge.</summary>
public enum EdgeEncoder
{
    /// <summary>
    /// The reference's MLP encoder: each node's whole window is one input vector (its length fixed at training), embedded
    /// alone; an edge sees only the two node embeddings. A longer window adds input weights, not evidence.
    /// </summary>
    WindowMlp = 0,

    /// <summary>
    /// A temporal convolution over each edge's pair of series (sender and receiver as two channels, five steps wide),
    /// averaged over time: a simplified form of NRI's convolutional encoder (one kernel-5 convolution and a pointwise one,
    /// mean-pooled; no batch norm, max-pooling or attention). Every edge is judged on how the sender's last few steps line
    /// up with the receiver's, so a longer history averages more evidence instead of adding input weights. Needs an
    /// encoder window of at least five steps.
    /// </summary>
    PairConvolution = 1,
}

/// <summary>
/// How the saturation module makes the decoder's temporal effect f_pre positive before its S-curve
/// p^alpha / (p^alpha + gamma) (the paper leaves this open).
/// </summary>
public enum SaturationInput
{
    /// <summary>p = softplus(f_pre): the curve is a Hill curve in f_pre where f_pre is large, and exponential below zero.</summary>
    Softplus = 0,

    /// <summary>
    /// p = exp(f_pre): the curve is the logistic sigmoid(alpha f_pre - ln gamma), a Hill curve in exp(f_pre). The decoder's
    /// head then gives the target an unbounded effect on the same additive scale as its predictions of every other node,
    /// and each shop's context sets the curve's slope and midpoint.
    /// </summary>
    Exponential = 1,
}

/// <summary>How Adam's learning rate changes over the epochs.</summary>
public enum LearningRateSchedule
{
    /// <summary>Multiplied by <see cref="CausalMmmOptions.LearningRateDecay"/> every <see cref="CausalMmmOptions.LearningRateStepSize"/> epochs (StepLR; the paper).</summary>
    Step,

    /// <summary>
    /// Half a cosine from <see cref="CausalMmmOptions.LearningRate"/> down to zero over <see cref="CausalMmmOptions.Epochs"/>
    /// (CosineAnnealingLR): large steps early, small ones late, whatever the epoch cap, so a short fit is not left
    /// with the large steps of a long one.
    /// </summary>
    Cosine,
}

/// <summary>How the decoder combines the messages a node receives.</summary>
public enum MessageAggregation
{
    /// <summary>The mean over the n - 1 incoming edges.</summary>
    Mean,

    /// <summary>The sum over incoming edges divided by the node count n, as the reference code does.</summary>
    SumOverNodes,
}

/// <summary>
/// Every setting of <see cref="CausalMmmTrainer"/>, the network and its training. <c>new CausalMmmOptions()</c> is the model
/// the ML.NET estimators train (media act on the day they run, through response curves; see <see cref="Defaults"/>);
/// <see cref="Paper"/> is the paper's configuration, used by the paper benchmark. The estimators expose the settings a
/// user tunes on their own options and keep the rest at these defaults. A record, so a variant reads
/// <c>CausalMmmOptions.Paper() with { Epochs = 80 }</c>.
/// </summary>
public sealed record CausalMmmOptions
{
    /// <summary>Documented defaults, those of <c>new CausalMmmOptions()</c> and of the estimators. The paper's reference uses
    /// hidden 256, lr 5e-4 and StepLR(200, 0.5) at batch size 1; batched training on a CPU converges faster with a smaller
    /// network and a larger step.</summary>
    public static class Defaults
    {
        /// <summary>
        /// Hidden width of every MLP and of the recurrent state. On Simulation 1 (d = 10, 5 seeds, 80 epochs, measured with the
        /// window-MLP encoder) 32 reaches the AUROC of 64 (0.823 ± 0.017 against 0.821 ± 0.018) in 43 s per seed instead of 78 s.
        /// </summary>
        public const int HiddenSize = 32;
        /// <summary>Passes over the training shops.</summary>
        public const int Epochs = 300;
        /// <summary>Shops per gradient step.</summary>
        public const int BatchSize = 8;
        /// <summary>
        /// Adam's step size. The paper's 2e-3 (<see cref="Paper"/>) left the marketing model undertrained even at 300
        /// epochs: on the planning benchmark (seeds 1-3) 5e-3 took the +/-50% plan error from 12.6% to 9.1%, the ROI rank
        /// correlation from 0.946 to 0.981 and the optimised plan's 10th-percentile gain from 59% to 84% of the optimum's,
        /// at the same cost; see docs/benchmarks.md.
        /// </summary>
        public const double LearningRate = 5e-3;

        /// <summary>The paper benchmark's learning rate (<see cref="Paper"/>).</summary>
        public const double PaperLearningRate = 2e-3;
        /// <summary>Epochs between learning-rate decays.</summary>
        public const int LearningRateStepSize = 200;
        /// <summary>Factor applied at each decay.</summary>
        public const double LearningRateDecay = 0.5;
        /// <summary>Gumbel-softmax temperature (0.5 in the reference).</summary>
        public const double Temperature = 0.5;
        /// <summary>
        /// Weight of the KL term (lambda). With the robust likelihood (<see cref="RobustLikelihood"/>), whose scale is the
        /// log of each series' error, 3: an edge must lower its receiver's error by about 3 * log(1 / prior) / (T / 2) on
        /// the log scale, a few percent on a panel's length, to be learned. Chosen among 1, 3 and 10: 1 let edges on pure
        /// noise be learned at some CPU thread counts, 10 lost page views -> GMV on planning seeds 2 and 3; 3 was then
        /// checked on the other planning seeds, two graph members and the forecast checks (docs/benchmarks.md).
        /// </summary>
        public const double KlWeight = 3;
        /// <summary>The KL weight of the paper's model (<see cref="Paper"/>; 100 in the reference), against its plain likelihood.</summary>
        public const double PaperKlWeight = 100;
        /// <summary>
        /// The likelihood of each shop's series is ((T - 1)/2) log(1 + MSE / <see cref="Variance"/>) (see
        /// <see cref="CausalMmmOptions.RobustLikelihood"/>); <see cref="Paper"/> keeps the reference's plain one.
        /// </summary>
        public const bool RobustLikelihood = true;
        /// <summary>
        /// Variance of the Gaussian likelihood: fixed in the plain form (<see cref="Paper"/>), where the reference's 5e-7
        /// on series scaled to [0, 1] made the likelihood outweigh the KL term a million to one, so the sparse prior
        /// never pruned an edge, and 5e-4 let it remove indirect links (x0 -> x1 -> y learned as x0 -> y too) and lifted
        /// AUROC; under the robust likelihood (the default) the floor added to each series' own mean squared error.
        /// </summary>
        public const double Variance = 5e-4;
        /// <summary>Prior probability of an edge in the sparse prior.</summary>
        public const double EdgePrior = 0.1;
        /// <summary>
        /// Fraction of shops held out to measure validation loss for early stopping: none by default, as in the paper,
        /// which trains on every shop. Held-out prediction loss bottoms out long before the graph is learned (on
        /// Simulation 1, d=5, 80 epochs, seeds 1-2: AUROC 0.857 with 0.1 held out against 0.905 with none), so
        /// early stopping on it trades graph quality for forecast fit. Set it when forecasting matters more.
        /// </summary>
        public const double ValidationFraction = 0;
        /// <summary>Epochs without an improvement of the monitored loss before training stops (with a validation split or a plateau rule).</summary>
        public const int Patience = 40;

        /// <summary>
        /// Training stops once the monitored loss has gained less than 0.1% of its size in <see cref="Patience"/> (40)
        /// epochs, keeping the best epoch; <see cref="Epochs"/> (300) stays the cap, and the reason is in
        /// <see cref="TrainingSummary.StopReason"/>. On the planning benchmark the marketing model still gains more than that
        /// at 300 epochs, so its figures are those of a fixed 300; the rule saves the epochs of a fit that has converged.
        /// </summary>
        public const double PlateauTolerance = 1e-3;

        /// <summary>
        /// Prior probability of a same-day mediator edge. With the uniform prior (0.5, the paper's and models saved before
        /// format 9) a mediator edge the data says nothing about stayed at 0.5 and read as likely in every shop of a panel
        /// of pure noise; at 0.3 it reads as unestablished, while the true page views -> GMV edges of the planning
        /// benchmark still reach 1.00.
        /// </summary>
        public const double MediatorEdgePrior = 0.3;

        /// <summary>
        /// Prior probability of a same-day edge out of a covariate known in advance (a promotion calendar, holidays, prices)
        /// into a mediator or the target: even odds, not the sparse <see cref="EdgePrior"/>. A covariate is a control the
        /// analyst put in the data because it is thought to move demand, as every MMM keeps its controls in the model. Under
        /// the sparse prior the simulator's promotions, which raise page views and GMV in every shop, got 0.24-0.37 on the
        /// demo-sized forecast check; with 0.5 they get 0.71-0.81, that check's holdout RMSE falls from 1,812 to 1,758
        /// (3 seeds), and on the planning benchmark (5 seeds) the share of pv-only channels' effect credited to pv rises from
        /// 90.3% to 92.9% (worst seed 87.7% to 90.2%); see docs/benchmarks.md.
        /// </summary>
        internal const double CovariateEdgePrior = 0.5;

        /// <summary>
        /// A covariate enters reflected when its pooled within-shop correlation with the target is below this
        /// (<see cref="CausalMmmOptions.ReflectCovariates"/>): clearly negative, so a covariate unrelated to the target does
        /// not flip from one fit or backtest origin to the next. The orange-juice prices read -0.43 to -0.65, the
        /// simulator's promotions above +0.05 in every benchmark configuration.
        /// </summary>
        internal const double ReflectBelowCorrelation = -0.05;

        /// <summary>
        /// No Granger-informed prior by default for spend; a fit that learns edges on channels of either sign takes
        /// <see cref="GrangerPrior.LaggedAndSameDay"/> instead (<see cref="CausalMmmOptions.SignedSignals"/>). On the graph members of signals (5 seeds) it lifts the any-lag AUROC to
        /// 0.99-1.00 (Linear Granger 0.93-0.95) and the edges into the children level with Linear Granger's, but as the graph estimator's
        /// prior it cost plans (planning seed 1: plan error 9.4% to 14.5%, 10th percentile of the optimum's gain 88% to
        /// 52%): a same-day spend edge ranked by its lagged pair's score loses short-lived effects. Ranking the lagged edges
        /// alone, with <see cref="CausalMmmOptions.EdgeMessageGains"/>, holds the lag-2/3 member on every seed but cost plans
        /// too (planning seeds 1-3: plan error 9.0/9.1/7.8% to 12.3/10.6/12.6%). docs/benchmarks.md.
        /// </summary>
        public const GrangerPrior GrangerPrior = CausalMmm.Modeling.GrangerPrior.None;

        /// <summary>
        /// The share of the channels' values below zero from which a fit that learns edges treats them as signed signals
        /// (<see cref="CausalMmmOptions.SignedSignals"/>): spend panels read 0; the graph benchmark's signals centred at
        /// zero about a half.
        /// </summary>
        public const double SignedChannelShare = 0.1;

        /// <summary>
        /// The graph estimator (<c>CausalGraph</c>) reads the sender's and receiver's last three values in every message,
        /// so a cause that acts two or three steps later is an input of its edge; the forecaster keeps one-step messages,
        /// whose split of direct and mediated effects the planning benchmark chose. On the graph benchmark's few-shops
        /// member (40 shops, 40 graphs, causes at lags 2-3, seeds 1-2) three-step messages took the any-lag AUROC from
        /// 0.853 to 0.966 and the edges into the children from 0.551 to 0.890 (Linear Granger 0.947 and 0.995); seed 3
        /// later gave 0.789 (0.298), so over seeds 1-3 the member reads 0.907 (0.693). On the lag-2/3 member (5 seeds)
        /// they read 0.919, one seed collapsing to 0.725; see docs/benchmarks.md.
        /// </summary>
        public const int GraphMessageLags = 3;
        /// <summary>Maximum global gradient norm.</summary>
        public const double GradientClipNorm = 1e4;

        /// <summary>
        /// Messages from the observed values: on Simulation 1 (seed 1, 80 epochs, window-MLP encoder) they reach AUROC 0.828 against 0.781 with
        /// hidden states and values and 0.719 with hidden states alone, at a third of the cost (see the README).
        /// </summary>
        public const MessageSource Messages = MessageSource.ObservedValues;

        /// <summary>
        /// The pair convolution: on Simulation 1 (5 seeds, 80 epochs) it lifts AUROC from 0.823 ± 0.017 with the window MLP
        /// to 0.930 ± 0.011 in about the same time (see docs/benchmarks.md, Table 3).
        /// </summary>
        public const EdgeEncoder Encoder = EdgeEncoder.PairConvolution;

        /// <summary>Incoming messages averaged.</summary>
        public const MessageAggregation Aggregation = MessageAggregation.Mean;

        /// <summary>
        /// The saturation module's input made positive with softplus, as chosen on the planning check. <see cref="Paper"/>
        /// uses exp, so its S-curve is a logistic in f_pre, the form of Simulation 2's curve: on Table 3 without the
        /// Granger scores (5 seeds, 80 epochs) 0.931 ± 0.012 / 0.943 ± 0.008 on Simulations 1 / 2 against 0.930 ± 0.011 /
        /// 0.940 ± 0.011 with softplus, a gain inside the noise (see docs/benchmarks.md).
        /// </summary>
        public const SaturationInput Saturation = SaturationInput.Softplus;

        /// <summary>
        /// The encoder reads each edge's Linear Granger score. On Table 3 (5 seeds, 80 epochs) CausalMMM reaches 0.968 ± 0.006 /
        /// 0.972 ± 0.011 on Simulations 1 / 2 against 0.931 ± 0.012 / 0.943 ± 0.008 without, and the edges into the target
        /// 0.876 / 0.808 against 0.726 / 0.752 (see docs/benchmarks.md).
        /// </summary>
        public const bool EncoderGrangerScores = true;

        /// <summary>No multi-step training loss: every step is predicted from observed values (teacher forcing).</summary>
        public const int FeedbackSteps = 0;

        /// <summary>
        /// Same-day edges, because media plans act on the day they run; <see cref="Paper"/> turns them off (the paper's
        /// benchmark is Granger-style).
        /// </summary>
        public const bool SameDayMedia = true;

        /// <summary>
        /// A response curve per same-day edge (monotone, saturating, with carry-over), chosen on the planning check;
        /// <see cref="Paper"/> keeps learned messages.
        /// </summary>
        public const SameDayResponse SameDayResponse = CausalMmm.Modeling.SameDayResponse.SaturatingCurve;

        /// <summary>A response curve's Hill shape stays at or below this (see the README's planning check).</summary>
        public const double CurveMaxShape = 2;

        /// <summary>
        /// With same-day media, mediators also act on later mediators and the target on the same day: page views that a
        /// channel raises today raise today's GMV, which lagged edges alone cannot carry (see <see cref="SameDayMediators"/>).
        /// </summary>
        public const bool SameDayMediators = true;

        /// <summary>Per-shop gains of every same-day edge; <see cref="Paper"/> (the paper's model) has none.</summary>
        public const bool ShopGains = true;

        /// <summary>
        /// The spread of the shop gains' prior: each shop's log-gain on an edge is drawn from N(0, 4^2) around the edge's
        /// shared gain, a weak prior that keeps the gains finite and leaves their size to the data. Against the robust
        /// likelihood a spread of 0.5 held each shop's page views -> GMV near the pooled gain, and channels acting only
        /// through page views had their effect moved to direct curves (share credited to page views 70% on the planning
        /// benchmark's seed 1, 82% at a spread of 1.5, 93% at 4; docs/benchmarks.md).
        /// </summary>
        public const double ShopGainSpread = 4;

        /// <summary>
        /// When <see cref="CausalMmmOptions.Trend"/> is left to the data, a fit turns the trend on when the median over shops
        /// of the target's trend share (the squared partial correlation of time with the target over the training window,
        /// once the given series at lags 0-3 and the day of the week are regressed out) reaches this. On the marketing
        /// simulator (<c>... -- trendchoice --seeds 5</c>) the flat panels the planning, demo and Quickstart checks use
        /// read 0.002-0.023; a trend, a drifting level with a trend, or half a year of yearly season 0.139-0.324, where a
        /// forced trend helped (drifting panel: holdout MASE 0.48 -> 0.38); a weekly panel of 109 weeks with a drifting
        /// level 0.046-0.106 and a level drift alone 0.019-0.085, where it did not (weekly: 0.47 -> 0.48). A forced trend
        /// costs flat panels (demo-sized RMSE 1,758 -> 1,883), so the threshold sits between the two groups and a flat
        /// panel trains as it did. See docs/benchmarks.md.
        /// </summary>
        public const double TrendShareThreshold = 0.12;

        /// <summary>
        /// The spread of the trend slopes' prior (<see cref="Trend"/>): a slope of 1 moves a scaled series by its whole
        /// training range over the training window. Against the fixed-variance likelihood 0.03 held a slope near zero
        /// unless the whole window asked for one (at 1 the slopes followed noise and media bursts in flat panels). The
        /// robust likelihood (<see cref="RobustLikelihood"/>) weighs the data less against every prior, and at 0.03 a
        /// shop's clear climb was no longer learned (holdout MAPE 4.1% with the trend and without); 0.3 learns it (1.9%).
        /// Flat panels are not affected: the fit turns the trend on only for panels that trend
        /// (<see cref="TrendShareThreshold"/>). See docs/benchmarks.md.
        /// </summary>
        public const double TrendSpread = 0.3;
    }

    /// <summary>Which model: the full CausalMMM or one of the paper's ablations.</summary>
    public CausalMmmVariant Variant = CausalMmmVariant.CausalMmm;

    /// <summary>Hidden width of the MLPs and the recurrent state.</summary>
    public int HiddenSize = Defaults.HiddenSize;

    /// <summary>Maximum number of epochs.</summary>
    public int Epochs = Defaults.Epochs;

    /// <summary>Shops per gradient step; any value from 1 up.</summary>
    public int BatchSize = Defaults.BatchSize;

    /// <summary>Initial learning rate of Adam; see <see cref="Defaults.LearningRate"/>.</summary>
    public double LearningRate = Defaults.LearningRate;

    /// <summary>Epochs between learning-rate decays (StepLR).</summary>
    public int LearningRateStepSize = Defaults.LearningRateStepSize;

    /// <summary>Learning-rate decay factor (StepLR gamma).</summary>
    public double LearningRateDecay = Defaults.LearningRateDecay;

    /// <summary>How the learning rate changes over the epochs: StepLR (the paper) or a cosine over the epoch cap.</summary>
    public LearningRateSchedule Schedule = LearningRateSchedule.Step;

    /// <summary>Gumbel-softmax temperature tau used while training.</summary>
    public double Temperature = Defaults.Temperature;

    /// <summary>
    /// Weight lambda of KL(q(z) || p(z)) in the negative ELBO: larger learns fewer edges. The default
    /// (<see cref="Defaults.KlWeight"/>) is set against the robust likelihood; <see cref="Paper"/> uses
    /// <see cref="Defaults.PaperKlWeight"/> against the plain one.
    /// </summary>
    public double KlWeight = Defaults.KlWeight;

    /// <summary>
    /// Variance sigma^2 of the Gaussian likelihood: fixed in the plain likelihood (<see cref="Paper"/>), the floor added to
    /// each series' own mean squared error under the robust one (the default; see <see cref="Defaults.Variance"/>).
    /// </summary>
    public double Variance = Defaults.Variance;

    /// <summary>Prior probability of each edge; 0.5 gives the uniform prior.</summary>
    public double EdgePrior = Defaults.EdgePrior;

    /// <summary>
    /// Prior probability of each same-day mediator edge (<see cref="SameDayMediators"/>), less sparse than
    /// <see cref="EdgePrior"/>: a mediator is in the data because it is thought to carry media, so these few edges are not
    /// shrunk toward absence like the many candidate lagged edges. An edge the data says nothing about ends near it.
    /// Under <see cref="GrangerPrior.LaggedAndSameDay"/> (chosen for signed signals) these edges follow the Granger
    /// ranking instead.
    /// </summary>
    public double MediatorEdgePrior = Defaults.MediatorEdgePrior;

    /// <summary>
    /// Which edges take their prior from each shop's Linear Granger scores instead of the flat <see cref="EdgePrior"/>
    /// (an empirical-Bayes prior; the encoder's <see cref="EncoderGrangerScores"/> must be on, since the scores are read
    /// over the same window). Within a shop the edges are ranked by the score of their sender-receiver pair and an edge at
    /// rank fraction u (1 the highest) gets prior <c>0.01 + 0.89 u^g</c> (the range widens for an extreme EdgePrior), with g set so the shop's mean over edges is still
    /// <see cref="EdgePrior"/>: the same sparsity, spent where the data's linear dependence points (under
    /// <see cref="GrangerPrior.LaggedUnlessSameDay"/> the edges set back to the flat prior move that mean a little). Why: an edge the
    /// decoder cannot use (a cause at a lag its messages do not read) gets no evidence from the likelihood, so under the
    /// flat prior its probability falls to the prior whatever the data say, and the graph ranks it with the absent edges.
    /// Left at None, a fit that learns edges on channels of either sign (signals, not spend: at least
    /// <see cref="Defaults.SignedChannelShare"/> of their values below zero) takes <see cref="GrangerPrior.LaggedAndSameDay"/>
    /// instead and logs why; any other value is used as set.
    /// </summary>
    public GrangerPrior GrangerPrior = Defaults.GrangerPrior;

    /// <summary>The prior of the lowest-ranked edge under <see cref="GrangerPrior"/> (half the <see cref="EdgePrior"/> when that is lower).</summary>
    internal const double GrangerPriorFloor = 0.01;

    /// <summary>The prior of the highest-ranked edge under <see cref="GrangerPrior"/> (halfway from the <see cref="EdgePrior"/> to 1 when that is higher).</summary>
    internal const double GrangerPriorCeiling = 0.9;

    /// <summary>
    /// The lowest and highest prior under <see cref="GrangerPrior"/> for a shop with <paramref name="edges"/> ranked
    /// edges, either side of <see cref="EdgePrior"/> and with room for a mean of <see cref="EdgePrior"/> (with few edges
    /// the highest alone would otherwise lift the mean above a small one).
    /// </summary>
    internal (double Floor, double Ceiling) GrangerPriorRange(int edges)
    {
        double floor = Math.Min(GrangerPriorFloor, EdgePrior / 2);
        double ceiling = Math.Max(GrangerPriorCeiling, (1 + EdgePrior) / 2);
        return (floor, Math.Min(ceiling, floor + 0.75 * edges * (EdgePrior - floor))); // lowest possible mean: floor + 0.75 (EdgePrior - floor)
    }

    /// <summary>Fraction of shops held out for validation and early stopping (0 disables both).</summary>
    public double ValidationFraction = Defaults.ValidationFraction;

    /// <summary>
    /// Epochs without a better validation loss before stopping; with <see cref="PlateauTolerance"/>, epochs without a
    /// better monitored loss by more than that share before stopping.
    /// </summary>
    public int Patience = Defaults.Patience;

    /// <summary>
    /// Stop on a plateau: once the monitored loss (the validation loss with <see cref="ValidationFraction"/>, else the
    /// training loss) has gone <see cref="Patience"/> epochs without a significant improvement, one that beats the last
    /// significant one by more than this share of its size, training stops and keeps the best epoch's parameters;
    /// <see cref="Epochs"/> stays the cap. The share is of the loss's size, so a loss near zero barely needs to move. Null: without a
    /// validation split train every epoch, with one stop after <see cref="Patience"/> epochs without any improvement.
    /// </summary>
    public double? PlateauTolerance = Defaults.PlateauTolerance;

    /// <summary>
    /// With a value, the plateau's patience counts optimiser steps as well as epochs: training stops after
    /// ceil(PatienceSteps / steps per epoch) epochs without a significant improvement when that is fewer than
    /// <see cref="Patience"/> (at least one), so a large panel, with many steps an epoch, does not wait
    /// <see cref="Patience"/> long epochs. Null (the default): <see cref="Patience"/> epochs. Internal: an experiment the
    /// benchmarks reach (issue 25's time to a graph on 300 shops).
    /// </summary>
    internal int? PatienceSteps;

    /// <summary>Gradients are rescaled so their joint L2 norm never exceeds this.</summary>
    public double GradientClipNorm = Defaults.GradientClipNorm;

    /// <summary>What the decoder's messages are computed from: hidden states (the paper) or observed values (the ablation).</summary>
    public MessageSource Messages = Defaults.Messages;

    /// <summary>How a node's incoming messages are combined.</summary>
    public MessageAggregation Aggregation = Defaults.Aggregation;

    /// <summary>
    /// How the encoder embeds each directed edge from the history window. Only variants that learn a graph have an encoder;
    /// <see cref="CausalMmmVariant.FullGraph"/> ignores this.
    /// </summary>
    public EdgeEncoder Encoder = Defaults.Encoder;

    /// <summary>
    /// How the saturation module (the target's S-curve) makes its input positive. Only the full model has one:
    /// <see cref="CausalMmmVariant.NoSaturation"/> and the variants without it ignore this.
    /// </summary>
    public SaturationInput Saturation = Defaults.Saturation;

    /// <summary>
    /// The encoder also reads each lagged edge's Linear Granger score over its window (a ridge VAR(3) per shop, as the
    /// baseline computes it) beside the edge's learned features. The pairwise features see two series side by side; the
    /// score is conditional on every other node's lags, which is what separates a node's parents from nodes that only
    /// echo them. Beyond the paper. A VAR(3) needs at least 4 steps: with an <see cref="EncoderWindow"/> of 3 or fewer the
    /// scores are all zero. See <see cref="Defaults.EncoderGrangerScores"/>.
    /// </summary>
    public bool EncoderGrangerScores = Defaults.EncoderGrangerScores;

    /// <summary>
    /// The last this-many steps of each training window are predicted from the decoder's own predictions instead of the
    /// observed values, as in the reference's multi-step loss; 0 trains on one-step predictions only.
    /// </summary>
    public int FeedbackSteps = Defaults.FeedbackSteps;

    /// <summary>
    /// Same-day media: the given series' (channels' and covariates') values of the step being predicted enter the
    /// prediction of mediators and the target through contemporaneous edges, each with its own probability from the
    /// encoder. Spends are plans, known in advance, so a scenario forecast responds on the day the plan changes.
    /// Beyond the paper, which only has lagged (Granger) edges.
    /// </summary>
    public bool SameDayMedia = Defaults.SameDayMedia;

    /// <summary>
    /// With <see cref="SameDayMedia"/>, same-day edges also go from each mediator to every later mediator and to the target,
    /// in one fixed order (given series, then mediators in schema order, then the target), so the same-day graph is acyclic
    /// by construction. Each has its own probability from the encoder and a linear response (a non-negative gain on the
    /// sender's scaled value) gated by it; every computation of a day, teacher-forced or rolled out, settles the mediators
    /// first and then the target. Without <see cref="SameDayMedia"/> there are no same-day edges and this has no effect.
    /// Models saved before this option existed load with it off, as they were trained.
    /// </summary>
    public bool SameDayMediators = Defaults.SameDayMediators;

    /// <summary>
    /// With <see cref="SameDayMedia"/>, each training shop gets its own multiplier of every same-day edge's effect: the edge's
    /// shared response times exp(delta) with a Gaussian prior on delta (spread <see cref="Defaults.ShopGainSpread"/>), as a
    /// hierarchical MMM pools its geo-level coefficients. The edge probability still says whether an effect exists; the
    /// multiplier says how strong it is in that shop. Shops the model was not trained on use the pooled effect
    /// (multiplier 1). Each shop's multipliers are its own, so any subset of shops scores as in the whole panel.
    /// </summary>
    public bool ShopGains = Defaults.ShopGains;

    /// <summary>
    /// Whether the decoder's lagged edges from given series (channels, covariates) carry messages. With
    /// <see cref="SameDayMedia"/>, turning it off leaves spend only its same-day edges (whose adstock carries it over), so
    /// a plan reaches the forecast through monotone responses alone. On by default: turning it off has not been measured to
    /// help planning, and it removes lagged channel edges from the graph's messages.
    /// </summary>
    public bool LaggedMediaMessages = true;

    /// <summary>
    /// With same-day edges, the decoder's recurrence, messages and head read each day's values less that day's same-day
    /// responses (the response curves and the mediator edges): the baseline the media act on, and the head reads each node's
    /// level (its mean baseline over the window before the forecast origin). A media effect then reaches a node's own
    /// history only through its baseline, so the recurrence does not carry it over a second time; a plan still moves the
    /// forecast through the lagged messages of its channels while <see cref="LaggedMediaMessages"/> is on. Off in
    /// <see cref="Paper"/>.
    /// </summary>
    public bool BaselineInputs = true;

    /// <summary>
    /// Each node's recurrence also reads an ungated message from its own value (an MLP of it, like an edge's), beside the
    /// gated messages of its incoming edges. Without it the only nonlinear functions of a node's own value the recurrence
    /// reads come through its incoming edges' messages (which read the receiver's value too), so a node with nonlinear
    /// self-dynamics gains from edges it does not have.
    /// </summary>
    public bool SelfMessages = true;

    /// <summary>
    /// Whether an edge's message reads the receiver's features beside the sender's, f_edge([x_i, x_j]) as in NRI and the
    /// paper, or the sender's alone, f_edge(x_i). Reading the receiver lets every incoming edge add nonlinear functions of the
    /// receiver's own series to its recurrence, so the likelihood rewards edges into a node whose own dynamics are hard to
    /// model whatever their senders; the receiver's own series reaches its recurrence directly anyway.
    /// </summary>
    public bool ReceiverInMessages = true;

    /// <summary>
    /// How many of the sender's (and receiver's) latest values each observed-value message reads: 1 reads the step's
    /// values only, so a cause acting two or more steps later reaches the receiver only through what its recurrent state
    /// remembers; K reads steps t, t-1, .., t-K+1, so a cause at lag up to K is a direct input of the edge's message.
    /// Only with <see cref="MessageSource.ObservedValues"/> (or the Markov variant).
    /// </summary>
    public int MessageLags = 1;

    /// <summary>
    /// Calendar terms in the baseline of the mediators and the target (<see cref="SeasonalTerms"/>): with
    /// <see cref="SeasonalBaseline.Auto"/>, weekly terms for daily data and yearly terms for a history of two years or more,
    /// chosen from the training panel's dates (none for a panel without dates). The decoder then models each series less
    /// its seasonal baseline and adds the baseline back to every forecast, so a weekly pattern needs no edges and no memory
    /// in the recurrence, and contributions and plans (differences between forecasts) are unchanged in meaning.
    /// Off (<see cref="SeasonalBaseline.None"/>) by default: on the planning benchmark it improved holdout forecasts (RMSE
    /// -6%) and plan errors but moved part of the effect of channels that act only through a mediator onto their direct
    /// curves (mediated share 90% -> 80%), which the split of contributions rests on. Turn it on when forecasting the
    /// level of a seasonal panel matters more than that split.
    /// </summary>
    public SeasonalBaseline Seasonality = SeasonalBaseline.None;

    /// <summary>
    /// A linear trend per shop in the baseline of the mediators and the target: each training shop gets a slope per node,
    /// learned with the rest of the network under a Gaussian prior centred on no trend (spread
    /// <see cref="TrendSpread"/>), on a time axis from the training window's first date. The decoder models the
    /// series less the line and every forecast gets the line at its dates back, as the classic chain's trend regressor
    /// is fitted beside its media terms. Shops the model was not trained on get no trend. Needs dated panels.
    /// Null (the default) lets each fit choose from its training window: on when the median over shops of the target's
    /// trend share reaches <see cref="Defaults.TrendShareThreshold"/>, off otherwise (an undated panel gets none); the
    /// training log says which and why, <see cref="TrainingSummary.TrendShare"/> keeps the statistic and the fitted model
    /// keeps the choice. True or false forces it.
    /// </summary>
    public bool? Trend;

    /// <summary>
    /// The spread of the Gaussian prior on the trend slopes (<see cref="Trend"/>), in scaled range per training window:
    /// smaller pulls every slope toward no trend (see <see cref="Defaults.TrendSpread"/> for how the default was set).
    /// </summary>
    public double TrendSpread = Defaults.TrendSpread;

    /// <summary>
    /// The share of the epochs trained before the trend slopes join (<see cref="Trend"/>): until then the decoder fits the
    /// series with no line, so the slopes do not take up a level the rest of the model has not found yet. Internal: an
    /// experiment the benchmarks reach.
    /// </summary>
    internal double TrendWarmup;

    /// <summary>
    /// Prior probability of each same-day edge out of a channel into a mediator or the target (a covariate's have
    /// <see cref="CovariateEdgePrior"/>); null uses <see cref="EdgePrior"/>. Internal: an experiment the benchmarks reach.
    /// </summary>
    internal double? GivenEdgePrior;

    /// <summary>
    /// Prior probability of each same-day edge out of a covariate known in advance (<see cref="NumericPanel.CovariateCount"/>:
    /// a promotion, a holiday, a price) into a mediator or the target; <see cref="Defaults.CovariateEdgePrior"/> by default.
    /// Internal: the estimators keep it at its default and the benchmarks reach it.
    /// </summary>
    internal double CovariateEdgePrior = Defaults.CovariateEdgePrior;

    /// <summary>
    /// With response curves, a covariate known in advance (a price, a promotion, a holiday) acts on the same day through a
    /// signed linear response of its adstocked value, z_ij w_ij adstock_ij(x_i) with w_ij of either sign, instead of the
    /// channels' Hill curve with its non-negative gain, which cannot say that a higher price lowers sales. Internal: an
    /// experiment the benchmarks reach (off by default until it is measured on every suite), stored in saved models
    /// (format 13); see docs/benchmarks.md.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal bool SignedCovariates;

    /// <summary>
    /// How many of the given series are covariates (the last ones: <see cref="NumericPanel.CovariateCount"/>), set by the
    /// trainer from the training panel so that a saved model rebuilds the same edges; read with <see cref="SignedCovariates"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal int CovariateSenders;

    /// <summary>
    /// A forecaster on a given graph keeps every covariate's same-day edges (into the mediators and the target) at weight
    /// one, whatever the graph says: covariates are controls the analyst put in the data, kept in the model as every MMM
    /// keeps its controls, and their gains (each shop's held near the pooled one) decide how much they move the forecast.
    /// Gated by the learned probability instead, the simulator's always-true promotion edges (0.71-0.81 on average,
    /// differing by shop) scale the promotion's effect by a different share in each shop. Kept on, the demo-sized check's
    /// holdout RMSE falls 1,758 -> 1,714 (3 seeds) and the Quickstart's 1,633 -> 1,602, but the drifting simulator's
    /// rises 4% (5 seeds: 2,280 -> 2,378; docs/benchmarks.md), so it is not the default. The
    /// graph itself (the <c>Graph</c> column) still reports what was learned, and a graph the user supplies
    /// (<c>MarketingResponseForecaster.Options.Graph</c>) is taken as it is: that fit turns this off. Internal, off by
    /// default: an experiment the benchmarks reach with <c>--set CovariateEdgesOn=true</c>; stored (model format 15) so
    /// that such a model loads as it was trained.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal bool CovariateEdgesOn;

    /// <summary>
    /// A same-day mediator edge reads its sender's deviation from the sender's mean over the decoder's window (held fixed
    /// over a forecast's horizon), not its value: the edge moves the receiver with the sender's movements, and a plan
    /// that changes the sender changes the receiver by the same amount as before, but the edge can no longer stand in for
    /// the receiver's level. Read as values, an edge's term had a mean of its gain times the sender's level, and each shop
    /// could switch the edge on to lift its receiver: on a panel of pure noise the mediator edges were learned in the
    /// shops whose receiver sat above the others, up to 16 shops of 16 depending on the CPU's thread count (see
    /// docs/benchmarks.md). Centring removes that pull (each shop's edge then follows the sample correlation of its sender
    /// and receiver, not the receiver's level), but on noise the edges can still settle at one in every shop, so it does
    /// not by itself keep them at their prior. On the planning benchmark (seed 1) it moved part of the page-view-only
    /// channels' effect to their direct curves (share credited to page views 93.3% -> 78.4%), so it is off: an internal
    /// experiment reached with <c>--set CentredMediatorEdges=true</c>; stored (model format 16), and models saved before
    /// it load with it off.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal bool CentredMediatorEdges;

    /// <summary>
    /// A covariate that lowers the target (a price) enters reflected: scaled as (window maximum - value) / range, so the
    /// monotone rising response the covariates share reads a price cut as more of the covariate. The trainer chooses each
    /// covariate's reflection from the training window (<see cref="ReflectedCovariates"/>, below
    /// <see cref="Defaults.ReflectBelowCorrelation"/>); a covariate that raises the target (a promotion) enters as it is.
    /// On the orange-juice store panel (2 origins) it takes brand 1 from MASE 1.69 to 0.93 and keeps brand 5 at 0.64,
    /// where a signed response lost (docs/benchmarks.md). Internal: on by default; <see cref="Paper"/> turns it off. Not
    /// stored: a loaded model reads its stored <see cref="ReflectedCovariates"/>.
    /// </summary>
    internal bool ReflectCovariates = true;

    /// <summary>
    /// Which covariates enter reflected (one flag per covariate, in their order among the given series), chosen by the
    /// trainer when <see cref="ReflectCovariates"/> is on: those whose pooled within-shop correlation with the target over
    /// the training window is below <see cref="Defaults.ReflectBelowCorrelation"/>. Null when none is; stored in saved
    /// models (format 14). Min-max scaling only.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal bool[]? ReflectedCovariates;

    /// <summary>
    /// A network without an encoder (the forecaster on fixed edges, or the <see cref="CausalMmmVariant.FullGraph"/>
    /// ablation) learns a monotone map sigmoid(a logit p + b) of the given series' same-day edge probabilities (identity at
    /// the start) instead of reading them as they are, so an under-confident graph can be sharpened by the forecaster's own
    /// likelihood. Internal: an experiment the benchmarks reach; such a model cannot be saved (the flag is not stored).
    /// </summary>
    internal bool CalibrateEdges;

    /// <summary>
    /// The likelihood of each shop's node is (T/2) log(1 + MSE / <see cref="Variance"/>) instead of
    /// T MSE / (2 <see cref="Variance"/>), T the predicted steps: the same where the decoder fits a series to well within the
    /// variance, and growing only with the log of the error where it does not, which is the Gaussian likelihood with each
    /// shop's noise variance estimated from its own errors (plus <see cref="Variance"/>) rather than fixed. With the fixed
    /// variance a series the decoder cannot predict (noise) outweighed the KL term by the ratio of its error to the
    /// variance (about 170 to 1 on uniform noise), and its edges settled at zero or one by the trajectory, which followed
    /// the CPU's thread count; with this form they stay at their prior. The KL term and the shop-gain and trend priors
    /// keep their scale, so they weigh more against it than against the plain form: hence the defaults' KL weight of 3
    /// (<see cref="Defaults.KlWeight"/>) and weak shop-gain prior (<see cref="Defaults.ShopGainSpread"/>). The plateau
    /// rule, which compares losses, reads the log-scale loss. Training only: nothing is stored. Internal, on by default
    /// (<see cref="Defaults.RobustLikelihood"/>); <see cref="Paper"/> turns it off; the benchmarks reach the plain form
    /// with <c>--set RobustLikelihood=false,KlWeight=100,ShopGainSpread=0.5,TrendSpread=0.03</c> (the previous defaults).
    /// Neither it nor <see cref="ShopGainSpread"/> is stored, so a loaded model reports the defaults' values for both,
    /// whatever it was trained with.
    /// </summary>
    internal bool RobustLikelihood = Defaults.RobustLikelihood;

    /// <summary>
    /// The spread of the shop gains' prior used in training (<see cref="Defaults.ShopGainSpread"/> unless set). Training
    /// only: nothing is stored. Internal: the benchmarks reach it with <c>--set ShopGainSpread=0.5</c>.
    /// </summary>
    internal double ShopGainSpread = Defaults.ShopGainSpread;

    /// <summary>
    /// Each lagged edge multiplies its message by its own learned vector (ones at the start). The message network is
    /// shared by every edge and reads only the sender's (and receiver's) values, so without these gains a sender sends the
    /// same message to each of its receivers, and a child whose parents act with different signs or strengths cannot be
    /// modelled through its edges; on the graph benchmark's lag-2/3 member (seed 2, with <see cref="ReceiverInMessages"/>
    /// off) the three parents of one child were then learned at 0.00-0.12 while Linear Granger found them. Off by default:
    /// with the lagged Granger prior (<see cref="GrangerPrior.Lagged"/>) it lifts the edges into the children on every
    /// graph member measured, but the graph estimator's same-day
    /// edges then cost plans, and alone it is unstable over seeds and cut the page-view-only mediated share on planning
    /// seed 1 (93.3% to 88.6%); see docs/benchmarks.md. Internal: an experiment the benchmarks reach, stored in saved
    /// models (format 12).
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal bool EdgeMessageGains;

    /// <summary>
    /// Whether a fit that learns edges treats the channels as signed signals rather than spend: when
    /// <see cref="GrangerPrior"/> is left at None, signed signals get the edge prior ranked by each shop's Linear Granger
    /// scores (<see cref="SignedSignalsPrior"/>), spend keeps the flat prior. Null (the default) lets the data choose: on
    /// when at least <see cref="Defaults.SignedChannelShare"/> of the channels' values in the training window are below
    /// zero, which spend and impressions never are; the training log says which and why, and
    /// <see cref="TrainingSummary.NegativeChannelShare"/> keeps the share. On the graph benchmark's members of signals
    /// centred at zero the ranked prior lifts the any-lag AUROC above Linear Granger's (seeds 1-3: lags 2-3 0.878 to 0.986,
    /// few shops per graph 0.907 to 0.962, weak links 0.892 to 0.974), while on spend panels it cost plans (it ranks a
    /// short-lived same-day effect by its lagged score), so spend keeps the settings its plans were measured with. The
    /// forecaster on a fixed graph learns no edges and does not read it; off in <see cref="Paper"/>. Internal: the
    /// benchmarks reach it; a saved model stores the resolved <see cref="GrangerPrior"/>. See docs/benchmarks.md.
    /// </summary>
    internal bool? SignedSignals;

    /// <summary>The Granger-ranked prior a panel of signed signals gets (<see cref="SignedSignals"/>).</summary>
    internal const GrangerPrior SignedSignalsPrior = GrangerPrior.LaggedAndSameDay;

    /// <summary>
    /// With response curves, each shop's half-saturation points move with its context (a learned log-shift per edge and
    /// standardised context variable), as the paper's saturation module lets the context set the target's S-curve. Off in
    /// <see cref="Paper"/>.
    /// </summary>
    public bool CurveContext = true;

    /// <summary>How a given series acts on the same day when <see cref="SameDayMedia"/> is on: a learned message or a per-edge response curve.</summary>
    public SameDayResponse SameDayResponse = Defaults.SameDayResponse;

    /// <summary>
    /// The steepest Hill shape a response curve (<see cref="SameDayResponse.SaturatingCurve"/>) may take, or null for no
    /// bound (the behaviour of models saved before this option existed). Spends that switch between off and a narrow band of
    /// on-levels leave the shape poorly identified, and an unbounded fit drifts to near-step curves (shapes 2.3-4.9 on the
    /// planning check) that miss what a +50% plan adds; see <see cref="Defaults.CurveMaxShape"/>.
    /// </summary>
    public double? CurveMaxShape = Defaults.CurveMaxShape;

    /// <summary>
    /// How each shop's series are scaled before the network sees them: to [0, 1] by their range (the paper), or divided by
    /// their mean absolute value, which depends less on a shop's single highest and lowest days.
    /// </summary>
    public ScalingMethod Scaling = ScalingMethod.MinMax;

    /// <summary>
    /// Steps of history the encoder reads before a forecast origin; null means the training length. At least 2, and at least
    /// 5 (the kernel) with <see cref="EdgeEncoder.PairConvolution"/> unless the variant is <see cref="CausalMmmVariant.FullGraph"/>,
    /// which has no encoder.
    /// </summary>
    public int? EncoderWindow;

    /// <summary>
    /// Where training runs: <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c> (needs TorchSharp's CUDA package). The ML.NET
    /// estimators set it from <c>MLContext.GpuDeviceId</c> and refuse a value set here. A trained model is saved from CPU copies of its weights, so it
    /// loads anywhere; inference runs wherever the loaded model's parameters are.
    /// </summary>
    public string Device = "cpu";

    /// <summary>
    /// Seed of every random choice (initialisation, shuffling, Gumbel noise, validation split). The ML.NET estimators
    /// draw it from the <c>MLContext</c>'s seed and refuse a value set here.
    /// </summary>
    public int Seed = 1;

    /// <summary>
    /// The paper benchmark's configuration: the CausalMMM paper's model (lagged Granger-style edges only, learned messages,
    /// the saturation module's exp input, no per-shop gains, the plain Gaussian likelihood with the reference's KL weight of
    /// 100), with this library's pair-convolution encoder and Granger
    /// scores, a learning rate of <see cref="Defaults.PaperLearningRate"/> and a fixed epoch count. It reaches Table 3's
    /// AUROC on the paper's simulations (0.968 / 0.972, 5 seeds; see docs/benchmarks.md); on marketing panels, where media
    /// act on the day they run, use the defaults (<c>new CausalMmmOptions()</c>).
    /// </summary>
    public static CausalMmmOptions Paper() =>
        new()
        {
            SameDayMedia = false, SameDayResponse = SameDayResponse.Message, Saturation = SaturationInput.Exponential, ShopGains = false,
            BaselineInputs = false, CurveContext = false, SelfMessages = false, LearningRate = Defaults.PaperLearningRate,
            MediatorEdgePrior = 0.5, PlateauTolerance = null, Trend = false, SignedSignals = false, ReflectCovariates = false,
            RobustLikelihood = false, KlWeight = Defaults.PaperKlWeight,
        };

    /// <summary>The graph estimator's defaults: the defaults with <see cref="Defaults.GraphMessageLags"/>-step messages.</summary>
    internal static CausalMmmOptions ForGraphEstimator() => new() { MessageLags = Defaults.GraphMessageLags };

    internal void Validate()
    {
        if (HiddenSize < 1) throw new ArgumentException($"HiddenSize must be at least 1, got {HiddenSize}.", nameof(HiddenSize));
        if (Epochs < 1) throw new ArgumentException($"Epochs must be at least 1, got {Epochs}.", nameof(Epochs));
        if (!Enum.IsDefined(Seasonality)) throw new ArgumentException($"Seasonality {(int)Seasonality} is not one of {string.Join(", ", Enum.GetNames<SeasonalBaseline>())}.", nameof(Seasonality));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1, got {BatchSize}.", nameof(BatchSize));
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate must be positive, got {LearningRate}.", nameof(LearningRate));
        if (LearningRateStepSize < 1) throw new ArgumentException($"LearningRateStepSize must be at least 1, got {LearningRateStepSize}.", nameof(LearningRateStepSize));
        if (!(LearningRateDecay > 0 && LearningRateDecay <= 1)) throw new ArgumentException($"LearningRateDecay must be in (0, 1], got {LearningRateDecay}.", nameof(LearningRateDecay));
        if (!(Temperature > 0)) throw new ArgumentException($"Temperature must be positive, got {Temperature}.", nameof(Temperature));
        if (!(KlWeight >= 0)) throw new ArgumentException($"KlWeight must be non-negative, got {KlWeight}.", nameof(KlWeight));
        if (!(Variance > 0)) throw new ArgumentException($"Variance must be positive, got {Variance}.", nameof(Variance));
        if (!(EdgePrior > 0 && EdgePrior < 1)) throw new ArgumentException($"EdgePrior must be in (0, 1), got {EdgePrior}.", nameof(EdgePrior));
        if (GivenEdgePrior is double given && !(given > 0 && given < 1)) throw new ArgumentException($"GivenEdgePrior must be in (0, 1), got {given}.", nameof(GivenEdgePrior));
        if (!(CovariateEdgePrior > 0 && CovariateEdgePrior < 1)) throw new ArgumentException($"CovariateEdgePrior must be in (0, 1), got {CovariateEdgePrior}.", nameof(CovariateEdgePrior));
        if (!(MediatorEdgePrior > 0 && MediatorEdgePrior < 1)) throw new ArgumentException($"MediatorEdgePrior must be in (0, 1), got {MediatorEdgePrior}.", nameof(MediatorEdgePrior));
        if (!(TrendSpread > 0)) throw new ArgumentException($"TrendSpread must be positive, got {TrendSpread}.", nameof(TrendSpread));
        if (!(ShopGainSpread > 0)) throw new ArgumentException($"ShopGainSpread must be positive, got {ShopGainSpread}.", nameof(ShopGainSpread));
        if (GrangerPrior != GrangerPrior.None && !EncoderGrangerScores)
            throw new ArgumentException($"GrangerPrior {GrangerPrior} reads the encoder's Linear Granger scores; set EncoderGrangerScores = true or GrangerPrior = None.", nameof(GrangerPrior));
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentException($"ValidationFraction must be in [0, 1), got {ValidationFraction}.", nameof(ValidationFraction));
        if (Patience < 1) throw new ArgumentException($"Patience must be at least 1, got {Patience}.", nameof(Patience));
        if (PatienceSteps is < 1) throw new ArgumentException($"PatienceSteps must be at least 1, got {PatienceSteps}.", nameof(PatienceSteps));
        if (PatienceSteps is not null && ValidationFraction == 0 && PlateauTolerance is null)
            throw new ArgumentException("PatienceSteps would be ignored: no validation split (ValidationFraction > 0) or plateau rule (PlateauTolerance) is watched.", nameof(PatienceSteps));
        if (PlateauTolerance is { } tolerance && !(tolerance >= 0 && tolerance < 1)) throw new ArgumentException($"PlateauTolerance must be in [0, 1), got {tolerance}.", nameof(PlateauTolerance));
        if (Patience != Defaults.Patience && ValidationFraction == 0 && PlateauTolerance is null)
            throw new ArgumentException($"Patience {Patience} would be ignored: it counts epochs without improvement, which only a validation split (ValidationFraction > 0) or a plateau rule (PlateauTolerance) watches. Set one of them, or leave Patience at {Defaults.Patience}.", nameof(Patience));
        if (Schedule == LearningRateSchedule.Cosine && (LearningRateStepSize != Defaults.LearningRateStepSize || LearningRateDecay != Defaults.LearningRateDecay))
            throw new ArgumentException($"LearningRateStepSize and LearningRateDecay set the step schedule and would be ignored with Schedule = Cosine; leave them at {Defaults.LearningRateStepSize} and {Defaults.LearningRateDecay} or use Schedule = Step.", nameof(Schedule));
        if (!(GradientClipNorm > 0)) throw new ArgumentException($"GradientClipNorm must be positive, got {GradientClipNorm}.", nameof(GradientClipNorm));
        TorchDevices.Parse(Device, nameof(Device));
        if (EncoderWindow is < 2) throw new ArgumentException($"EncoderWindow must be at least 2, got {EncoderWindow}.", nameof(EncoderWindow));
        if (MessageLags is < 1 or > 28) throw new ArgumentException($"MessageLags must be in [1, 28], got {MessageLags}.", nameof(MessageLags));
        if (MessageLags > 1 && Messages != MessageSource.ObservedValues && Variant != CausalMmmVariant.Markov)
            throw new ArgumentException($"MessageLags {MessageLags} needs Messages = ObservedValues (messages from hidden states already read the sender's history); got Messages = {Messages}.", nameof(MessageLags));
        if (FeedbackSteps < 0) throw new ArgumentException($"FeedbackSteps must be non-negative, got {FeedbackSteps}.", nameof(FeedbackSteps));
        if (!Enum.IsDefined(Messages)) throw new ArgumentException($"Messages must be one of {string.Join(", ", Enum.GetNames<MessageSource>())}, got {Messages}.", nameof(Messages));
        if (!Enum.IsDefined(Scaling)) throw new ArgumentException($"Scaling must be one of {string.Join(", ", Enum.GetNames<ScalingMethod>())}, got {Scaling}.", nameof(Scaling));
        if (!Enum.IsDefined(SameDayResponse)) throw new ArgumentException($"SameDayResponse must be one of {string.Join(", ", Enum.GetNames<SameDayResponse>())}, got {SameDayResponse}.", nameof(SameDayResponse));
        if (CurveMaxShape is double maxShape && !(maxShape > MarketingResponseDecoder.CurveMinShape && double.IsFinite(maxShape)))
            throw new ArgumentException($"CurveMaxShape must be a finite number above {MarketingResponseDecoder.CurveMinShape} (the lowest shape), or null for no bound; got {maxShape}.", nameof(CurveMaxShape));
        if (!Enum.IsDefined(Encoder)) throw new ArgumentException($"Encoder must be one of {string.Join(", ", Enum.GetNames<EdgeEncoder>())}, got {Encoder}.", nameof(Encoder));
        if (!Enum.IsDefined(Saturation)) throw new ArgumentException($"Saturation must be one of {string.Join(", ", Enum.GetNames<SaturationInput>())}, got {Saturation}.", nameof(Saturation));
        if (!Enum.IsDefined(Aggregation)) throw new ArgumentException($"Aggregation must be one of {string.Join(", ", Enum.GetNames<MessageAggregation>())}, got {Aggregation}.", nameof(Aggregation));
    }
}
