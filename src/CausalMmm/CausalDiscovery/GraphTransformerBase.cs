using CausalMmm.Data;
using CausalMmm.Forecasting;
using Microsoft.ML;

namespace CausalMmm.CausalDiscovery;

/// <summary>
/// Base of the graph learners' transformers (<see cref="CausalGraphTransformer"/>, <see cref="LinearGrangerGraphTransformer"/>):
/// each adds every shop's graph (<see cref="GraphColumn"/>) to that shop's rows, read from the shop's own rows before the
/// forecast origin (the first date whose target is missing, else the first date after the fitted history), so a
/// downstream forecaster never uses a graph of the data it is scored on.
/// </summary>
public abstract class GraphTransformerBase : PanelTransformerBase
{
    private readonly string[] _dateFormats;

    private protected GraphTransformerBase(PanelRoles roles, DateOnly historyEnd, string graphColumnName, string[] dateFormats, CausalGraphSet? trainingGraphs)
    {
        Roles = roles;
        HistoryEnd = historyEnd;
        GraphColumnName = graphColumnName;
        _dateFormats = dateFormats;
        TrainingGraphs = trainingGraphs;
    }

    /// <summary>The columns it reads, with their roles.</summary>
    public PanelRoles Roles { get; }

    /// <summary>The last date of the training data: graphs of later inputs are read from the history up to the first date after it.</summary>
    public DateOnly HistoryEnd { get; }

    /// <summary>The vector column it adds.</summary>
    public string GraphColumnName { get; }

    /// <summary>
    /// The graphs learned for the training data's shops (read from its last dates), kept with the model so a saved model
    /// shows its graphs without the data; null for a model saved before they were kept.
    /// </summary>
    public CausalGraphSet? TrainingGraphs { get; }

    /// <summary>Graph nodes: channels and covariates, mediators, the target.</summary>
    public abstract IReadOnlyList<string> NodeNames { get; }

    /// <summary>The date formats it reads text dates with.</summary>
    private protected string[] DateFormats => _dateFormats;

    /// <summary>Whether the graphs have same-day edges, added as the same-day and any-lag columns (<see cref="GraphColumn.SameDayName"/>, <see cref="GraphColumn.AnyLagName"/>).</summary>
    private protected abstract bool HasSameDayGraph { get; }

    /// <summary>Every shop's graph of <paramref name="panel"/>, read from the steps before <paramref name="origin"/>.</summary>
    private protected abstract CausalGraphSet GraphsOf(MarketingPanel panel, int origin);

    /// <inheritdoc />
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Roles.Require(PanelRoles.Columns(inputSchema), GetType().Name);
        return AppendColumnsDataView.OutputSchema(inputSchema, GraphColumn.Columns(GraphColumnName, NodeNames, HasSameDayGraph));
    }

    /// <summary>Adds the graph of each row's shop (and, when there are same-day edges, its same-day graph <c>Graph.SameDay</c> and any-lag graph <c>Graph.AnyLag</c>).</summary>
    public override IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        return new AppendColumnsDataView(input, GraphColumn.Columns(GraphColumnName, NodeNames, HasSameDayGraph), () =>
        {
            (AssembledPanel read, CausalGraphSet graphs) = Read(input);
            return GraphColumn.Values(graphs, read.Panel.ShopIds, read.RowShop);
        });
    }

    /// <summary>The graphs of <paramref name="input"/>'s shops, typed: <c>Graphs(data).Edges("shop00")</c>.</summary>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    /// <exception cref="ArgumentException">The input lacks a column, or has too little history before the forecast origin.</exception>
    public CausalGraphSet Graphs(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        return Read(input).Graphs;
    }

    /// <summary>
    /// The graphs as their own view: one row per shop, the shop id (Text) and <see cref="GraphColumnName"/>, a Single vector
    /// of n x n lagged edge scores with slot names such as <c>x0->gmv</c> (and, when there are same-day edges,
    /// <c>Graph.SameDay</c>, the same for them, and <c>Graph.AnyLag</c>, the probability of either kind).
    /// </summary>
    public IDataView GetGraphs(IDataView input) => GraphColumn.View(Roles.Shop, GraphColumnName, Graphs(input));

    private (AssembledPanel Read, CausalGraphSet Graphs) Read(IDataView input)
    {
        AssembledPanel read = PanelReader.Read(input, Roles, Roles.Variables(), GetType().Name, allowMissingOutcomes: true, _dateFormats);
        return (read, GraphsOf(read.Panel, ForecastOrigin.Of(read, HistoryEnd)));
    }
}
