using CausalMmm.Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

/// <summary>Rolling-origin backtests: folds fit on the past only, and score what the same models score by hand.</summary>
public sealed class BacktestTests
{
    [Fact]
    public void No_fold_fits_on_a_date_at_or_after_its_origin_nor_transforms_one_after_its_window()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        SimulatedPanel simulated = mmm.Data.SimulateMarketing(shops: 4, length: 60, seed: 2);
        var spy = new DateSpy(mmm.Forecasting.Trainers.Naive(NaiveMethod.LastValue));
        BacktestResult result = mmm.Forecasting.Backtest(simulated.Data, new (string, IEstimator<ITransformer>)[] { ("spy", spy) },
            new BacktestOptions { Folds = 3, Horizon = 7 });

        Assert.Equal(3, result.Folds.Count);
        DateTime[] dates = simulated.Panel.Dates.Select(d => d.ToDateTime(TimeOnly.MinValue)).ToArray();
        for (int k = 0; k < 3; k++)
        {
            int origin = 60 - 7 * (3 - k);
            BacktestFold fold = result.Folds[k];
            Assert.Equal((origin, DateOnly.FromDateTime(dates[origin]), DateOnly.FromDateTime(dates[origin + 6])), (fold.HistoryLength, fold.Origin, fold.End));
            // The latest row each fold's fit and transform read, and the latest date whose outcome the transform could see.
            Assert.Equal(dates[origin - 1], spy.FitLatest[k]);
            Assert.Equal(dates[origin + 6], spy.TransformLatest[k]);
            Assert.Equal(dates[origin - 1], spy.TransformLatestOutcome[k]);
        }
    }

    [Fact]
    public void Each_folds_scores_are_those_of_the_model_fitted_on_its_history_and_the_last_value_scores_a_mase_of_one()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        SimulatedPanel simulated = mmm.Data.SimulateMarketing(shops: 4, length: 60, seed: 2);
        BacktestResult result = mmm.Forecasting.Backtest(simulated.Data, new (string, IEstimator<ITransformer>)[]
        {
            ("last", mmm.Forecasting.Trainers.Naive(NaiveMethod.LastValue)),
            ("ridge", mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge())),
        }, new BacktestOptions { Folds = 2, Horizon = 10, Step = 5 });

        Assert.Equal(new[] { 45, 50 }, result.Folds.Select(f => f.HistoryLength));
        Assert.All(result.Folds, f => Assert.Equal(1.0, f.Scores[0].Evaluation.Mase, 9));
        // The second fold's ridge row, by hand: fit on the first 50 dates, transform the first 60, score the last 10.
        IDataView history = ml.Data.FilterRowsByColumn(simulated.Data, "t", upperBound: 50);
        ITransformer ridge = mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(history);
        var byHand = mmm.Forecasting.Evaluate(ridge.Transform(simulated.Data), simulated.Panel.Dates[50].ToDateTime(TimeOnly.MinValue));
        Assert.Equal(byHand.Rmse, result.Folds[1].Scores[1].Evaluation.Rmse, 6);
        Assert.Equal(byHand.Mase, result.Folds[1].Scores[1].Evaluation.Mase, 6);
        // Overall: the mean of the folds' figures.
        BacktestSummary overall = result.Overall[1];
        Assert.Equal(result.Folds.Average(f => f.Scores[1].Evaluation.Rmse), overall.Rmse, 9);
        Assert.Equal(result.Folds.Count(f => f.Scores[1].Evaluation.Mase < 1), overall.FoldsAhead);
    }

    [Fact]
    public void Too_many_folds_for_the_data_and_duplicate_names_are_refused_with_what_to_change()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        SimulatedPanel simulated = mmm.Data.SimulateMarketing(shops: 2, length: 30, seed: 2);
        var naive = mmm.Forecasting.Trainers.Naive();
        var tooLong = Assert.Throws<ArgumentException>(() => mmm.Forecasting.Backtest(simulated.Data, new (string, IEstimator<ITransformer>)[] { ("n", naive) },
            new BacktestOptions { Folds = 4, Horizon = 7 }));
        Assert.Contains("need at least 38 dates", tooLong.Message);
        Assert.Contains("the data has 30", tooLong.Message);
        Assert.Contains("must differ", Assert.Throws<ArgumentException>(() => mmm.Forecasting.Backtest(simulated.Data,
            new (string, IEstimator<ITransformer>)[] { ("n", naive), ("n", naive) })).Message);
    }

    /// <summary>Wraps an estimator and records, per fit, the latest date its fit and its transform read.</summary>
    private sealed class DateSpy(IEstimator<ITransformer> inner) : IEstimator<ITransformer>
    {
        public List<DateTime> FitLatest { get; } = new();
        public List<DateTime> TransformLatest { get; } = new();
        public List<DateTime> TransformLatestOutcome { get; } = new();

        public ITransformer Fit(IDataView input)
        {
            FitLatest.Add(input.GetColumn<DateTime>("date").Max());
            return new Spied(inner.Fit(input), TransformLatest, TransformLatestOutcome);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);

        private sealed class Spied(ITransformer fitted, List<DateTime> seen, List<DateTime> seenOutcome) : ITransformer
        {
            public bool IsRowToRowMapper => false;
            public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => fitted.GetOutputSchema(inputSchema);
            public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();
            public void Save(ModelSaveContext ctx) => throw new NotSupportedException();

            public IDataView Transform(IDataView input)
            {
                DateTime[] dates = input.GetColumn<DateTime>("date").ToArray();
                float[] gmv = input.GetColumn<float>("gmv").ToArray(), pv = input.GetColumn<float>("pv").ToArray();
                seen.Add(dates.Max());
                seenOutcome.Add(dates.Where((_, row) => !float.IsNaN(gmv[row]) || !float.IsNaN(pv[row])).Max());
                return fitted.Transform(input);
            }
        }
    }
}
