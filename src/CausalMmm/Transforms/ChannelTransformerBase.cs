using CausalMmm.Data;
using Microsoft.ML;

namespace CausalMmm.Transforms;

/// <summary>
/// Base of the fitted transforms that map each input column to one new Single column per shop in date order
/// (<see cref="AdstockTransformer"/>, <see cref="HillTransformer"/>): it reads and checks the panel, applies the
/// per-shop series function, and puts the results back on the input rows.
/// </summary>
public abstract class ChannelTransformerBase : PanelTransformerBase
{
    private readonly string[] _dateFormats;

    private protected ChannelTransformerBase(PanelRoles roles, string[] dateFormats)
    {
        Roles = roles;
        _dateFormats = dateFormats;
    }

    /// <summary>The shop and date columns it reads, and which inputs are channels (checked to be non-negative).</summary>
    public PanelRoles Roles { get; }

    /// <summary>Each transformed input and the column it adds, in output order.</summary>
    private protected abstract IReadOnlyList<(string Input, string Output)> ColumnPairs { get; }

    /// <summary>The output series of input number <paramref name="column"/> for one shop's series in date order.</summary>
    private protected abstract double[] Apply(int column, string shopId, double[] input);

    /// <summary>
    /// The same map as <see cref="Apply"/>, differentiable, for output number <paramref name="column"/> on a plan's steps:
    /// what a scenario forecast of the classic chain runs, with the carry-over from the history the plan continues.
    /// </summary>
    private protected abstract PlanFeature PlanFeature(int column, PlanFeatureContext context);

    /// <summary>Each input and the column this transform adds from it.</summary>
    internal IReadOnlyList<(string Input, string Output)> Columns => ColumnPairs;

    /// <summary>The plan feature of <paramref name="output"/> (see <see cref="PlanFeature"/>), or null when this transform does not add that column.</summary>
    internal PlanFeature? PlanFeatureFor(string output, PlanFeatureContext context)
    {
        for (int c = 0; c < ColumnPairs.Count; c++)
        {
            if (ColumnPairs[c].Output == output) return PlanFeature(c, context);
        }
        return null;
    }

    /// <summary>The date formats of a Text date column, saved with the component.</summary>
    private protected string[] DateFormats => _dateFormats;

    /// <inheritdoc />
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        IReadOnlyList<ColumnInfo> columns = PanelRoles.Columns(inputSchema);
        Roles.Require(columns, GetType().Name, ColumnPairs.Select(c => c.Input));
        SchemaRules.RequireInputsAndNewOutputs(columns, ColumnPairs.Select(c => c.Input), ColumnPairs.Select(c => c.Output), GetType().Name);
        return AppendColumnsDataView.OutputSchema(inputSchema, Outputs());
    }

    /// <inheritdoc />
    public override IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        return new AppendColumnsDataView(input, Outputs(), () =>
        {
            AssembledPanel read = PanelReader.Read(input, Roles, AdstockEstimator.InputVariables(Roles, ColumnPairs.Select(c => c.Input)).ToArray(),
                GetType().Name, allowMissingOutcomes: false, _dateFormats);
            MarketingPanel panel = read.Panel;
            return ColumnPairs.Select((pair, c) =>
            {
                double[][] output = Enumerable.Range(0, panel.ShopCount).Select(s => Apply(c, panel.ShopIds[s], panel.GetSeries(s, pair.Input))).ToArray();
                var values = new float[read.RowShop.Length];
                for (int r = 0; r < values.Length; r++) values[r] = (float)output[read.RowShop[r]][read.RowStep[r]];
                return (AppendedValues)new AppendedValues.Scalars(values);
            }).ToArray();
        });
    }

    private AppendedColumn[] Outputs() => ColumnPairs.Select(c => AppendedColumn.Scalar(c.Output)).ToArray();
}
